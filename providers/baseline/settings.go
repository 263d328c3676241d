package baseline

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// settings are a baseline block's arguments, checked.
type settings struct {
	profile string
	// qualification is the target cloud's ACN qualification ("QC1" ...
	// "QC4", or "PSN" for a cloud of the Polo Strategico Nazionale); ""
	// when not given, and NV-CLS-002 is not checked.
	qualification string
	// regions are the target cloud's regions; nil when not given, and
	// NV-CLS-003 is not checked.
	regions []string
	// encryptedTypes are the volume types that encrypt at rest.
	encryptedTypes map[string]bool
	// adminNets are the networks administrators work from.
	adminNets []netip.Prefix
}

// Classifications of Strategia Cloud Italia, lowest first.
var classRank = map[string]int{
	plugins.ProfileOrdinario:  1,
	plugins.ProfileCritico:    2,
	plugins.ProfileStrategico: 3,
}

// qualificationRank orders the ACN qualification levels of cloud services;
// a PSN cloud meets every level.
var qualificationRank = map[string]int{"QC1": 1, "QC2": 2, "QC3": 3, "QC4": 4, "PSN": 5}

// requiredQualification is the least qualification a cloud needs for data
// of each classification: QC1 for ordinario, QC2 for critico, QC4 (or a
// PSN cloud) for strategico.
var requiredQualification = map[string]string{
	plugins.ProfileOrdinario:  "QC1",
	plugins.ProfileCritico:    "QC2",
	plugins.ProfileStrategico: "QC4",
}

// qualifies reports whether a cloud of qualification q may hold data of
// classification class.
func qualifies(q, class string) bool {
	return qualificationRank[q] >= qualificationRank[requiredQualification[class]]
}

// settingNames are the arguments a baseline block takes besides scope,
// which the engine keeps to itself.
var settingNames = map[string]bool{
	"profile": true, "target_cloud": true, "encrypted_volume_types": true, "admin_cidrs": true, "scope": true,
}

// parseSettings checks the baseline block's arguments. Diagnostics point at
// the argument (a path into v); with errors, nothing is checked.
func parseSettings(v cty.Value) (*settings, plugins.Diagnostics) {
	var diags plugins.Diagnostics
	v = unmarked(v)
	if !v.IsKnown() {
		return nil, diags.Errorf(nil, "Baseline settings not known", "The baseline's arguments must be known when the plan is made; they may not refer to resources still to be created.")
	}
	if !isObject(v) {
		return nil, diags.Errorf(nil, "Invalid baseline settings", "The baseline's arguments must be an object with profile, target_cloud, encrypted_volume_types and admin_cidrs, not %s.", typeName(v))
	}
	s := &settings{encryptedTypes: map[string]bool{}}

	if v.Type().IsObjectType() {
		var unknown []string
		for name := range v.Type().AttributeTypes() {
			if !settingNames[name] {
				unknown = append(unknown, name)
			}
		}
		sort.Strings(unknown)
		for _, name := range unknown {
			diags = warn(diags, cty.GetAttrPath(name), "Unsupported baseline argument",
				fmt.Sprintf("The baseline provider ignores %q; it takes profile, target_cloud, encrypted_volume_types and admin_cidrs.", name))
		}
	}

	profile := cty.GetAttrPath("profile")
	switch p, ok := str(attr(v, "profile")); {
	case isNull(attr(v, "profile")):
		diags = diags.Errorf(profile, "Missing baseline profile", "A baseline needs a profile: ordinario, critico or strategico.")
	case !attr(v, "profile").IsKnown():
		diags = diags.Errorf(profile, "Baseline profile not known", "The profile must be known when the plan is made.")
	case !ok || classRank[p] == 0:
		diags = diags.Errorf(profile, "Invalid baseline profile", "The profile must be ordinario, critico or strategico, not %s.", describe(attr(v, "profile")))
	default:
		s.profile = p
	}

	diags = append(diags, s.parseTargetCloud(attr(v, "target_cloud"))...)

	types, d := stringList(attr(v, "encrypted_volume_types"), cty.GetAttrPath("encrypted_volume_types"))
	diags = append(diags, d...)
	for _, t := range types {
		s.encryptedTypes[t] = true
	}

	cidrs, d := stringList(attr(v, "admin_cidrs"), cty.GetAttrPath("admin_cidrs"))
	diags = append(diags, d...)
	for i, c := range cidrs {
		pfx, err := parsePrefix(c)
		if err != nil {
			diags = diags.Errorf(cty.GetAttrPath("admin_cidrs").IndexInt(i), "Invalid admin CIDR", "%q is not a CIDR block such as \"10.20.0.0/16\": %s.", c, err)
			continue
		}
		s.adminNets = append(s.adminNets, pfx)
	}

	if diags.HasErrors() {
		return nil, diags
	}
	return s, diags
}

func (s *settings) parseTargetCloud(tc cty.Value) plugins.Diagnostics {
	var diags plugins.Diagnostics
	base := cty.GetAttrPath("target_cloud")
	switch {
	case isNull(tc):
		return warn(diags, base, "No target cloud",
			"Without target_cloud (qualification and regions) the baseline does not check NV-CLS-002 and NV-CLS-003.")
	case !tc.IsKnown():
		return diags.Errorf(base, "Target cloud not known", "target_cloud must be known when the plan is made.")
	case !isObject(tc):
		return diags.Errorf(base, "Invalid target cloud", "target_cloud must be an object such as { qualification = \"QC2\", regions = [\"it-fi-1\"] }, not %s.", typeName(tc))
	}
	for name := range tc.Type().AttributeTypes() {
		if name != "qualification" && name != "regions" {
			diags = warn(diags, appendPath(base, cty.GetAttrStep{Name: name}), "Unsupported target cloud argument",
				fmt.Sprintf("The baseline provider ignores target_cloud.%s; it takes qualification and regions.", name))
		}
	}

	qPath := appendPath(base, cty.GetAttrStep{Name: "qualification"})
	q := attr(tc, "qualification")
	switch qs, ok := str(q); {
	case isNull(q):
		diags = warn(diags, qPath, "No target cloud qualification",
			"Without target_cloud.qualification the baseline does not check NV-CLS-002.")
	case !q.IsKnown():
		diags = diags.Errorf(qPath, "Qualification not known", "target_cloud.qualification must be known when the plan is made.")
	case !ok || qualificationRank[strings.ToUpper(strings.TrimSpace(qs))] == 0:
		diags = diags.Errorf(qPath, "Invalid qualification", "target_cloud.qualification must be an ACN qualification level, QC1, QC2, QC3 or QC4, or PSN for a cloud of the Polo Strategico Nazionale, not %s.", describe(q))
	default:
		s.qualification = strings.ToUpper(strings.TrimSpace(qs))
	}

	rPath := appendPath(base, cty.GetAttrStep{Name: "regions"})
	r := attr(tc, "regions")
	if isNull(r) {
		return warn(diags, rPath, "No target cloud regions",
			"Without target_cloud.regions the baseline does not check NV-CLS-003.")
	}
	regions, d := stringList(r, rPath)
	diags = append(diags, d...)
	if !d.HasErrors() && len(regions) == 0 {
		diags = diags.Errorf(rPath, "No target cloud regions", "target_cloud.regions must name at least one region.")
	}
	s.regions = regions
	return diags
}

// stringList reads a list, set or tuple of strings; null is empty.
func stringList(v cty.Value, path cty.Path) ([]string, plugins.Diagnostics) {
	var diags plugins.Diagnostics
	switch {
	case isNull(v):
		return nil, nil
	case !v.IsKnown():
		return nil, diags.Errorf(path, "Value not known", "%s must be known when the plan is made.", pathString(path))
	case !isCollection(v):
		return nil, diags.Errorf(path, "Invalid value", "%s must be a list of strings, not %s.", pathString(path), typeName(v))
	}
	var out []string
	for i, e := range elements(v) {
		s, ok := str(e)
		switch {
		case !e.IsKnown():
			diags = diags.Errorf(appendPath(path, cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), "Value not known", "%s must be known when the plan is made.", pathString(path))
		case !ok || strings.TrimSpace(s) == "":
			diags = diags.Errorf(appendPath(path, cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), "Invalid value", "%s must be a list of non-empty strings; element %d is %s.", pathString(path), i, describe(e))
		default:
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out, diags
}

// parsePrefix reads a CIDR block, or a single address as a /32 or /128.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// within reports whether every address of p lies in one of nets.
func within(p netip.Prefix, nets []netip.Prefix) bool {
	for _, n := range nets {
		if n.Addr().Is4() == p.Addr().Is4() && n.Bits() <= p.Bits() && n.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// typeName names v's type for a message.
func typeName(v cty.Value) string {
	if v == cty.NilVal {
		return "nothing"
	}
	return v.Type().FriendlyName()
}

// describe shows a setting's value in a message.
func describe(v cty.Value) string {
	if s, ok := str(v); ok {
		return fmt.Sprintf("%q", s)
	}
	if v.IsKnown() && v.IsNull() {
		return "null"
	}
	return "a " + typeName(v)
}

// pathString spells a settings path as written in the block.
func pathString(p cty.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			if i, ok := integer(s.Key); ok {
				fmt.Fprintf(&b, "[%d]", i)
			}
		}
	}
	return b.String()
}

// warn appends a warning diagnostic.
func warn(diags plugins.Diagnostics, path cty.Path, summary, detail string) plugins.Diagnostics {
	return append(diags, plugins.Diagnostic{Severity: plugins.Warning, Summary: summary, Detail: detail, Attribute: path})
}
