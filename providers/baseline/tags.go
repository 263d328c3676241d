package baseline

import (
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// The tag keys every taggable resource carries.
const (
	tagEnte           = "ente"
	tagClassification = "classification"
)

// snapshotPolicyKey is the volume metadata key that says a scheduled
// snapshot or backup policy outside the configuration covers the volume
// (its value names the policy, e.g. "daily-7d"); NV-DATA-002 then asks
// for no backup resource.
const snapshotPolicyKey = "snapshot_policy"

// Where a tag comes from, strongest first: the resource's own tags or
// metadata, the provider's record of what it applies (all_tags,
// all_metadata), the provider's default_tags.
const (
	levelOwn = iota
	levelApplied
	levelDefault
)

type tagValue struct {
	value string
	// path is where the resource's configuration sets the tag; nil when
	// it comes from elsewhere.
	path  cty.Path
	level int
}

// tagSet is what a resource's tags say.
type tagSet struct {
	// taggable: the resource type has tags or metadata.
	taggable bool
	values   map[string][]tagValue
	// unknown: some tags are not known until apply, so a key not found
	// may still come.
	unknown bool
	// unknownKeys have a value not known until apply.
	unknownKeys map[string]bool
	// ownUnknown: the resource's own tags or metadata are not all known,
	// so any key may yet get a value that overrides the others.
	ownUnknown bool
}

// tagState says what a tag set knows of one key.
type tagState int

const (
	tagMissing tagState = iota
	tagFound
	tagUnknown
)

// tagsOf reads the tags of obj, an object of a resource; defaults, when an
// object, is the provider configuration whose default_tags apply to it.
func tagsOf(obj, provider cty.Value) *tagSet {
	t := &tagSet{values: map[string][]tagValue{}, unknownKeys: map[string]bool{}}
	for _, name := range []string{"tags", "all_tags", "metadata", "all_metadata"} {
		if hasAttr(obj, name) {
			t.taggable = true
		}
	}
	if !t.taggable || !isObject(obj) {
		return t
	}
	t.addStrings(attr(obj, "tags"), cty.GetAttrPath("tags"), levelOwn)
	t.addMap(attr(obj, "metadata"), cty.GetAttrPath("metadata"), levelOwn)
	appliedKnown := true
	for _, name := range []string{"all_tags", "all_metadata"} {
		if !hasAttr(obj, name) {
			continue
		}
		v := obj.GetAttr(name)
		if !v.IsWhollyKnown() {
			appliedKnown = false
			continue
		}
		if name == "all_tags" {
			t.addStrings(v, nil, levelApplied)
		} else {
			t.addMap(v, nil, levelApplied)
		}
	}
	// Until the provider has worked out what it applies, its default tags
	// are what it will add to the resource's own.
	defaults := attr(single(attr(provider, "default_tags")), "tags")
	if !appliedKnown && !defaults.IsWhollyKnown() {
		t.unknown = true
	}
	t.addMap(defaults, nil, levelDefault)
	return t
}

// tagsBefore reads the tags of a prior object: the provider's record of
// what it applied, no defaults.
func tagsBefore(obj cty.Value) *tagSet {
	return tagsOf(obj, cty.NilVal)
}

// addStrings adds tags in the openstack list form, "key=value" strings (a
// bare "key" has an empty value).
func (t *tagSet) addStrings(v cty.Value, path cty.Path, level int) {
	if isNull(v) {
		return
	}
	if !v.IsWhollyKnown() {
		t.unknown = true
		t.ownUnknown = t.ownUnknown || level == levelOwn
		if !v.IsKnown() {
			return
		}
	}
	if !isCollection(v) {
		return
	}
	isSet := v.Type().IsSetType()
	for i, e := range elements(v) {
		s, ok := str(e)
		if !ok {
			continue
		}
		k, val, _ := strings.Cut(s, "=")
		var p cty.Path
		if path != nil {
			if isSet {
				p = appendPath(path, cty.IndexStep{Key: cty.StringVal(s)})
			} else {
				p = appendPath(path, cty.IndexStep{Key: cty.NumberIntVal(int64(i))})
			}
		}
		t.add(strings.TrimSpace(k), strings.TrimSpace(val), p, level)
	}
}

// addMap adds tags from a map (or object) of strings.
func (t *tagSet) addMap(v cty.Value, path cty.Path, level int) {
	if isNull(v) {
		return
	}
	if !v.IsKnown() {
		t.unknown = true
		t.ownUnknown = t.ownUnknown || level == levelOwn
		return
	}
	if !isObject(v) {
		return
	}
	for it := v.ElementIterator(); it.Next(); {
		kv, e := it.Element()
		k, ok := str(kv)
		if !ok {
			continue
		}
		if !e.IsKnown() {
			t.unknownKeys[k] = true
			continue
		}
		s, ok := str(e)
		if !ok {
			continue
		}
		var p cty.Path
		if path != nil {
			p = appendPath(path, cty.IndexStep{Key: cty.StringVal(k)})
		}
		t.add(strings.TrimSpace(k), strings.TrimSpace(s), p, level)
	}
}

func (t *tagSet) add(k, v string, path cty.Path, level int) {
	if k == "" {
		return
	}
	t.values[k] = append(t.values[k], tagValue{value: v, path: path, level: level})
}

// get returns a key's value from the strongest source that has it; where
// one source gives several classifications, the highest counts.
func (t *tagSet) get(key string) (tagValue, tagState) {
	vs := t.values[key]
	if len(vs) == 0 {
		if t.unknown || t.unknownKeys[key] {
			return tagValue{}, tagUnknown
		}
		return tagValue{}, tagMissing
	}
	best := vs[0]
	for _, v := range vs[1:] {
		switch {
		case v.level < best.level:
			best = v
		case v.level > best.level:
		case key == tagClassification && classRank[normClass(v.value)] > classRank[normClass(best.value)]:
			best = v
		}
	}
	if best.level > levelOwn && (t.ownUnknown || t.unknownKeys[key]) {
		// The resource's own value, not yet known, may win.
		return tagValue{}, tagUnknown
	}
	return best, tagFound
}

// single is a nested block of nesting single: the object, or the first
// element where the block came as a list.
func single(v cty.Value) cty.Value {
	if isCollection(v) && !v.Type().IsSetType() {
		return elementAt(v, 0)
	}
	return v
}

func normClass(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// tagsAfter are the resource's tags as planned, default tags included.
func (r *resource) tagsAfter() *tagSet {
	if r.tags == nil {
		r.tags = tagsOf(r.after, r.provider)
	}
	return r.tags
}

// ownClass is the classification the resource's tags give, when they give
// a valid one, and where it is set.
func (r *resource) ownClass() (class string, path cty.Path, ok bool) {
	v, st := r.tagsAfter().get(tagClassification)
	if st != tagFound || classRank[normClass(v.value)] == 0 {
		return "", nil, false
	}
	return normClass(v.value), v.path, true
}

// class is the resource's workload classification: its own, else the
// baseline's profile.
func (r *resource) class(profile string) string {
	if c, _, ok := r.ownClass(); ok {
		return c
	}
	return profile
}

// sensitiveData reports whether the resource holds critico or strategico
// data.
func (r *resource) sensitiveData(profile string) bool {
	return classRank[r.class(profile)] >= classRank["critico"]
}
