package configs

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// FuzzParseModule feeds arbitrary bytes to the decoder as a native or JSON
// file, alone and together with an override file of the same content. The
// decoder must never panic and every error must carry a subject range.
func FuzzParseModule(f *testing.F) {
	f.Add([]byte(`resource "null_resource" "a" { count = 1 }`), false)
	f.Add([]byte(`{"resource": {"null_resource": {"a": {"count": 1}}}}`), true)

	f.Fuzz(func(t *testing.T, src []byte, isJSON bool) {
		name, overrideName := "main.tf", "main_override.tf"
		if isJSON {
			name, overrideName = "main.tf.json", "main_override.tf.json"
		}

		for _, files := range []map[string][]byte{
			{name: src},
			{name: src, overrideName: src},
		} {
			p := NewParser()
			mod, diags := p.ParseModuleFromBytes(files)
			if mod == nil {
				t.Fatal("nil module")
			}
			for _, d := range diags {
				if d.Severity == hcl.DiagError && d.Subject == nil {
					t.Fatalf("error without subject: %s", d.Error())
				}
			}
			exerciseModule(mod)
		}
	})
}

// exerciseModule touches the decoded structures the way the engine will,
// including merged override bodies, to flush out latent panics.
func exerciseModule(m *Module) {
	for _, r := range m.ManagedResources {
		_ = r.Key()
		_ = r.ProviderLocalName()
		_, _ = r.Config.JustAttributes()
	}
	for _, r := range m.DataResources {
		_ = r.Key()
		_, _, _ = r.Config.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}})
	}
	for _, p := range m.ProviderConfigs {
		_, _ = p.Config.JustAttributes()
	}
	for _, mc := range m.ModuleCalls {
		_, _ = mc.Config.JustAttributes()
	}
	for _, v := range m.Variables {
		_ = v.Required()
	}
	for _, imp := range m.Imports {
		if imp.To != nil {
			_ = TraversalString(imp.To)
		}
	}
	_, _ = NewParser().CollectVariableValues("", nil, nil, m.Variables)
}
