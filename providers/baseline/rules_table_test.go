package baseline

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite RULES.md from the rule table")

const rulesPreamble = `# Baseline rules

The rules of the built-in ` + "`baseline`" + ` provider (` + "`" + Source + "`" + `), checked against every plan by each
` + "`baseline`" + ` block. Generated from the rule table by
` + "`go test ./providers/baseline -run TestRulesTable -update`" + `; do not edit by hand.

A finding of severity error blocks apply unless a recorded, unexpired waiver covers it; a warning is
reported only. The severity depends on the baseline's ` + "`profile`" + `. Rules about critico data apply to
resources whose workload classification is critico or strategico: their own ` + "`classification`" + ` tag
(` + "`\"classification=critico\"`" + ` among ` + "`tags`" + `, a ` + "`classification`" + ` key of ` + "`metadata`" + `, or the provider's
` + "`default_tags`" + `), else the baseline's profile. A volume whose metadata has a non-empty ` + "`" + snapshotPolicyKey + "`" + `
key (e.g. ` + "`" + snapshotPolicyKey + ` = "daily-7d"` + "`" + `) is covered by a backup policy outside the configuration
for NV-DATA-002.

Settings: ` + "`profile`" + ` (ordinario, critico, strategico), ` + "`target_cloud`" + ` (` + "`qualification`" + `: QC1-QC4 or PSN;
` + "`regions`" + `), ` + "`encrypted_volume_types`" + `, ` + "`admin_cidrs`" + `. A cloud qualified QC1 may hold ordinario data, QC2
critico data, QC4 or the PSN strategico data.

`

// rulesTable renders RULES.md.
func rulesTable() string {
	var b strings.Builder
	b.WriteString(rulesPreamble)
	b.WriteString("| ID | Pack | Title | ordinario | critico | strategico | Control | Rationale |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, r := range policyRules() {
		b.WriteString("| " + strings.Join([]string{
			r.ID, r.Pack, cell(r.Title),
			r.Severity[profiles[0]], r.Severity[profiles[1]], r.Severity[profiles[2]],
			cell(r.Control), cell(r.Rationale),
		}, " | ") + " |\n")
	}
	return b.String()
}

func TestRulesTable(t *testing.T) {
	want := rulesTable()
	if *update {
		require.NoError(t, os.WriteFile("RULES.md", []byte(want), 0o644))
	}
	got, err := os.ReadFile("RULES.md")
	require.NoError(t, err, "run go test ./providers/baseline -run TestRulesTable -update")
	require.Equal(t, want, string(got), "RULES.md is out of date: run go test ./providers/baseline -run TestRulesTable -update")
}
