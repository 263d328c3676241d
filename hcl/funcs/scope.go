package funcs

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Sensitive is the value of the cty mark carried by sensitive values.
const Sensitive = "sensitive"

// SensitiveMark is the mark to pass to cty.Value.Mark / HasMark. It is the
// plain string Sensitive so that values marked by any package compare equal
// whichever of the two names that package used.
var SensitiveMark = Sensitive

// CoreNamespace prefixes the alias under which every built-in function is
// also registered, matching OpenTofu's core:: function namespace.
const CoreNamespace = "core::"

// Scope carries the per-module settings that some functions depend on.
type Scope struct {
	// BaseDir is path.module of the calling module. file(), templatefile(),
	// fileexists(), fileset(), the file hashing functions and abspath()
	// resolve relative paths against it.
	BaseDir string

	// Planning is true while planning. The impure functions timestamp() and
	// uuid() then return cty.UnknownVal(cty.String) so the plan shows
	// "(known after apply)" instead of a value that would change at apply.
	Planning bool
}

// impureFunctions produce a different result on every call, so their result
// is deferred to apply time while planning.
var impureFunctions = []string{"timestamp", "uuid"}

// Functions returns a freshly built function table for s. Building it is not
// free, so callers should cache the result per scope; the returned map must
// not be modified while expressions using it are being evaluated.
func (s Scope) Functions() map[string]function.Function {
	baseDir := s.BaseDir
	fns := map[string]function.Function{
		"abs":              stdlib.AbsoluteFunc,
		"abspath":          makeAbsPathFunc(baseDir),
		"alltrue":          allTrueFunc,
		"anytrue":          anyTrueFunc,
		"base64decode":     base64DecodeFunc,
		"base64encode":     base64EncodeFunc,
		"base64gunzip":     base64GunzipFunc,
		"base64gzip":       base64GzipFunc,
		"base64sha256":     base64Sha256Func,
		"base64sha512":     base64Sha512Func,
		"basename":         basenameFunc,
		"can":              tryfunc.CanFunc,
		"ceil":             stdlib.CeilFunc,
		"chomp":            stdlib.ChompFunc,
		"chunklist":        stdlib.ChunklistFunc,
		"cidrcontains":     cidrContainsFunc,
		"cidrhost":         cidrHostFunc,
		"cidrnetmask":      cidrNetmaskFunc,
		"cidrsubnet":       cidrSubnetFunc,
		"cidrsubnets":      cidrSubnetsFunc,
		"coalesce":         coalesceFunc,
		"coalescelist":     stdlib.CoalesceListFunc,
		"compact":          stdlib.CompactFunc,
		"concat":           stdlib.ConcatFunc,
		"contains":         stdlib.ContainsFunc,
		"csvdecode":        stdlib.CSVDecodeFunc,
		"dirname":          dirnameFunc,
		"distinct":         stdlib.DistinctFunc,
		"element":          stdlib.ElementFunc,
		"endswith":         endsWithFunc,
		"file":             makeFileFunc(baseDir, false),
		"filebase64":       makeFileFunc(baseDir, true),
		"filebase64sha256": makeFileHashFunc(baseDir, sha256.New, b64),
		"filebase64sha512": makeFileHashFunc(baseDir, sha512.New, b64),
		"fileexists":       makeFileExistsFunc(baseDir),
		"filemd5":          makeFileHashFunc(baseDir, md5.New, hexEnc),
		"fileset":          makeFileSetFunc(baseDir),
		"filesha1":         makeFileHashFunc(baseDir, sha1.New, hexEnc),
		"filesha256":       makeFileHashFunc(baseDir, sha256.New, hexEnc),
		"filesha512":       makeFileHashFunc(baseDir, sha512.New, hexEnc),
		"flatten":          stdlib.FlattenFunc,
		"floor":            stdlib.FloorFunc,
		"format":           guardedFormatFunc(stdlib.FormatFunc),
		"formatdate":       stdlib.FormatDateFunc,
		"formatlist":       guardedFormatFunc(stdlib.FormatListFunc),
		"indent":           indentFunc,
		"index":            indexFunc,
		"issensitive":      isSensitiveFunc,
		"join":             stdlib.JoinFunc,
		"jsondecode":       stdlib.JSONDecodeFunc,
		"jsonencode":       stdlib.JSONEncodeFunc,
		"keys":             stdlib.KeysFunc,
		"length":           lengthFunc,
		"list":             listFunc,
		"log":              guardedLogFunc,
		"lookup":           lookupFunc,
		"lower":            stdlib.LowerFunc,
		"map":              mapFunc,
		"matchkeys":        matchkeysFunc,
		"max":              stdlib.MaxFunc,
		"md5":              md5Func,
		"merge":            guardedMergeFunc,
		"min":              stdlib.MinFunc,
		"nonsensitive":     nonsensitiveFunc,
		"one":              oneFunc,
		"parseint":         stdlib.ParseIntFunc,
		"pathexpand":       pathExpandFunc,
		"pow":              stdlib.PowFunc,
		"range":            stdlib.RangeFunc,
		"regex":            stdlib.RegexFunc,
		"regexall":         stdlib.RegexAllFunc,
		"replace":          replaceFunc,
		"reverse":          stdlib.ReverseListFunc,
		"rsadecrypt":       rsaDecryptFunc,
		"sensitive":        sensitiveFunc,
		"setintersection":  guardedSetIntersectionFunc,
		"setproduct":       guardedSetProductFunc,
		"setsubtract":      guardedSetSubtractFunc,
		"setunion":         guardedSetUnionFunc,
		"sha1":             sha1Func,
		"sha256":           sha256Func,
		"sha512":           sha512Func,
		"signum":           stdlib.SignumFunc,
		"slice":            stdlib.SliceFunc,
		"sort":             stdlib.SortFunc,
		"split":            stdlib.SplitFunc,
		"startswith":       startsWithFunc,
		"strcontains":      strContainsFunc,
		"strrev":           stdlib.ReverseFunc,
		"substr":           stdlib.SubstrFunc,
		"sum":              sumFunc,
		"textdecodebase64": textDecodeBase64Func,
		"textencodebase64": textEncodeBase64Func,
		"timeadd":          stdlib.TimeAddFunc,
		"timecmp":          timeCmpFunc,
		"timestamp":        timestampFunc,
		"title":            stdlib.TitleFunc,
		"tobool":           makeToFunc(cty.Bool),
		"tolist":           makeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":            makeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":         makeToFunc(cty.Number),
		"toset":            makeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":         makeToFunc(cty.String),
		"transpose":        transposeFunc,
		"trim":             stdlib.TrimFunc,
		"trimprefix":       stdlib.TrimPrefixFunc,
		"trimspace":        stdlib.TrimSpaceFunc,
		"trimsuffix":       stdlib.TrimSuffixFunc,
		"try":              tryfunc.TryFunc,
		"upper":            stdlib.UpperFunc,
		"urldecode":        urlDecodeFunc,
		"urlencode":        urlEncodeFunc,
		"uuid":             uuidFunc,
		"uuidv5":           uuidV5Func,
		"values":           stdlib.ValuesFunc,
		"yamldecode":       ctyyaml.YAMLDecodeFunc,
		"yamlencode":       ctyyaml.YAMLEncodeFunc,
		"zipmap":           stdlib.ZipmapFunc,
	}

	if s.Planning {
		for _, name := range impureFunctions {
			fns[name] = unknownStringFunc
		}
	}

	// The template functions see the finished table (including the
	// namespaced aliases added below) through this closure, which is only
	// invoked at call time, after the map is complete.
	table := func() map[string]function.Function { return fns }
	fns["templatefile"] = makeTemplateFileFunc(baseDir, table, 0)
	fns["templatestring"] = makeTemplateStringFunc(baseDir, table, 0)

	names := make([]string, 0, len(fns))
	for name := range fns {
		names = append(names, name)
	}
	for _, name := range names {
		fns[CoreNamespace+name] = fns[name]
	}
	return fns
}

// unknownStringFunc stands in for an impure function while planning.
var unknownStringFunc = function.New(&function.Spec{
	Type: function.StaticReturnType(cty.String),
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		return cty.UnknownVal(cty.String), nil
	},
})

func refineNotNull(b *cty.RefinementBuilder) *cty.RefinementBuilder {
	return b.NotNull()
}
