package views

import (
	"fmt"
	"io"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// BenchmarkRenderPlan10k renders the plan of 10,000 terraform_data
// creates, as the first apply of the bench kit's independent shape shows.
func BenchmarkRenderPlan10k(b *testing.B) {
	schemas := testSchemas{"terraform_data": {Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
		"id":               {Type: cty.String, Computed: true},
		"input":            {Type: cty.DynamicPseudoType, Optional: true},
		"output":           {Type: cty.DynamicPseudoType, Computed: true},
		"triggers_replace": {Type: cty.DynamicPseudoType, Optional: true},
	}}}}
	p := &plan.Plan{}
	for i := 0; i < 10000; i++ {
		addr, diags := addrs.ParseAbsResourceInstanceStr(fmt.Sprintf("terraform_data.r%d", i))
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		p.Changes = append(p.Changes, &plan.ResourceChange{Addr: addr, PrevRunAddr: addr, Action: plan.Create,
			Provider: `provider["terraform.io/builtin/terraform"]`,
			Before:   cty.NullVal(cty.DynamicPseudoType),
			After: cty.ObjectVal(map[string]cty.Value{
				"id": cty.UnknownVal(cty.String), "input": cty.StringVal(fmt.Sprintf("v%d", i)),
				"output": cty.UnknownVal(cty.String), "triggers_replace": cty.NullVal(cty.DynamicPseudoType),
			})})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := RenderPlan(io.Discard, p, schemas, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
