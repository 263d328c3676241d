// Package baseline is the security-baseline provider: rule packs that check
// a plan against the minimum measures Italian public bodies must meet (AgID
// ABSC, Circolare AgID 2/2017) and against the ACN rules on data
// classification and cloud qualification. It has no resources and no
// provider configuration; the engine calls CheckPlan once per baseline
// block with every planned resource in the block's scope, and RULES.md
// lists the rules (generated from the rule table by
// `go test ./providers/baseline -run TestRulesTable -update`).
//
// A resource's workload classification is its own `classification` tag
// (a "classification=critico" string among tags/all_tags, a key of
// metadata/all_metadata, or the provider's default_tags), else the
// baseline's profile.
//
// Unknown values. No finding rests on a value unknown at plan time, with
// these exceptions, where an unknown value is one the plan leaves to the
// cloud and so cannot be shown to be safe:
//   - an argument that the configuration leaves unset (null in
//     PolicyResource.Config) counts as unset, though a provider plans a
//     computed one as unknown: a volume without volume_type gets the
//     cloud's default type, a rule without remote_ip_prefix or
//     remote_group_id admits everyone, a rule without ports opens all of
//     them;
//   - an attribute set from an object still to be created counts as that
//     object when the configuration refers to it and to no other object of
//     its type (PolicyResource.Dependencies): a port on a new external
//     network, a role assignment of a new "admin" role; a backup or
//     snapshot covers every volume its configuration refers to.
//
// Tags that are unknown until apply leave the resource at the baseline's
// profile. A check never panics on malformed input: values of the wrong
// type count as absent.
//
// It imports plugins and third-party modules only.
package baseline
