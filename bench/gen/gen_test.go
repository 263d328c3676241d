package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// loaded is a generated configuration read back through the HCL parser.
type loaded struct {
	// inputs maps "module/resource-name" to the source text of its input
	// expression.
	inputs map[string]string
	// instances maps the same keys to how many instances the resource has.
	instances map[string]int
}

func (l loaded) total() int {
	n := 0
	for _, c := range l.instances {
		n += c
	}
	return n
}

// parseDir parses every .tf and .tfvars file in dir, failing the test on any
// diagnostic, and returns the bodies keyed by file name.
func parseDir(t *testing.T, dir string) (tf, tfvars map[string]*hclsyntax.Body, src map[string][]byte) {
	t.Helper()
	p := hclparse.NewParser()
	tf, tfvars, src = map[string]*hclsyntax.Body{}, map[string]*hclsyntax.Body{}, map[string][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tfvars")) {
			continue
		}
		path := filepath.Join(dir, name)
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			t.Fatalf("%s does not parse: %s", path, diags.Error())
		}
		src[name] = f.Bytes
		if strings.HasSuffix(name, ".tfvars") {
			tfvars[name] = f.Body.(*hclsyntax.Body)
		} else {
			tf[name] = f.Body.(*hclsyntax.Body)
		}
	}
	return tf, tfvars, src
}

// comuniCount counts the entries of the comuni map in the root's tfvars.
func comuniCount(t *testing.T, tfvars map[string]*hclsyntax.Body) int {
	t.Helper()
	b, ok := tfvars["comuni.auto.tfvars"]
	if !ok {
		t.Fatal("comuni.auto.tfvars missing")
	}
	a, ok := b.Attributes["comuni"]
	if !ok {
		t.Fatal("comuni.auto.tfvars does not set comuni")
	}
	obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		t.Fatalf("comuni is a %T, not an object constructor", a.Expr)
	}
	keys := map[string]bool{}
	for _, it := range obj.Items {
		v, diags := it.KeyExpr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("comuni key: %s", diags.Error())
		}
		if keys[v.AsString()] {
			t.Fatalf("duplicate comuni key %s", v.AsString())
		}
		keys[v.AsString()] = true
	}
	return len(obj.Items)
}

func exprText(src []byte, e hclsyntax.Expression) string {
	r := e.Range()
	return string(src[r.Start.Byte:r.End.Byte])
}

// resources collects the terraform_data blocks of one module directory, each
// counted perInstance times, or comuni times when it uses for_each.
func resources(t *testing.T, prefix string, tf map[string]*hclsyntax.Body, src map[string][]byte, perInstance, comuni int, into loaded) {
	t.Helper()
	for file, body := range tf {
		for _, b := range body.Blocks {
			if b.Type != "resource" {
				continue
			}
			if len(b.Labels) != 2 || b.Labels[0] != "terraform_data" {
				t.Fatalf("%s: unexpected resource %v; only terraform_data is allowed", file, b.Labels)
			}
			for name := range b.Body.Attributes {
				switch name {
				case "input", "triggers_replace", "for_each", "count", "depends_on":
				default:
					t.Fatalf("%s: terraform_data.%s sets %q, which terraform_data does not have", file, b.Labels[1], name)
				}
			}
			key := prefix + b.Labels[1]
			if _, dup := into.inputs[key]; dup {
				t.Fatalf("resource %s declared twice", key)
			}
			in, ok := b.Body.Attributes["input"]
			if !ok {
				t.Fatalf("%s: %s has no input", file, key)
			}
			into.inputs[key] = exprText(src[file], in.Expr)
			n := perInstance
			if _, ok := b.Body.Attributes["for_each"]; ok {
				n *= comuni
			}
			into.instances[key] = n
		}
	}
}

// load reads a generated directory back and works out its resources.
func load(t *testing.T, dir string) loaded {
	t.Helper()
	l := loaded{inputs: map[string]string{}, instances: map[string]int{}}
	tf, tfvars, src := parseDir(t, dir)
	comuni := 0
	if len(tfvars) > 0 {
		comuni = comuniCount(t, tfvars)
	}
	resources(t, "", tf, src, 1, comuni, l)
	for _, body := range tf {
		for _, b := range body.Blocks {
			if b.Type != "module" {
				continue
			}
			srcAttr, ok := b.Body.Attributes["source"]
			if !ok {
				t.Fatalf("module %v has no source", b.Labels)
			}
			v, diags := srcAttr.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			instances := 1
			if _, ok := b.Body.Attributes["for_each"]; ok {
				instances = comuni
			}
			mdir := filepath.Join(dir, v.AsString())
			mtf, _, msrc := parseDir(t, mdir)
			checkModuleInterface(t, mtf, b.Body)
			resources(t, "module."+b.Labels[0]+"/", mtf, msrc, instances, comuni, l)
		}
	}
	return l
}

// checkModuleInterface verifies the call passes exactly the module's
// variables and that the module declares outputs.
func checkModuleInterface(t *testing.T, mtf map[string]*hclsyntax.Body, call *hclsyntax.Body) {
	t.Helper()
	vars, outputs := map[string]bool{}, 0
	for _, body := range mtf {
		for _, b := range body.Blocks {
			switch b.Type {
			case "variable":
				vars[b.Labels[0]] = true
			case "output":
				outputs++
			}
		}
	}
	if outputs == 0 {
		t.Error("module declares no outputs")
	}
	for name := range call.Attributes {
		switch name {
		case "source", "for_each", "count", "depends_on", "providers", "version":
			continue
		}
		if !vars[name] {
			t.Errorf("module call sets %q, which the module does not declare", name)
		}
		delete(vars, name)
	}
	for name := range vars {
		t.Errorf("module variable %q is not set by the call", name)
	}
}

func generate(t *testing.T, o Options) loaded {
	t.Helper()
	if err := Generate(o); err != nil {
		t.Fatalf("Generate(%+v): %s", o, err)
	}
	return load(t, o.Dir)
}

func TestShapesCountAndParse(t *testing.T) {
	for _, shape := range Shapes {
		for _, n := range []int{10, 1000, 2500} {
			t.Run(shape+"/"+itoa(n), func(t *testing.T) {
				l := generate(t, Options{Shape: shape, N: n, Dir: t.TempDir()})
				if got := l.total(); got != n {
					t.Errorf("%d resource instances, want %d", got, n)
				}
				switch shape {
				case "foreach", "modules":
					if len(l.inputs) != len(ComuneResources) {
						t.Errorf("%d resource blocks, want %d", len(l.inputs), len(ComuneResources))
					}
				default:
					if len(l.inputs) != n {
						t.Errorf("%d resource blocks, want %d", len(l.inputs), n)
					}
				}
			})
		}
	}
}

func TestFlatShapesSplitIntoFiles(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(Options{Shape: "independent", N: 2500, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	if len(files) != 3 {
		t.Errorf("%d files for 2500 resources, want 3: %v", len(files), files)
	}
}

func TestChainReferencesPrevious(t *testing.T) {
	l := generate(t, Options{Shape: "chain", N: 50, Dir: t.TempDir()})
	if strings.Contains(l.inputs["r0"], "terraform_data.") {
		t.Errorf("chain head refers to something: %s", l.inputs["r0"])
	}
	for i := 1; i < 50; i++ {
		want := "terraform_data.r" + itoa(i-1) + ".output"
		if got := l.inputs["r"+itoa(i)]; got != want {
			t.Fatalf("r%d input = %s, want %s", i, got, want)
		}
	}
}

func TestMunicipalitiesWireByKey(t *testing.T) {
	l := generate(t, Options{Shape: "foreach", N: 100, Dir: t.TempDir()})
	for _, r := range ComuneResources[1:] {
		if !strings.Contains(l.inputs[r], "[each.key].id") {
			t.Errorf("%s does not refer to another resource by key: %s", r, l.inputs[r])
		}
	}
	if !strings.Contains(l.inputs["network"], "each.value.cidr") {
		t.Errorf("network does not use the municipality's cidr: %s", l.inputs["network"])
	}
}

// TestChangePct checks that the change run edits the input of the expected
// share of resource instances and nothing else.
func TestChangePct(t *testing.T) {
	for _, shape := range Shapes {
		t.Run(shape, func(t *testing.T) {
			const n = 1000
			dir := t.TempDir()
			base := generate(t, Options{Shape: shape, N: n, Dir: dir})
			again := generate(t, Options{Shape: shape, N: n, Dir: dir})
			if d := diffInstances(base, again); d != 0 {
				t.Fatalf("regenerating without changes differs in %d instances", d)
			}
			changed := generate(t, Options{Shape: shape, N: n, Dir: dir, ChangePct: 10})
			if changed.total() != n {
				t.Fatalf("change run has %d instances, want %d", changed.total(), n)
			}
			if d := diffInstances(base, changed); d != n/10 {
				t.Errorf("change run edits %d instances, want %d", d, n/10)
			}
		})
	}
}

func diffInstances(a, b loaded) int {
	d := 0
	for k, in := range a.inputs {
		if b.inputs[k] != in {
			d += a.instances[k]
		}
	}
	return d
}

func TestRegenerateSmallerRemovesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nuvola.tfstate"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	generate(t, Options{Shape: "independent", N: 3000, Dir: dir})
	l := generate(t, Options{Shape: "foreach", N: 100, Dir: dir})
	if l.total() != 100 {
		t.Errorf("%d instances after regenerating smaller, want 100", l.total())
	}
	if _, err := os.Stat(filepath.Join(dir, "nuvola.tfstate")); err != nil {
		t.Errorf("regenerating removed a file it does not own: %s", err)
	}
}

func TestRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	for _, o := range []Options{
		{Shape: "nope", N: 10, Dir: dir},
		{Shape: "independent", N: 0, Dir: dir},
		{Shape: "independent", N: 10, Dir: dir, ChangePct: 101},
		{Shape: "foreach", N: 100, Dir: dir, ChangePct: 3},
		{Shape: "independent", N: 10},
	} {
		if err := Generate(o); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", o)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
