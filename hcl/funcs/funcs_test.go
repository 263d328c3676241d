package funcs

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// testVars are available to every evaluated expression as var.*.
var testVars = map[string]cty.Value{
	"var": cty.ObjectVal(map[string]cty.Value{
		"obj":     cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("A")}),
		"secret":  cty.StringVal("hunter2").Mark(SensitiveMark),
		"unknown": cty.UnknownVal(cty.String),
		"null":    cty.NullVal(cty.String),
	}),
}

func evalExpr(t testing.TB, scope Scope, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	require.False(t, diags.HasErrors(), "parse %q: %s", src, diags.Error())
	return expr.Value(&hcl.EvalContext{Variables: testVars, Functions: scope.Functions()})
}

func TestFunctions(t *testing.T) {
	scope := Scope{BaseDir: "testdata"}
	tests := map[string]struct {
		expr    string
		want    cty.Value
		wantErr string
	}{
		// numeric
		"abs":      {expr: `abs(-3)`, want: cty.NumberIntVal(3)},
		"max":      {expr: `max(1, 7, 3)`, want: cty.NumberIntVal(7)},
		"parseint": {expr: `parseint("ff", 16)`, want: cty.NumberIntVal(255)},
		"pow":      {expr: `pow(2, 10)`, want: cty.NumberIntVal(1024)},

		// strings
		"format":          {expr: `format("%s-%03d", "web", 7)`, want: cty.StringVal("web-007")},
		"formatlist":      {expr: `formatlist("%s=%s", ["a", "b"], ["1", "2"])`, want: cty.ListVal([]cty.Value{cty.StringVal("a=1"), cty.StringVal("b=2")})},
		"format too wide": {expr: `format("%99999999999d", 1)`, wantErr: "format width must not exceed"},
		"regex":           {expr: `regex("[a-z]+", "123abc456")`, want: cty.StringVal("abc")},
		"regex groups":    {expr: `regex("(\\d+)-(\\d+)", "10-20")`, want: cty.TupleVal([]cty.Value{cty.StringVal("10"), cty.StringVal("20")})},
		"regexall":        {expr: `regexall("\\d", "a1b2")`, want: cty.ListVal([]cty.Value{cty.StringVal("1"), cty.StringVal("2")})},
		"replace literal": {expr: `replace("a.b.c", ".", "-")`, want: cty.StringVal("a-b-c")},
		"replace regex":   {expr: `replace("hello world", "/o(\\w)?/", "0$1")`, want: cty.StringVal("hell0 w0rld")},
		"replace bad re":  {expr: `replace("x", "/(/", "y")`, wantErr: "missing closing )"},
		"split join":      {expr: `join("+", split(",", "a,b,c"))`, want: cty.StringVal("a+b+c")},
		"title strrev":    {expr: `title(strrev("olleh"))`, want: cty.StringVal("Hello")},
		"substr":          {expr: `substr("hello world", 1, 4)`, want: cty.StringVal("ello")},
		"trim family":     {expr: `trimspace(trimsuffix(trimprefix("  x-abc-y  ", "  x-"), "-y  "))`, want: cty.StringVal("abc")},
		"startswith":      {expr: `startswith("hello", "he") && endswith("hello", "lo") && strcontains("hello", "ll")`, want: cty.True},
		"indent":          {expr: `indent(2, "a\nb")`, want: cty.StringVal("a\n  b")},
		"indent too deep": {expr: `indent(100000000, "a\nb")`, wantErr: "number of spaces must not exceed"},
		"length string":   {expr: `length("héllo")`, want: cty.NumberIntVal(5)},
		"length object":   {expr: `length({a = 1, b = 2})`, want: cty.NumberIntVal(2)},
		"length tuple":    {expr: `length([1, "x", true])`, want: cty.NumberIntVal(3)},
		"length number":   {expr: `length(1)`, wantErr: "argument must be a string, a collection type, or a structural type"},

		// collections
		"coalesce":         {expr: `coalesce("", null, "b")`, want: cty.StringVal("b")},
		"coalesce none":    {expr: `coalesce("", null)`, wantErr: "no non-null, non-empty-string arguments"},
		"coalescelist":     {expr: `coalescelist([], ["x"])`, want: cty.TupleVal([]cty.Value{cty.StringVal("x")})},
		"lookup hit":       {expr: `lookup({a = 1, b = 2}, "a", 3)`, want: cty.NumberIntVal(1)},
		"lookup default":   {expr: `lookup({a = 1, b = 2}, "c", 3)`, want: cty.NumberIntVal(3)},
		"lookup map":       {expr: `lookup(tomap({a = "x"}), "z", "dflt")`, want: cty.StringVal("dflt")},
		"lookup missing":   {expr: `lookup(tomap({a = "x"}), "z")`, wantErr: `lookup failed to find key "z"`},
		"lookup redacted":  {expr: `lookup(tomap({a = "x"}), var.secret)`, wantErr: "lookup failed to find key (sensitive value)"},
		"merge":            {expr: `merge({a = 1, b = 2}, {b = 3, c = 4})`, want: cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(3), "c": cty.NumberIntVal(4)})},
		"flatten":          {expr: `flatten([["a", "b"], [], ["c", ["d"]]])`, want: cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c"), cty.StringVal("d")})},
		"setproduct":       {expr: `setproduct(["a", "b"], ["x", "y"])`, want: cty.ListVal([]cty.Value{cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("x")}), cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("y")}), cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("x")}), cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("y")})})},
		"setproduct huge":  {expr: `setproduct(range(1000), range(1000))`, wantErr: "setproduct would produce more than"},
		"zipmap":           {expr: `zipmap(["a", "b"], [1, 2])`, want: cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(2)})},
		"keys values":      {expr: `concat(keys({b = 1, a = 2}), values({b = "x", a = "y"}))`, want: cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("y"), cty.StringVal("x")})},
		"distinct sort":    {expr: `sort(distinct(["b", "a", "b"]))`, want: cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		"element wraps":    {expr: `element(["a", "b"], 3)`, want: cty.StringVal("b")},
		"index":            {expr: `index(["a", "b", "c"], "b")`, want: cty.NumberIntVal(1)},
		"index missing":    {expr: `index(["a"], "z")`, wantErr: "item not found"},
		"contains":         {expr: `contains(["a", "b"], "b")`, want: cty.True},
		"range":            {expr: `range(1, 4)`, want: cty.ListVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2), cty.NumberIntVal(3)})},
		"reverse slice":    {expr: `reverse(slice(["a", "b", "c"], 0, 2))`, want: cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")})},
		"chunklist":        {expr: `length(chunklist(range(5), 2))`, want: cty.NumberIntVal(3)},
		"compact":          {expr: `compact(["a", "", "b"])`, want: cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		"one empty":        {expr: `one([])`, want: cty.NullVal(cty.DynamicPseudoType)},
		"one single":       {expr: `one(["x"])`, want: cty.StringVal("x")},
		"one many":         {expr: `one(["x", "y"])`, wantErr: "must be a list, set, or tuple value with either zero or one elements"},
		"sum":              {expr: `sum([1, 2, 3.5])`, want: cty.NumberFloatVal(6.5)},
		"sum empty":        {expr: `sum([])`, wantErr: "cannot sum an empty list"},
		"alltrue anytrue":  {expr: `[alltrue([true, true]), anytrue([false, true]), alltrue([]), anytrue([])]`, want: cty.TupleVal([]cty.Value{cty.True, cty.True, cty.True, cty.False})},
		"set ops":          {expr: `[setunion(["a"], ["b"]), setintersection(["a", "b"], ["b"]), setsubtract(["a", "b"], ["a"])]`, want: cty.TupleVal([]cty.Value{cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), cty.SetVal([]cty.Value{cty.StringVal("b")}), cty.SetVal([]cty.Value{cty.StringVal("b")})})},
		"transpose":        {expr: `transpose({a = ["1", "2"], b = ["2"]})`, want: cty.MapVal(map[string]cty.Value{"1": cty.ListVal([]cty.Value{cty.StringVal("a")}), "2": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})})},
		"matchkeys":        {expr: `matchkeys(["i-1", "i-2", "i-3"], ["a", "b", "a"], ["a"])`, want: cty.ListVal([]cty.Value{cty.StringVal("i-1"), cty.StringVal("i-3")})},
		"list removed":     {expr: `list(1)`, wantErr: `the "list" function was deprecated`},
		"core namespace":   {expr: `core::upper("x")`, want: cty.StringVal("X")},
		"unknown function": {expr: `nosuch(1)`, wantErr: "no function named"},

		// conversion
		"tostring":      {expr: `tostring(12)`, want: cty.StringVal("12")},
		"tonumber":      {expr: `tonumber("1.5")`, want: cty.NumberFloatVal(1.5)},
		"tonumber bad":  {expr: `tonumber("x")`, wantErr: `cannot convert "x" to number`},
		"tobool bad":    {expr: `tobool("yes")`, wantErr: `only the strings "true" or "false" are allowed`},
		"tobool secret": {expr: `tobool(var.secret)`, wantErr: "cannot convert this sensitive string to bool"},
		"tolist":        {expr: `tolist(["a", "b"])`, want: cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		"toset":         {expr: `toset(["a", "a"])`, want: cty.SetVal([]cty.Value{cty.StringVal("a")})},
		"tomap":         {expr: `tomap({a = 1})`, want: cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1)})},
		"tostring obj":  {expr: `tostring({})`, wantErr: "cannot convert object to string"},

		// try/can
		"try fallback": {expr: `try(jsondecode("{bad"), "fallback")`, want: cty.StringVal("fallback")},
		"try first":    {expr: `try(var.obj.a, "fallback")`, want: cty.StringVal("A")},
		"try attr":     {expr: `try(var.obj.missing, "fallback")`, want: cty.StringVal("fallback")},
		"can":          {expr: `[can(var.obj.a), can(var.obj.missing), can(regex("^[0-9]+$", "12a"))]`, want: cty.TupleVal([]cty.Value{cty.True, cty.False, cty.False})},

		// encodings
		"jsonencode": {expr: `jsonencode({a = [1, true]})`, want: cty.StringVal(`{"a":[1,true]}`)},
		"jsondecode": {expr: `jsondecode("{\"a\":[1,\"x\"]}")`, want: cty.ObjectVal(map[string]cty.Value{"a": cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.StringVal("x")})})},
		"csvdecode":  {expr: `csvdecode("name,port\nweb,80\ndb,5432\n")`, want: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "port": cty.StringVal("80")}), cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("db"), "port": cty.StringVal("5432")})})},
		"yaml roundtrip": {
			expr: `yamldecode(yamlencode({name = "web", ports = [80, 443], tags = {env = "prod"}}))`,
			want: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "ports": cty.TupleVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}), "tags": cty.ObjectVal(map[string]cty.Value{"env": cty.StringVal("prod")})}),
		},
		"yamlencode":         {expr: `yamlencode({a = 1})`, want: cty.StringVal("\"a\": 1\n")},
		"base64encode":       {expr: `base64encode("Hello, World!")`, want: cty.StringVal("SGVsbG8sIFdvcmxkIQ==")},
		"base64decode":       {expr: `base64decode("SGVsbG8sIFdvcmxkIQ==")`, want: cty.StringVal("Hello, World!")},
		"base64decode bad":   {expr: `base64decode("!!")`, wantErr: `failed to decode base64 data "!!"`},
		"base64gzip":         {expr: `base64gunzip(base64gzip("zip me"))`, want: cty.StringVal("zip me")},
		"urlencode":          {expr: `urlencode("a b&c")`, want: cty.StringVal("a+b%26c")},
		"urldecode":          {expr: `urldecode("a+b%26c")`, want: cty.StringVal("a b&c")},
		"textencodebase64":   {expr: `textencodebase64("Hi", "UTF-16LE")`, want: cty.StringVal("SABpAA==")},
		"textdecodebase64":   {expr: `textdecodebase64("SABpAA==", "utf-16le")`, want: cty.StringVal("Hi")},
		"textencode unknown": {expr: `textencodebase64("Hi", "klingon")`, wantErr: `"klingon" is not a supported IANA encoding name or alias`},

		// hashing and uuids
		"md5":          {expr: `md5("hello")`, want: cty.StringVal("5d41402abc4b2a76b9719d911017c592")},
		"sha1":         {expr: `sha1("hello")`, want: cty.StringVal("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")},
		"sha256":       {expr: `sha256("hello")`, want: cty.StringVal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")},
		"base64sha256": {expr: `base64sha256("hello")`, want: cty.StringVal("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")},
		"sha512 len":   {expr: `length(sha512("hello"))`, want: cty.NumberIntVal(128)},
		"uuidv5":       {expr: `uuidv5("dns", "example.com")`, want: cty.StringVal("cfbff0d1-9375-5685-968c-48ce8b15ae17")},
		"uuidv5 bad":   {expr: `uuidv5("nope", "x")`, wantErr: "uuidv5() doesn't support namespace nope"},

		// filesystem
		"file":             {expr: `file("hello.txt")`, want: cty.StringVal("Hello, World!")},
		"file missing":     {expr: `file("nope.txt")`, wantErr: "no file exists at"},
		"file directory":   {expr: `file("sub")`, wantErr: "is a directory, not a file"},
		"filebase64":       {expr: `filebase64("hello.txt")`, want: cty.StringVal("SGVsbG8sIFdvcmxkIQ==")},
		"filemd5":          {expr: `filemd5("hello.txt")`, want: cty.StringVal("65a8e27d8879283831b664bd8b7f0ad4")},
		"filesha256":       {expr: `filesha256("hello.txt")`, want: cty.StringVal("dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f")},
		"fileexists":       {expr: `[fileexists("hello.txt"), fileexists("nope.txt")]`, want: cty.TupleVal([]cty.Value{cty.True, cty.False})},
		"fileexists dir":   {expr: `fileexists("sub")`, wantErr: "is a directory, not a file"},
		"fileset":          {expr: `fileset(".", "**/*.txt")`, want: cty.SetVal([]cty.Value{cty.StringVal("hello.txt"), cty.StringVal("sub/inner.txt")})},
		"fileset none":     {expr: `fileset("sub", "*.nomatch")`, want: cty.SetValEmpty(cty.String)},
		"file path marks":  {expr: `issensitive(file(sensitive("hello.txt")))`, want: cty.True},
		"file path redact": {expr: `file(var.secret)`, wantErr: "no file exists at (sensitive value)"},
		"basename dirname": {expr: `[basename("a/b/c.txt"), dirname("a/b/c.txt")]`, want: cty.TupleVal([]cty.Value{cty.StringVal("c.txt"), cty.StringVal("a/b")})},
		"pathexpand":       {expr: `pathexpand("/abs/path")`, want: cty.StringVal("/abs/path")},
		"pathexpand user":  {expr: `pathexpand("~bob/x")`, wantErr: "cannot expand user-specific home dir"},

		// templates
		"templatefile": {
			expr: `templatefile("list.tmpl", {names = ["a", "b"]})`,
			want: cty.StringVal("- A\n- B\ntotal: 2\n"),
		},
		"templatefile missing var": {expr: `templatefile("list.tmpl", {})`, wantErr: `vars map does not contain key "names", referenced at list.tmpl:1,16-21`},
		"templatefile error line":  {expr: `templatefile("badcall.tmpl", {})`, wantErr: "badcall.tmpl:2,3-14"},
		"templatefile recursion":   {expr: `templatefile("recursive.tmpl", {})`, wantErr: "maximum template recursion depth"},
		"templatefile bad vars":    {expr: `templatefile("list.tmpl", "x")`, wantErr: "invalid vars value: must be a map"},
		"templatestring":           {expr: `templatestring("%%{for x in xs}$${x}%%{endfor}", {xs = [1, 2]})`, want: cty.StringVal("12")},

		// dates
		"timeadd":        {expr: `timeadd("2024-01-01T00:00:00Z", "36h")`, want: cty.StringVal("2024-01-02T12:00:00Z")},
		"timecmp":        {expr: `timecmp("2024-01-01T00:00:00Z", "2024-01-01T02:00:00+02:00")`, want: cty.NumberIntVal(0)},
		"timecmp bad":    {expr: `timecmp("2024-01-01", "2024-01-01T00:00:00Z")`, wantErr: "not a valid RFC3339 timestamp"},
		"formatdate":     {expr: `formatdate("YYYY-MM-DD hh:mm", "2024-03-05T07:08:09Z")`, want: cty.StringVal("2024-03-05 07:08")},
		"formatdate bad": {expr: `formatdate("YYYY", "yesterday")`, wantErr: "not a valid RFC3339 timestamp"},

		// networking
		"cidrsubnet":          {expr: `cidrsubnet("10.0.0.0/16", 8, 2)`, want: cty.StringVal("10.0.2.0/24")},
		"cidrsubnet ipv6":     {expr: `cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)`, want: cty.StringVal("fd00:fd12:3456:7800:a200::/72")},
		"cidrsubnet too big":  {expr: `cidrsubnet("10.0.0.0/16", 8, 256)`, wantErr: "prefix extension of 8 does not accommodate a subnet numbered 256"},
		"cidrsubnet overflow": {expr: `cidrsubnet("10.0.0.0/16", 20, 1)`, wantErr: "insufficient address space to extend prefix of 16 by 20"},
		"cidrhost":            {expr: `cidrhost("10.12.112.0/20", 268)`, want: cty.StringVal("10.12.113.12")},
		"cidrhost negative":   {expr: `cidrhost("10.12.112.0/20", -2)`, want: cty.StringVal("10.12.127.254")},
		"cidrhost too big":    {expr: `cidrhost("10.0.0.0/30", 4)`, wantErr: "prefix of 30 does not accommodate a host numbered 4"},
		"cidrnetmask":         {expr: `cidrnetmask("172.16.0.0/12")`, want: cty.StringVal("255.240.0.0")},
		"cidrnetmask v6":      {expr: `cidrnetmask("fd00::/8")`, wantErr: "IPv6 addresses cannot have a netmask"},
		"cidrnetmask invalid": {expr: `cidrnetmask("10.0.0.0")`, wantErr: "invalid CIDR expression"},
		"cidr leading zeros":  {expr: `cidrhost("010.0.0.0/8", 1)`, want: cty.StringVal("10.0.0.1")},
		"cidrsubnets": {
			expr: `cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`,
			want: cty.ListVal([]cty.Value{cty.StringVal("10.1.0.0/20"), cty.StringVal("10.1.16.0/20"), cty.StringVal("10.1.32.0/24"), cty.StringVal("10.1.48.0/20")}),
		},
		"cidrsubnets full": {expr: `cidrsubnets("10.0.0.0/30", 1, 1, 1)`, wantErr: "not enough remaining address space"},
		"cidrcontains":     {expr: `[cidrcontains("10.0.0.0/8", "10.1.2.3"), cidrcontains("10.0.0.0/8", "11.0.0.0/16")]`, want: cty.TupleVal([]cty.Value{cty.True, cty.False})},

		// unknown and null handling
		"unknown propagates": {expr: `upper(var.unknown)`, want: cty.UnknownVal(cty.String).RefineNotNull()},
		"unknown length":     {expr: `length(var.unknown)`, want: cty.UnknownVal(cty.Number).Refine().NotNull().NumberRangeLowerBound(cty.Zero, true).NewValue()},
		"null rejected":      {expr: `upper(var.null)`, wantErr: "argument must not be null"},
		"coalesce unknown":   {expr: `coalesce(var.unknown, "x")`, want: cty.UnknownVal(cty.String).RefineNotNull()},
	}

	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, diags := evalExpr(t, scope, tc.expr)
			if tc.wantErr != "" {
				require.True(t, diags.HasErrors(), "expected error, got %#v", got)
				assert.Contains(t, diags.Error(), tc.wantErr)
				return
			}
			require.False(t, diags.HasErrors(), diags.Error())
			assert.True(t, tc.want.RawEquals(got), "\nwant: %#v\ngot:  %#v", tc.want, got)
		})
	}
}

func TestSensitiveMarks(t *testing.T) {
	scope := Scope{}
	tests := map[string]struct {
		expr          string
		want          cty.Value
		wantSensitive bool
	}{
		"upper keeps mark":        {expr: `upper(var.secret)`, want: cty.StringVal("HUNTER2"), wantSensitive: true},
		"length keeps mark":       {expr: `length(var.secret)`, want: cty.NumberIntVal(7), wantSensitive: true},
		"interpolation keeps":     {expr: `"pw=${var.secret}"`, want: cty.StringVal("pw=hunter2"), wantSensitive: true},
		"sha256 keeps mark":       {expr: `sha256(var.secret)`, want: cty.StringVal("f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7"), wantSensitive: true},
		"lookup via secret key":   {expr: `lookup({hunter2 = "x"}, var.secret)`, want: cty.StringVal("x"), wantSensitive: true},
		"sensitive marks":         {expr: `sensitive("plain")`, want: cty.StringVal("plain"), wantSensitive: true},
		"nonsensitive unmarks":    {expr: `nonsensitive(var.secret)`, want: cty.StringVal("hunter2")},
		"issensitive":             {expr: `[issensitive(var.secret), issensitive("x")]`, want: cty.TupleVal([]cty.Value{cty.True, cty.False})},
		"tostring keeps mark":     {expr: `tostring(var.secret)`, want: cty.StringVal("hunter2"), wantSensitive: true},
		"base64decode keeps mark": {expr: `base64decode(base64encode(var.secret))`, want: cty.StringVal("hunter2"), wantSensitive: true},
		"format keeps mark":       {expr: `format("%s!", var.secret)`, want: cty.StringVal("hunter2!"), wantSensitive: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, diags := evalExpr(t, scope, tc.expr)
			require.False(t, diags.HasErrors(), diags.Error())
			assert.Equal(t, tc.wantSensitive, got.HasMark(SensitiveMark), "sensitive mark on %#v", got)
			assert.Equal(t, tc.wantSensitive, got.HasMark(Sensitive))
			unmarked, _ := got.Unmark()
			assert.True(t, tc.want.RawEquals(unmarked), "\nwant: %#v\ngot:  %#v", tc.want, unmarked)
		})
	}
}

func TestImpureFunctions(t *testing.T) {
	tests := map[string]struct {
		scope Scope
		expr  string
		check func(t *testing.T, v cty.Value)
	}{
		"timestamp while planning": {
			scope: Scope{Planning: true},
			expr:  `timestamp()`,
			check: func(t *testing.T, v cty.Value) {
				assert.True(t, v.RawEquals(cty.UnknownVal(cty.String)), "got %#v", v)
			},
		},
		"uuid while planning": {
			scope: Scope{Planning: true},
			expr:  `uuid()`,
			check: func(t *testing.T, v cty.Value) {
				assert.True(t, v.RawEquals(cty.UnknownVal(cty.String)), "got %#v", v)
			},
		},
		"timestamp while applying": {
			scope: Scope{},
			expr:  `timestamp()`,
			check: func(t *testing.T, v cty.Value) {
				require.True(t, v.IsKnown())
				ts, err := time.Parse(time.RFC3339, v.AsString())
				require.NoError(t, err)
				assert.WithinDuration(t, time.Now(), ts, time.Minute)
				assert.True(t, strings.HasSuffix(v.AsString(), "Z"))
			},
		},
		"uuid while applying": {
			scope: Scope{},
			expr:  `uuid()`,
			check: func(t *testing.T, v cty.Value) {
				require.True(t, v.IsKnown())
				assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, v.AsString())
			},
		},
		"timestamp in template while planning": {
			scope: Scope{Planning: true, BaseDir: "testdata"},
			expr:  `templatestring("at $${timestamp()}", {})`,
			check: func(t *testing.T, v cty.Value) {
				assert.False(t, v.IsKnown())
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, diags := evalExpr(t, tc.scope, tc.expr)
			require.False(t, diags.HasErrors(), diags.Error())
			tc.check(t, got)
		})
	}
}

func TestAbsPathUsesBaseDir(t *testing.T) {
	base := t.TempDir()
	tests := map[string]struct {
		expr string
		want string
	}{
		"relative": {expr: `abspath("x/y")`, want: filepath.ToSlash(filepath.Join(base, "x", "y"))},
		"absolute": {expr: `abspath("/etc/hosts")`, want: "/etc/hosts"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, diags := evalExpr(t, Scope{BaseDir: base}, tc.expr)
			require.False(t, diags.HasErrors(), diags.Error())
			assert.Equal(t, tc.want, got.AsString())
		})
	}
}

func TestFunctionsTableIsFresh(t *testing.T) {
	a := Scope{}.Functions()
	b := Scope{}.Functions()
	delete(a, "upper")
	assert.Contains(t, b, "upper")
	for _, name := range []string{"templatefile", "file", "cidrsubnet", "try", "can", "yamldecode", "sensitive"} {
		assert.Contains(t, b, name)
		assert.Contains(t, b, CoreNamespace+name)
	}
}

// TestNoPanicOnOddArguments calls every function directly with awkward
// argument combinations (null, unknown, dynamic, marked, wrong types,
// extreme numbers). Errors are expected; panics are not.
func TestNoPanicOnOddArguments(t *testing.T) {
	pool := []cty.Value{
		cty.NullVal(cty.String),
		cty.NullVal(cty.DynamicPseudoType),
		cty.UnknownVal(cty.String),
		cty.UnknownVal(cty.List(cty.String)),
		cty.DynamicVal,
		cty.StringVal(""),
		cty.StringVal("10.0.0.0/8"),
		cty.StringVal("hello.txt").Mark(SensitiveMark),
		cty.NumberIntVal(-1),
		cty.NumberFloatVal(1e300),
		cty.True,
		cty.ListValEmpty(cty.String),
		cty.ListVal([]cty.Value{cty.StringVal("a"), cty.UnknownVal(cty.String)}),
		cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v").Mark(SensitiveMark)}),
		cty.ObjectVal(map[string]cty.Value{"a": cty.NullVal(cty.Number)}),
		cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.StringVal("x")}),
		cty.SetVal([]cty.Value{cty.True}),
		cty.NumberIntVal(0),
		cty.EmptyObjectVal,
		cty.UnknownVal(cty.String).Mark(SensitiveMark),
		cty.ListVal([]cty.Value{cty.ListValEmpty(cty.Number)}),
		cty.MapValEmpty(cty.String),
		cty.StringVal("a\n%d"),
	}

	fns := Scope{BaseDir: "testdata"}.Functions()
	names := make([]string, 0, len(fns))
	for name := range fns {
		if strings.HasPrefix(name, CoreNamespace) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)

	call := func(t *testing.T, name string, args []cty.Value) {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s(%#v) panicked: %v", name, args, r)
			}
		}()
		// cty turns implementation panics into PanicError; those still
		// indicate a missing check, so they count as failures here.
		if _, err := fns[name].Call(args); err != nil {
			var pe function.PanicError
			if errors.As(err, &pe) {
				t.Errorf("%s(%#v) panicked inside cty: %v", name, args, err)
			}
		}
	}

	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			call(t, name, nil)
			for _, a := range pool {
				call(t, name, []cty.Value{a})
				for _, b := range pool {
					call(t, name, []cty.Value{a, b})
				}
			}
			// A third argument from a smaller pool keeps the run short.
			for _, a := range pool {
				for _, b := range pool {
					for _, c := range pool[:9] {
						call(t, name, []cty.Value{a, b, c})
					}
				}
			}
		})
	}
}

// fuzzTooExpensive rejects inputs whose cost is in resource use rather than
// in the crash class this target looks for: globbing or reading from system
// paths, and nested for-expressions that multiply collection sizes.
func fuzzTooExpensive(src string) bool {
	if len(src) > 512 {
		return true
	}
	if strings.Count(src, "for") > 1 {
		return true
	}
	for _, s := range []string{"/dev", "/proc", "/sys", ".."} {
		if strings.Contains(src, s) {
			return true
		}
	}
	return strings.Contains(src, "fileset") && (strings.Contains(src, "/") || strings.Contains(src, `\`) || strings.Contains(src, "~"))
}

// FuzzFunctionCall evaluates arbitrary expressions against the function
// table; any panic escaping hcl or a function is a failure. Errors are fine.
func FuzzFunctionCall(f *testing.F) {
	f.Add(`upper("x")`)
	f.Add(`cidrsubnet("10.0.0.0/16", 8, 2)`)

	tables := []map[string]function.Function{
		Scope{BaseDir: "testdata"}.Functions(),
		Scope{BaseDir: "testdata", Planning: true}.Functions(),
	}
	f.Fuzz(func(t *testing.T, src string) {
		if fuzzTooExpensive(src) {
			t.Skip()
		}
		expr, diags := hclsyntax.ParseExpression([]byte(src), "fuzz.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			return
		}
		for _, fns := range tables {
			val, diags := expr.Value(&hcl.EvalContext{Variables: testVars, Functions: fns})
			if !diags.HasErrors() && val == cty.NilVal {
				t.Fatalf("no error and no value for %q", src)
			}
			// cty converts panics inside functions into errors; they still
			// mean a function is missing an argument check.
			for _, diag := range diags {
				extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](diag)
				if !ok {
					continue
				}
				var pe function.PanicError
				if errors.As(extra.FunctionCallError(), &pe) {
					t.Fatalf("%s panicked for %q: %v", extra.CalledFunctionName(), src, pe)
				}
			}
		}
	})
}
