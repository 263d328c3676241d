package baseline

import (
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// checkClassificationTags is NV-CLS-001: every taggable resource says which
// ente it belongs to and how its data is classified.
func checkClassificationTags(c *checker) {
	for _, r := range c.p.resources {
		if !r.planned() {
			continue
		}
		t := r.tagsAfter()
		if !t.taggable {
			continue
		}
		var missing []string
		if v, st := t.get(tagEnte); st == tagMissing || st == tagFound && v.value == "" {
			missing = append(missing, tagEnte)
		}
		v, st := t.get(tagClassification)
		switch {
		case st == tagMissing || st == tagFound && v.value == "":
			missing = append(missing, tagClassification)
		case st == tagFound && classRank[normClass(v.value)] == 0:
			c.report(r, v.path, "The classification %q is not one of ordinario, critico, strategico.", v.value)
		}
		if len(missing) > 0 {
			c.report(r, whole, "The resource has no %s tag; set it on the resource (tags or metadata) or in the provider's default_tags.", strings.Join(missing, " and no "))
		}
	}
}

// checkQualification is NV-CLS-002: the baseline's profile, and every
// resource classified higher than the cloud allows.
func checkQualification(c *checker) {
	q := c.s.qualification
	if q == "" {
		return
	}
	profileOK := qualifies(q, c.s.profile)
	if !profileOK {
		c.report(nil, cty.GetAttrPath("target_cloud").GetAttr("qualification"),
			"The baseline's profile %s needs a cloud qualified %s or higher%s; the target cloud is %s.",
			c.s.profile, requiredQualification[c.s.profile], psnNote(c.s.profile), q)
	}
	for _, r := range c.p.resources {
		if !r.planned() {
			continue
		}
		class, path, ok := r.ownClass()
		if !ok || qualifies(q, class) {
			continue
		}
		if !profileOK && classRank[class] <= classRank[c.s.profile] {
			// Reported once, for the baseline.
			continue
		}
		c.report(r, path, "The resource holds %s data, which needs a cloud qualified %s or higher%s; the target cloud is %s.",
			class, requiredQualification[class], psnNote(class), q)
	}
}

func psnNote(class string) string {
	if class == "strategico" {
		return " (or the Polo Strategico Nazionale)"
	}
	return ""
}

// checkRegion is NV-CLS-003: each resource's region is its own, else its
// provider's.
func checkRegion(c *checker) {
	if c.s.regions == nil {
		return
	}
	allowed := map[string]bool{}
	for _, r := range c.s.regions {
		allowed[r] = true
	}
	for _, r := range c.p.resources {
		if !r.planned() || !hasAttr(r.after, "region") {
			continue
		}
		v := r.arg("region")
		region, ok := str(v)
		path := r.pathTo("region")
		if !ok || strings.TrimSpace(region) == "" {
			if !isNull(v) && !ok {
				continue
			}
			region, ok = str(attr(r.provider, "region"))
			if !ok || strings.TrimSpace(region) == "" {
				continue
			}
			path = whole
		}
		region = strings.TrimSpace(region)
		if !allowed[region] {
			c.report(r, path, "The resource is in region %q, outside the target cloud's regions (%s).", region, strings.Join(c.s.regions, ", "))
		}
	}
}

// storageTypes hold data whose loss the destruction pack guards against.
var storageTypes = []string{
	"openstack_blockstorage_volume_v3",
	"openstack_blockstorage_backup_v3",
	"openstack_blockstorage_snapshot_v3",
	"openstack_objectstorage_container_v1",
}

// checkDestruction is NV-DEST-001: the classification is the one the object
// carries now (its tags in Before).
func checkDestruction(c *checker) {
	for _, typ := range storageTypes {
		for _, r := range c.p.byType[typ] {
			if !r.destroyed() || !isObject(r.before) {
				continue
			}
			v, st := tagsBefore(r.before).get(tagClassification)
			class := normClass(v.value)
			if st != tagFound || classRank[class] < classRank["critico"] {
				continue
			}
			verb := "destroys"
			if r.action != "delete" {
				verb = "replaces"
			}
			c.report(r, whole, "The plan %s this object holding %s data; a recorded waiver must cover it.", verb, class)
		}
	}
}
