package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// testSchemas declares the application credential's secret sensitive, as
// the provider does; the plan does not record it.
type testSchemas struct{}

func (testSchemas) ResourceTypeSchema(provider string, mode addrs.ResourceMode, typ string) *plugins.Schema {
	if typ != "openstack_identity_application_credential_v3" {
		return nil
	}
	return &plugins.Schema{Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
		"secret": {Type: cty.String, Computed: true, Sensitive: true},
	}}}
}

func render(t testing.TB, p *plan.Plan, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, p, opts))
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write the golden file")
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the rendered report; run go test -update and review the diff", path)
	}
}

func driftPlan(t testing.TB) *plan.Plan {
	net := func(name string) cty.Value { return osNetwork(name, "c_h501", "critico", str("net-1")) }
	return &plan.Plan{
		Mode: plan.RefreshOnlyMode, Timestamp: reportTime, NuvolaVersion: "0.9.0", StateLineage: "l", StateSerial: 7,
		Changes: []*plan.ResourceChange{
			{Addr: addr(t, "openstack_networking_network_v2.net"), Provider: osProv, Action: plan.Update,
				Before: net("c_h501-net"), After: net("renamed-by-hand")},
			{Addr: addr(t, "openstack_compute_keypair_v2.k"), Provider: osProv, Action: plan.Delete,
				Before: cty.ObjectVal(map[string]cty.Value{"name": str("k")}), After: cty.NullVal(cty.DynamicPseudoType)},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	cases := map[string]struct {
		plan *plan.Plan
		lang Lang
	}{
		"sample.en.html": {samplePlan(t), English},
		"sample.it.html": {samplePlan(t), Italian},
		"drift.en.html":  {driftPlan(t), English},
		"drift.it.html":  {driftPlan(t), Italian},
		"empty.en.html":  {&plan.Plan{Timestamp: reportTime, NuvolaVersion: "0.9.0"}, English},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out := render(t, tc.plan, Options{Lang: tc.lang, Schemas: testSchemas{}})
			for _, s := range secrets {
				assert.NotContains(t, string(out), s, "a secret leaked into the report")
			}
			assertSelfContained(t, out)
			golden(t, name, out)
		})
	}
}

// assertSelfContained checks that the page parses and refers to nothing
// outside itself.
func assertSelfContained(t *testing.T, out []byte) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(out))
	require.NoError(t, err)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			assert.NotEqual(t, "script", n.Data, "the report runs no script")
			assert.NotEqual(t, "link", n.Data, "the report links no stylesheet")
			assert.NotEqual(t, "img", n.Data, "the report loads no image")
			assert.NotEqual(t, "iframe", n.Data)
			for _, a := range n.Attr {
				switch a.Key {
				case "src", "srcset", "xlink:href", "action", "formaction":
					t.Errorf("<%s %s=%q> refers to something outside the page", n.Data, a.Key, a.Val)
				case "href":
					assert.True(t, strings.HasPrefix(a.Val, "#"), "<%s href=%q> leaves the page", n.Data, a.Val)
				}
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s %s> is a script", n.Data, a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, bad := range []string{"@import", "http://", "https://", "//fonts.", "url(http", "url(//"} {
		assert.NotContains(t, string(out), bad)
	}
	// The only url() is the arrow marker inside the page.
	for _, m := range regexp.MustCompile(`url\([^)]*\)`).FindAllString(string(out), -1) {
		assert.Equal(t, "url(#arrow)", m)
	}
}

func TestRenderSummaryCounts(t *testing.T) {
	out := string(render(t, samplePlan(t), Options{Lang: English, Schemas: testSchemas{}}))
	want := map[string]string{
		"create": "5", "update": "1", "replace": "2", "delete": "2", "read": "1", "import": "1", "move": "1", "total": "13",
	}
	for k, n := range want {
		assert.Contains(t, out, `<td data-count="`+k+`">`+n+`</td>`, k)
	}
	assert.NotContains(t, out, `data-count="forget"`, "an action no change takes has no column")
	assert.NotContains(t, out, "openstack_identity_project_v3.regione", "unchanged resources are not listed")
}

func TestRenderContent(t *testing.T) {
	out := string(render(t, samplePlan(t), Options{Lang: English, Schemas: testSchemas{}}))
	for what, s := range map[string]string{
		"replace reason":            "some of the changed attributes cannot be updated in place",
		"reason code":               "replace_because_cannot_update",
		"required replace path":     "<code>volume_type</code>",
		"forces marker":             `<tr class="op-change d0 forces">`,
		"create-before-destroy":     "create the replacement, then delete the old object",
		"deletion reason":           "the resource is no longer in the configuration",
		"unknown":                   "(known after apply)",
		"nested block element":      `<td class="name">[1]</td>`,
		"changed IP in a block":     `&#34;10.1.0.11&#34;`,
		"map entry":                 `<td class="name">&#34;owner&#34;</td>`,
		"set element added":         `<tr class="op-add d1"><td class="sym">&#43;</td><td class="name">•</td>`,
		"multi-line string":         `<pre class="v multi">#cloud-config`,
		"waiver reason":             "migration wave 2: the encrypted type arrives in May",
		"waiver approver":           "dpo@comune.example.it",
		"waiver expiry":             "2025-06-30",
		"finding location":          "modules/ente/network.tf:31:22",
		"control":                   "AgID ABSC 5.1.1",
		"blocking status":           "Apply is blocked: 2 policy findings are errors that no waiver covers.",
		"escaped message":           "no backup policy for &lt;critico&gt; data",
		"moved from":                "openstack_networking_floatingip_v2.web",
		"import id":                 "<code>img-debian-12</code>",
		"ente group":                `data-ente="c_h501"`,
		"unassigned group":          "— unassigned",
		"link from change to rule":  `class="finding blocking" href="#f0"`,
		"link from rule to change":  `<a href="#c`,
		"dependency edge":           `<path class="edge" d="M`,
		"sensitive placeholder":     "(sensitive value)",
		"identifying name kept":     `<tr class="op-same d0"><td class="sym"></td><td class="name">name</td>`,
		"hidden unchanged note":     "unchanged attributes not shown.",
		"variables listed":          "<code>region</code>",
		"policy finding on config":  "(configuration)",
		"classification in summary": `<tr data-name="strategico">`,
	} {
		assert.Contains(t, out, s, what)
	}
}

func TestRenderSecretsEverywhere(t *testing.T) {
	// A sensitive variable's value, wherever it turns up, is hidden: in a
	// map key, a policy message, a waiver, an output, a list element.
	p := samplePlan(t)
	p.Changes = append(p.Changes, &plan.ResourceChange{
		Addr: addr(t, "openstack_compute_instance_v2.leaky"), Provider: osProv, Action: plan.Create,
		After: cty.ObjectVal(map[string]cty.Value{
			"metadata": cty.MapVal(map[string]cty.Value{"db-pass-Xy7": str("k"), "v": str("prefix-db-pass-Xy7-suffix")}),
			"list":     cty.ListVal(strs("db-pass-Xy7")),
			"marked":   str("Sup3r-Secret-Pw").Mark("sensitive"),
			"nested":   cty.ObjectVal(map[string]cty.Value{"pw": str("token-K3y-value")}),
		}),
		AfterSensitive:  []cty.Path{cty.GetAttrPath("nested").GetAttr("pw")},
		RequiredReplace: []cty.Path{cty.GetAttrPath("metadata").Index(str("db-pass-Xy7"))},
	})
	p.PolicyResults = append(p.PolicyResults, &plan.PolicyResult{RuleID: "X", Severity: plan.SeverityWarning,
		Message: "found db-pass-Xy7 in user_data", Path: cty.GetAttrPath("metadata").Index(str("db-pass-Xy7")),
		Waiver: &plan.PolicyWaiver{RuleID: "X", Reason: "db-pass-Xy7 rotates", Expires: "2030-01-01"}})
	p.Outputs = append(p.Outputs, &plan.OutputChange{Name: "echo", Action: plan.Create, After: str("db-pass-Xy7")})
	for _, lang := range []Lang{English, Italian} {
		out := string(render(t, p, Options{Lang: lang, Schemas: testSchemas{}}))
		for _, s := range secrets {
			assert.NotContains(t, out, s)
		}
		assert.Contains(t, out, "prefix-")
	}
}

func TestRenderSetWithSensitiveElement(t *testing.T) {
	elem := cty.ObjectVal(map[string]cty.Value{"name": str("a"), "pw": str("Sup3r-Secret-Pw")})
	p := &plan.Plan{Changes: []*plan.ResourceChange{{
		Addr: addr(t, "openstack_x.y"), Provider: osProv, Action: plan.Create,
		After:          cty.ObjectVal(map[string]cty.Value{"s": cty.SetVal([]cty.Value{elem})}),
		AfterSensitive: []cty.Path{cty.GetAttrPath("s").Index(elem).GetAttr("pw")},
	}}}
	out := string(render(t, p, Options{}))
	assert.NotContains(t, out, "Sup3r-Secret-Pw")
	assert.Contains(t, out, "(sensitive value)")
}

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	keys := func(m map[string]string) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	assert.Equal(t, keys(english), keys(italian))
	for _, r := range []plan.Reason{plan.ReasonReplaceBecauseTainted, plan.ReasonReplaceByRequest, plan.ReasonReplaceBecauseCannotUpdate,
		plan.ReasonReplaceByTriggers, plan.ReasonDeleteNoResourceConfig, plan.ReasonDeleteWrongRepetition, plan.ReasonDeleteCountIndex,
		plan.ReasonDeleteEachKey, plan.ReasonDeleteNoModule, plan.ReasonDeleteNoMoveTarget, plan.ReasonReadBecauseConfigUnknown,
		plan.ReasonReadBecauseDependencyChange} {
		assert.Contains(t, english, "reason."+string(r))
	}
}

func TestLang(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cases := map[string]struct {
		env  func(string) string
		want Lang
	}{
		"nothing set":                 {env(), English},
		"LANG Italian":                {env("LANG", "it_IT.UTF-8"), Italian},
		"LANG English":                {env("LANG", "en_GB.UTF-8"), English},
		"LC_MESSAGES over LANG":       {env("LANG", "en_US.UTF-8", "LC_MESSAGES", "it_IT"), Italian},
		"LC_ALL over all":             {env("LANG", "it_IT.UTF-8", "LC_MESSAGES", "it_IT", "LC_ALL", "C"), English},
		"LC_ALL Italian":              {env("LANG", "C", "LC_ALL", "it_CH.UTF-8"), Italian},
		"empty values are not set":    {env("LC_ALL", "", "LANG", "it"), Italian},
		"another language":            {env("LANG", "de_DE.UTF-8"), English},
		"POSIX locale":                {env("LANG", "POSIX"), English},
		"Italian without a territory": {env("LANG", "it"), Italian},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) { assert.Equal(t, tc.want, LangFromEnv(tc.env)) })
	}
	for in, want := range map[string]Lang{"it": Italian, "IT": Italian, "it_IT.UTF-8": Italian, "en": English, "en_US": English} {
		got, err := ParseLang(in)
		require.NoError(t, err)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseLang("fr")
	assert.Error(t, err)
}

func TestLCS(t *testing.T) {
	b := []cty.Value{str("a"), str("b"), str("c"), str("d")}
	a := []cty.Value{str("a"), str("x"), str("c"), str("d"), str("e")}
	assert.Equal(t, [][2]int{{0, 0}, {1, -1}, {-1, 1}, {2, 2}, {3, 3}, {-1, 4}}, lcs(b, a))
}

func TestGraphLayout(t *testing.T) {
	// a <- b <- c, a <- c, d alone: longest path puts c in column 2.
	p := &plan.Plan{}
	mk := func(name string, deps ...string) {
		c := &plan.ResourceChange{Addr: addr(t, "openstack_x."+name), Provider: osProv, Action: plan.Create,
			After: cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String)})}
		for _, d := range deps {
			c.Dependencies = append(c.Dependencies, res(t, "openstack_x."+d))
		}
		p.Changes = append(p.Changes, c)
	}
	mk("a")
	mk("b", "a")
	mk("c", "a", "b", "zz_not_changed")
	mk("d")
	pg := build(p, Options{})
	require.NotNil(t, pg.Graph)
	x := map[string]int{}
	for _, n := range pg.Graph.Nodes {
		x[n.Title] = n.X
	}
	assert.Equal(t, x["openstack_x.a"], x["openstack_x.d"])
	assert.Less(t, x["openstack_x.a"], x["openstack_x.b"])
	assert.Less(t, x["openstack_x.b"], x["openstack_x.c"])
	assert.Len(t, pg.Graph.Edges, 3, "edges only between changed resources")
}

func TestGraphCycleDoesNotHang(t *testing.T) {
	p := &plan.Plan{}
	for _, pair := range [][2]string{{"a", "b"}, {"b", "a"}} {
		p.Changes = append(p.Changes, &plan.ResourceChange{Addr: addr(t, "openstack_x."+pair[0]), Provider: osProv, Action: plan.Create,
			After: cty.EmptyObjectVal, Dependencies: []addrs.AbsResource{res(t, "openstack_x."+pair[1])}})
	}
	pg := build(p, Options{})
	assert.Len(t, pg.Graph.Nodes, 2)
}

func TestGraphInstancesShareANode(t *testing.T) {
	p := bigPlan(t, 100)
	pg := build(p, Options{})
	assert.Len(t, pg.Graph.Nodes, 70, "one node per resource (7 enti × 10 resources), not per instance")
	assert.Contains(t, pg.Graph.Nodes[0].Label, "×")
}

func TestRenderNilPlan(t *testing.T) {
	assert.Error(t, Render(&bytes.Buffer{}, nil, Options{}))
}

func BenchmarkRender500(b *testing.B) {
	p := bigPlan(b, 500)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, p, Options{Lang: Italian}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/report")
}

func BenchmarkRender5000(b *testing.B) {
	p := bigPlan(b, 5000)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, p, Options{Lang: Italian}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/report")
}

// TestRenderOddValues renders values of every odd shape a plan can hold;
// none may stop the report.
func TestRenderOddValues(t *testing.T) {
	obj := cty.ObjectVal
	odd := []struct{ before, after cty.Value }{
		{cty.NilVal, cty.NilVal},
		{cty.NullVal(cty.DynamicPseudoType), cty.DynamicVal},
		{obj(map[string]cty.Value{"a": cty.DynamicVal}), obj(map[string]cty.Value{"a": cty.NullVal(cty.DynamicPseudoType)})},
		{obj(map[string]cty.Value{"l": cty.ListVal(strs("a"))}), obj(map[string]cty.Value{"l": cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.True})})},
		{obj(map[string]cty.Value{"s": cty.SetVal([]cty.Value{cty.UnknownVal(cty.String), str("x")})}), obj(map[string]cty.Value{"s": cty.SetVal([]cty.Value{cty.UnknownVal(cty.String)})})},
		{obj(map[string]cty.Value{"m": cty.MapVal(map[string]cty.Value{"k": str("v")})}), obj(map[string]cty.Value{"m": str("now a string")})},
		{obj(map[string]cty.Value{"x": str("pw").Mark("sensitive"), "y": cty.ListVal([]cty.Value{str("a").Mark("other")})}), cty.NullVal(cty.DynamicPseudoType)},
		{cty.NilVal, obj(map[string]cty.Value{"deep": obj(map[string]cty.Value{"a": obj(map[string]cty.Value{"b": obj(map[string]cty.Value{"c": obj(map[string]cty.Value{"d": obj(map[string]cty.Value{"e": obj(map[string]cty.Value{"f": obj(map[string]cty.Value{"g": obj(map[string]cty.Value{"h": obj(map[string]cty.Value{"i": obj(map[string]cty.Value{"j": str("deep")})})})})})})})})})})})},
		{cty.NilVal, obj(map[string]cty.Value{"long": cty.ListVal(strs(strings.Split(strings.Repeat("x,", 400), ",")...)), "n": cty.NumberFloatVal(1.5), "e": cty.EmptyObjectVal, "t": cty.EmptyTupleVal})},
		{cty.StringVal("not an object"), cty.NumberIntVal(3)},
	}
	p := &plan.Plan{PolicyResults: []*plan.PolicyResult{{RuleID: "R", Severity: plan.SeverityError,
		Path: cty.Path{cty.IndexStep{Key: cty.UnknownVal(cty.String)}, cty.IndexStep{Key: cty.True}}}}}
	for i, o := range odd {
		p.Changes = append(p.Changes, &plan.ResourceChange{Addr: addr(t, "openstack_x.o"+strconv.Itoa(i)), Provider: osProv, Action: plan.Update,
			Before: o.before, After: o.after,
			BeforeSensitive: []cty.Path{cty.GetAttrPath("s").Index(cty.UnknownVal(cty.String))},
			AfterSensitive:  []cty.Path{cty.GetAttrPath("m").Index(str("k"))},
			RequiredReplace: []cty.Path{cty.GetAttrPath("l").Index(cty.NumberIntVal(0)), cty.GetAttrPath("s").Index(str("x"))},
		})
	}
	for _, lang := range []Lang{English, Italian} {
		out := render(t, p, Options{Lang: lang})
		assertSelfContained(t, out)
		assert.NotContains(t, string(out), `"pw"`)
	}
}
