package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/nuvola-pa/nuvola/cmd/nuvola/internal/views"
	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/hcl/configs"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

func cmdInit(m *meta, args []string) int {
	fs := m.flags("init")
	fs.BoolVar(&m.input, "input", true, "")
	upgrade := fs.Bool("upgrade", false, "")
	_ = fs.Bool("backend", true, "")
	_ = fs.Bool("reconfigure", false, "")
	if !m.parse(fs, args) {
		return exitError
	}
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.showDiags(diags)
		return exitError
	}
	fmt.Fprintf(m.stdout, "\nInitializing the backend...\n")
	if _, bd := m.backend(cfg); bd.HasErrors() {
		m.showDiags(bd)
		return exitError
	}
	fmt.Fprintf(m.stdout, "\nInitializing provider plugins...\n")
	if pd := m.pinProviders(cfg, *upgrade); pd.HasErrors() {
		m.showDiags(pd)
		return exitError
	}
	if err := os.MkdirAll(".nuvola", 0o755); err != nil {
		m.errorf("Failed to create the working directory", "%s", err)
		return exitError
	}
	m.showDiags(diags)
	fmt.Fprintf(m.stdout, "\nnuvola has been successfully initialized!\n\nYou may now begin working with nuvola. Try running \"nuvola plan\" to see\nany changes that are required for your infrastructure.\n")
	return exitOK
}

// requiredSources lists every provider source the configuration uses.
func requiredSources(cfg *configs.Config) []string {
	set := map[string]bool{}
	cfg.DeepEach(func(c *configs.Config) {
		for _, rp := range c.Module.RequiredProviders {
			set[rp.Source] = true
		}
		for _, pc := range c.Module.ProviderConfigs {
			set[providerSourceFor(c.Module, pc.Name)] = true
		}
		for _, rs := range []map[string]*configs.Resource{c.Module.ManagedResources, c.Module.DataResources} {
			for _, r := range rs {
				set[providerSourceFor(c.Module, r.ProviderLocalName())] = true
			}
		}
		if len(c.Module.Baselines) > 0 {
			set[configs.BaselineProviderSource] = true
		}
	})
	return sortedNames(set)
}

func providerSourceFor(mod *configs.Module, local string) string {
	if rp, ok := mod.RequiredProviders[local]; ok && rp.Source != "" {
		return rp.Source
	}
	return configs.ImpliedProviderSource(local)
}

func cmdProviders(m *meta, args []string) int {
	fs := m.flags("providers")
	if !m.parse(fs, args) {
		return exitError
	}
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.showDiags(diags)
		return exitError
	}
	fmt.Fprintf(m.stdout, "\nProviders required by configuration:\n")
	var walk func(c *configs.Config, indent string)
	walk = func(c *configs.Config, indent string) {
		for _, src := range requiredSourcesOf(c) {
			req := ""
			for _, rp := range c.Module.RequiredProviders {
				if rp.Source == src && rp.RequirementStr != "" {
					req = " " + rp.RequirementStr
				}
			}
			fmt.Fprintf(m.stdout, "%s├── provider[%s]%s\n", indent, src, req)
		}
		for _, name := range sortedNames(c.Children) {
			fmt.Fprintf(m.stdout, "%s└── module.%s\n", indent, name)
			walk(c.Children[name], indent+"    ")
		}
	}
	fmt.Fprintf(m.stdout, ".\n")
	walk(cfg, "")
	return exitOK
}

func requiredSourcesOf(c *configs.Config) []string {
	set := map[string]bool{}
	for _, rp := range c.Module.RequiredProviders {
		set[rp.Source] = true
	}
	for _, rs := range []map[string]*configs.Resource{c.Module.ManagedResources, c.Module.DataResources} {
		for _, r := range rs {
			set[providerSourceFor(c.Module, r.ProviderLocalName())] = true
		}
	}
	if len(c.Module.Baselines) > 0 {
		set[configs.BaselineProviderSource] = true
	}
	return sortedNames(set)
}

func cmdValidate(m *meta, args []string) int {
	fs := m.flags("validate")
	jsonOut := fs.Bool("json", false, "")
	if !m.parse(fs, args) {
		return exitError
	}
	cfg, diags := m.loadConfig()
	if !diags.HasErrors() {
		diags = append(diags, m.providerDiags()...)
	}
	if !diags.HasErrors() {
		diags = append(diags, engine.Validate(m.ctx, cfg, m.factories())...)
	}
	if *jsonOut {
		type jd struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Detail   string `json:"detail"`
			Range    *struct {
				Filename string `json:"filename"`
				Line     int    `json:"line"`
				Column   int    `json:"column"`
			} `json:"range,omitempty"`
		}
		out := struct {
			FormatVersion string `json:"format_version"`
			Valid         bool   `json:"valid"`
			ErrorCount    int    `json:"error_count"`
			WarningCount  int    `json:"warning_count"`
			Diagnostics   []jd   `json:"diagnostics"`
		}{FormatVersion: "1.0", Valid: !diags.HasErrors(), Diagnostics: []jd{}}
		for _, d := range diags {
			x := jd{Severity: "error", Summary: d.Summary, Detail: d.Detail}
			if d.Severity == hcl.DiagWarning {
				x.Severity = "warning"
				out.WarningCount++
			} else {
				out.ErrorCount++
			}
			if d.Subject != nil {
				x.Range = &struct {
					Filename string `json:"filename"`
					Line     int    `json:"line"`
					Column   int    `json:"column"`
				}{d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column}
			}
			out.Diagnostics = append(out.Diagnostics, x)
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(m.stdout, string(b))
	} else {
		m.showDiags(diags)
		if !diags.HasErrors() {
			fmt.Fprintln(m.stdout, "Success! The configuration is valid.")
		}
	}
	if diags.HasErrors() {
		return exitError
	}
	return exitOK
}

func cmdFmt(m *meta, args []string) int {
	fset := m.flags("fmt")
	check := fset.Bool("check", false, "")
	recursive := fset.Bool("recursive", false, "")
	diff := fset.Bool("diff", false, "")
	list := fset.Bool("list", true, "")
	write := fset.Bool("write", true, "")
	if !m.parse(fset, args) {
		return exitError
	}
	targets := fset.Args()
	if len(targets) == 0 {
		targets = []string{"."}
	}
	var files []string
	for _, t := range targets {
		if t == "-" {
			src, _ := readAll(m.stdin)
			out, diags := formatSource(src, "<stdin>")
			if diags.HasErrors() {
				m.sources = map[string][]byte{"<stdin>": src}
				m.showDiags(diags)
				return exitError
			}
			m.stdout.Write(out)
			return exitOK
		}
		info, err := os.Stat(t)
		if err != nil {
			m.errorf("No file or directory at "+t, "%s", err)
			return exitError
		}
		if !info.IsDir() {
			files = append(files, t)
			continue
		}
		_ = filepath.WalkDir(t, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if p != t && (!*recursive || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if isFmtFile(d.Name()) {
				files = append(files, p)
			}
			return nil
		})
	}
	sort.Strings(files)
	code := exitOK
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			m.errorf("Failed to read file", "%s", err)
			return exitError
		}
		out, diags := formatSource(src, f)
		if diags.HasErrors() {
			m.sources = map[string][]byte{f: src}
			m.showDiags(diags)
			return exitError
		}
		if bytes.Equal(src, out) {
			continue
		}
		if *list {
			fmt.Fprintln(m.stdout, f)
		}
		if *diff {
			fmt.Fprint(m.stdout, unifiedDiff(f, string(src), string(out)))
		}
		if *check {
			code = exitFmt
			continue
		}
		if *write {
			if err := os.WriteFile(f, out, 0o644); err != nil {
				m.errorf("Failed to write file", "%s", err)
				return exitError
			}
		}
	}
	return code
}

func isFmtFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tftest.hcl")
}

func formatSource(src []byte, name string) ([]byte, hcl.Diagnostics) {
	_, diags := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}

// unifiedDiff is a minimal line diff (longest common subsequence), enough
// to show what fmt would change.
func unifiedDiff(name, a, b string) string {
	al, bl := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	n, mm := len(al), len(bl)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, mm+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := mm - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- old/%s\n+++ new/%s\n", name, name)
	i, j := 0, 0
	for i < n || j < mm {
		switch {
		case i < n && j < mm && al[i] == bl[j]:
			i++
			j++
		case j < mm && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			sb.WriteString("+" + strings.TrimSuffix(bl[j], "\n") + "\n")
			j++
		default:
			sb.WriteString("-" + strings.TrimSuffix(al[i], "\n") + "\n")
			i++
		}
	}
	return sb.String()
}

func cmdGraph(m *meta, args []string) int {
	fs := m.flags("graph")
	_ = fs.String("type", "plan", "")
	if !m.parse(fs, args) {
		return exitError
	}
	cfg, diags := m.loadConfig()
	if diags.HasErrors() {
		m.showDiags(diags)
		return exitError
	}
	dot, gd := engine.GraphDOT(m.ctx, cfg, m.factories())
	if gd.HasErrors() {
		m.showDiags(gd)
		return exitError
	}
	fmt.Fprint(m.stdout, dot)
	return exitOK
}

func cmdShow(m *meta, args []string) int {
	fs := m.flags("show")
	jsonOut := fs.Bool("json", false, "")
	var ho htmlFlags
	ho.register(fs)
	if !m.parse(fs, args) {
		return exitError
	}
	if !m.checkHTMLFlags(&ho, *jsonOut) {
		return exitError
	}
	sc := engine.NewSchemaCache(m.factories())
	defer sc.Close()
	if fs.NArg() > 1 {
		m.errorf("Too many command line arguments", "Expected at most one positional argument: a saved plan file.")
		return exitError
	}
	if ho.html && fs.NArg() == 0 {
		m.errorf("No plan file given", "The -html option renders a saved plan: nuvola show -html PLANFILE > report.html")
		return exitError
	}
	if fs.NArg() == 1 {
		p, err := readPlanFile(fs.Arg(0))
		if err != nil {
			m.errorf("Failed to read the given file as a plan file", "%s: %s", fs.Arg(0), err)
			return exitError
		}
		if ho.html {
			return m.writeHTMLReport(p, &ho, sc)
		}
		if *jsonOut {
			cfg, _ := configs.NewParser().LoadConfig(".")
			out, err := plan.MarshalJSON(p, cfg, sc)
			if err != nil {
				m.errorf("Failed to render the plan as JSON", "%s", err)
				return exitError
			}
			m.stdout.Write(out)
			fmt.Fprintln(m.stdout)
			return exitOK
		}
		_ = views.RenderPlan(m.stdout, p, sc, m.viewOpts())
		return exitOK
	}
	b, _ := m.backend(loadConfigQuiet())
	st, ok := m.loadState(b)
	if !ok {
		return exitError
	}
	if *jsonOut {
		out, err := plan.MarshalStateJSON(st, sc)
		if err != nil {
			m.errorf("Failed to render the state as JSON", "%s", err)
			return exitError
		}
		m.stdout.Write(out)
		fmt.Fprintln(m.stdout)
		return exitOK
	}
	if st.Empty() {
		fmt.Fprintln(m.stdout, "No state.")
		return exitOK
	}
	_ = views.RenderState(m.stdout, st, stateDecoder(sc), sc, m.viewOpts())
	return exitOK
}

func loadConfigQuiet() *configs.Config {
	cfg, diags := configs.NewParser().LoadConfig(".")
	if diags.HasErrors() {
		return nil
	}
	return cfg
}

func cmdOutput(m *meta, args []string) int {
	fs := m.flags("output")
	jsonOut := fs.Bool("json", false, "")
	raw := fs.Bool("raw", false, "")
	m.stateFlags(fs)
	if !m.parse(fs, args) {
		return exitError
	}
	b, _ := m.backend(loadConfigQuiet())
	st, ok := m.loadState(b)
	if !ok {
		return exitError
	}
	if fs.NArg() == 1 {
		name := fs.Arg(0)
		o, ok := st.Outputs[name]
		if !ok {
			m.errorf("Output \""+name+"\" not found", "The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run \"nuvola apply\", since the state won't be updated with new output variables until that command is run.")
			return exitError
		}
		switch {
		case *raw:
			s, err := rawOutput(o.Value)
			if err != nil {
				m.errorf("Unsupported value for raw output", "%s", err)
				return exitError
			}
			fmt.Fprint(m.stdout, s)
		case *jsonOut:
			js, err := ctyjson.Marshal(o.Value, o.Value.Type())
			if err != nil {
				m.errorf("Failed to encode output", "%s", err)
				return exitError
			}
			fmt.Fprintln(m.stdout, string(js))
		default:
			fmt.Fprintln(m.stdout, views.FormatValue(o.Value, 0))
		}
		return exitOK
	}
	if *jsonOut {
		out := map[string]any{}
		for name, o := range st.Outputs {
			js, err := ctyjson.Marshal(o.Value, o.Value.Type())
			if err != nil {
				continue
			}
			ty, _ := ctyjson.MarshalType(o.Value.Type())
			var v any = json.RawMessage(js)
			if o.Sensitive {
				v = json.RawMessage(js)
			}
			out[name] = map[string]any{"sensitive": o.Sensitive, "type": json.RawMessage(ty), "value": v}
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(m.stdout, string(b))
		return exitOK
	}
	if len(st.Outputs) == 0 {
		m.showDiags(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "No outputs found",
			Detail: "The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `nuvola refresh` for it to become available. If you are using interpolation, please verify the interpolated value is not empty. You can use the `nuvola console` command to assist."}})
		return exitOK
	}
	_ = views.RenderOutputs(m.stdout, st.Outputs)
	return exitOK
}
