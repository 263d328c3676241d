// Package report renders a plan as one self-contained HTML page for the
// people who review a change before it runs: auditors, DPOs, security
// officers. The page holds a summary (changes by action, by ente and by
// classification), the policy findings with their waivers, a dependency
// view of the changed resources drawn as inline SVG, and every change,
// grouped by ente and module, with an attribute-level before/after diff.
// For a refresh-only plan it is the drift report: what changed outside
// nuvola.
//
// The page fetches nothing: styles are inline, there is no script, no
// font or image from elsewhere, and its Content-Security-Policy forbids
// loading anything. Sensitive values (the paths a change records, the
// attributes a schema declares sensitive, and the values of sensitive
// variables wherever they recur) are never written, in any form.
//
// It may import engine/plan, engine/addrs, go-cty and the standard
// library; it reads provider schemas only through plan.SchemaSource, and
// never imports the engine's evaluation code, plugins or providers.
package report
