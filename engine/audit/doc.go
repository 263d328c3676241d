// Package audit is the tamper-evident audit log of the commands that change
// a state: the record type, its canonical encoding, the hash chain that
// links each record to the one before, appending through a Store, checking
// a whole log, and filtering records for display.
//
// A log is JSON Lines, one record per line. Each record carries the hash of
// the record before it ("prev"; the first record carries Genesis) and its
// own hash over its canonical encoding, which is the record's line without
// the "hash" member. A record is accepted only in exactly that encoding, so
// an edited record, whatever the edit, no longer matches its hash, and a
// deleted, inserted or reordered record breaks the chain. Each record also
// names the state it found and the state it left (serial and SHA-256 of the
// state file), so a state file changed or swapped behind the log's back
// shows too, against the last record or the next one.
//
// The chain detects changes made by anyone who does not rewrite every later
// record; keeping the head hash (Report.Head) somewhere else, and checking
// that it is still in the chain, detects those who do.
//
// The package does no I/O of its own: a Store keeps the lines (the local
// state backend keeps them beside the state file, a remote backend keeps
// them next to its state).
//
// It may import the standard library and go-cty only.
package audit
