// Command gen writes benchmark configurations for the whole-CLI benchmark.
//
// Every configuration uses only terraform_data, OpenTofu's built-in
// resource, so the same directory can be planned and applied by nuvola and by
// OpenTofu and the figures compared like for like.
//
//	go run ./bench/gen -shape SHAPE -n N -out DIR [-change-pct P]
//
// Shapes:
//
//	independent  N unrelated resources: measures raw per-resource cost.
//	chain        N resources each reading the previous one's output: the
//	             graph is one long path, so nothing runs in parallel.
//	foreach      N/10 municipalities in a map variable, 10 for_each
//	             resources per municipality wired by key.
//	modules      the same 10 resources inside ./modules/comune, called once
//	             per municipality with for_each.
//
// With -change-pct P the same configuration is written with the input of
// every (100/P)th resource edited, so that a plan against the state of the
// unchanged configuration reports that share of resources as changed.
//
// It imports only the standard library.
package main
