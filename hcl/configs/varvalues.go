package configs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// VarSource is one -var or -var-file occurrence on the command line; exactly
// one of its fields is set.
type VarSource struct {
	// File is the path given to -var-file.
	File string
	// Raw is the "name=value" text given to -var.
	Raw string
}

type givenValue struct {
	val cty.Value
	rng hcl.Range
	// from describes the source for messages, e.g. "a -var option".
	from string
}

// CollectVariableValues determines the value of each declared root module
// variable. Sources apply in OpenTofu's order, later ones winning: the
// declaration's default, TF_VAR_name environment variables, terraform.tfvars,
// terraform.tfvars.json, *.auto.tfvars and *.auto.tfvars.json in lexical
// order, then each -var and -var-file in command line order.
//
// Values are converted to the declared type with optional() defaults
// applied. Variables with neither a value nor a default produce "No value
// for required variable" errors; they and variables with invalid values are
// left out of the result.
func (p *Parser) CollectVariableValues(dir string, cli []VarSource, environ []string, decls map[string]*Variable) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	given := map[string]givenValue{}

	for _, kv := range environ {
		rest, ok := strings.CutPrefix(kv, "TF_VAR_")
		if !ok {
			continue
		}
		name, raw, ok := strings.Cut(rest, "=")
		if !ok {
			continue
		}
		// Environment variables often serve many configurations at once,
		// so values for undeclared variables are silently ignored.
		decl := decls[name]
		if decl == nil {
			continue
		}
		gv, vDiags := p.parseRawVariableValue(name, raw, decl, "the environment variable TF_VAR_"+name)
		diags = append(diags, vDiags...)
		if !vDiags.HasErrors() {
			given[name] = gv
		}
	}

	searchDir := dir
	if searchDir == "" {
		searchDir = "."
	}
	var files []string
	for _, name := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		path := filepath.Join(dir, name)
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			files = append(files, path)
		}
	}
	if entries, err := os.ReadDir(searchDir); err == nil {
		var auto []string
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || !(strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json")) {
				continue
			}
			auto = append(auto, n)
		}
		sort.Strings(auto)
		for _, n := range auto {
			files = append(files, filepath.Join(dir, n))
		}
	}
	for _, path := range files {
		diags = append(diags, p.loadVarsFile(path, decls, given)...)
	}

	for i, src := range cli {
		switch {
		case src.File != "":
			if info, err := os.Stat(src.File); err != nil || info.IsDir() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Failed to read variables file",
					Detail:   fmt.Sprintf("Given variables file %s does not exist.", src.File),
					Subject:  p.cliRange("-var-file", i, src.File).Ptr(),
				})
				continue
			}
			diags = append(diags, p.loadVarsFile(src.File, decls, given)...)
		default:
			name, raw, ok := strings.Cut(src.Raw, "=")
			if !ok || name == "" {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid -var option",
					Detail:   fmt.Sprintf("The given -var option %q is not correctly specified. Must be a variable name and value separated by an equals sign, like -var=\"key=value\".", src.Raw),
					Subject:  p.cliRange("-var", i, src.Raw).Ptr(),
				})
				continue
			}
			decl := decls[name]
			if decl == nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Value for undeclared variable",
					Detail:   fmt.Sprintf("A variable named %q was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration.", name),
					Subject:  p.cliRange("-var", i, src.Raw).Ptr(),
				})
				continue
			}
			gv, vDiags := p.parseRawVariableValue(name, raw, decl, "a -var command line option")
			diags = append(diags, vDiags...)
			if !vDiags.HasErrors() {
				given[name] = gv
			}
		}
	}

	result := map[string]cty.Value{}
	for _, name := range sortedKeys(decls) {
		decl := decls[name]
		if decl == nil {
			continue
		}
		gv, ok := given[name]
		if !ok {
			if decl.Required() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "No value for required variable",
					Detail:   fmt.Sprintf("The root module input variable %q is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.", name),
					Subject:  decl.DeclRange.Ptr(),
				})
				continue
			}
			result[name] = decl.Default
			continue
		}

		if gv.val.IsNull() {
			switch {
			case decl.Nullable:
				result[name] = cty.NullVal(declType(decl))
			case !decl.Required():
				// A non-nullable variable treats null as "not set".
				result[name] = decl.Default
			default:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Required variable not set",
					Detail:   fmt.Sprintf("Unsuitable value for var.%s set from %s: required variable may not be set to null.", name, gv.from),
					Subject:  gv.rng.Ptr(),
				})
			}
			continue
		}

		constraint := decl.ConstraintType
		if constraint == cty.NilType {
			constraint = cty.DynamicPseudoType
		}
		conv, err := convertWithDefaults(gv.val, constraint, decl.TypeDefaults)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for input variable",
				Detail:   fmt.Sprintf("The value for var.%s set from %s is not suitable for the variable declared at %s: %s.", name, gv.from, decl.DeclRange, err),
				Subject:  gv.rng.Ptr(),
			})
			continue
		}
		result[name] = conv
	}
	return result, diags
}

// cliRange registers a command line argument as a pseudo-file so that
// diagnostics about it carry a subject and can show the offending text.
func (p *Parser) cliRange(option string, index int, text string) hcl.Range {
	filename := fmt.Sprintf("<%s option %d>", option, index+1)
	p.sources[filename] = []byte(text)
	return hcl.Range{
		Filename: filename,
		Start:    hcl.InitialPos,
		End:      hcl.Pos{Line: 1, Column: 1 + len(text), Byte: len(text)},
	}
}

func declType(decl *Variable) cty.Type {
	if decl.Type == cty.NilType {
		return cty.DynamicPseudoType
	}
	return decl.Type
}

// parseRawVariableValue turns text from -var or TF_VAR_ into a value: taken
// literally for primitive or unconstrained types, parsed as an HCL
// expression otherwise. The text is registered as a pseudo-file so
// diagnostics about it can show a snippet.
func (p *Parser) parseRawVariableValue(name, raw string, decl *Variable, from string) (givenValue, hcl.Diagnostics) {
	filename := fmt.Sprintf("<value for var.%s>", name)
	p.sources[filename] = []byte(raw)
	end := hcl.Pos{Line: 1, Column: 1 + len(raw), Byte: len(raw)}
	rng := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: end}

	if decl.ParsingMode != VariableParseHCL {
		return givenValue{val: cty.StringVal(raw), rng: rng, from: from}, nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), filename, hcl.InitialPos)
	if diags.HasErrors() {
		return givenValue{}, diags
	}
	val, valDiags := expr.Value(nil)
	diags = append(diags, valDiags...)
	if diags.HasErrors() {
		return givenValue{}, diags
	}
	return givenValue{val: val, rng: expr.Range(), from: from}, diags
}

// loadVarsFile reads a .tfvars or .tfvars.json file into given.
func (p *Parser) loadVarsFile(path string, decls map[string]*Variable, given map[string]givenValue) hcl.Diagnostics {
	f, diags := p.loadFile(path, nil)
	if f == nil || diags.HasErrors() {
		return diags
	}
	attrs, aDiags := f.Body.JustAttributes()
	diags = append(diags, aDiags...)
	for _, attr := range sortedAttributes(attrs) {
		val, valDiags := attr.Expr.Value(nil)
		diags = append(diags, valDiags...)
		if valDiags.HasErrors() {
			continue
		}
		if decls[attr.Name] == nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The root module does not declare a variable named %q but a value was found in file %q. If you meant to use this value, add a \"variable\" block to the configuration.", attr.Name, path),
				Subject:  attr.NameRange.Ptr(),
			})
			continue
		}
		given[attr.Name] = givenValue{val: val, rng: attr.Expr.Range(), from: fmt.Sprintf("the file %s", path)}
	}
	return diags
}
