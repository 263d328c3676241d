package osfw

import (
	"context"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// TagKind says how a resource type carries tags, so that the provider's
// default_tags reach it.
type TagKind int

const (
	// NoTags: the type has neither tags nor metadata.
	NoTags TagKind = iota
	// StringTags: a set of strings "tags" (Neutron, Nova); a default tag
	// k = v becomes the string "k=v". The computed "all_tags" holds the
	// tags as applied.
	StringTags
	// MetadataTags: a map "metadata" (Cinder, Nova, Swift); default tags
	// are merged under it. The computed "all_metadata" holds the map as
	// applied.
	MetadataTags
)

// Timeouts are a resource type's default waiting times, overridable by a
// timeouts { create = "30m" ... } block.
type Timeouts struct {
	Create, Update, Delete time.Duration
}

// Resource declares a managed resource type.
type Resource struct {
	Type        string
	Description string
	// Version is the schema version stored with each object.
	Version int64
	// Block is the schema. An "id" attribute is added when missing, the
	// timeouts block when Timeouts is set, and all_tags or all_metadata
	// as Tags says.
	Block *plugins.Block
	// Timeouts, when set, adds the timeouts block.
	Timeouts *Timeouts
	Tags     TagKind

	// Create makes the object from d (the planned object, unknowns still
	// unknown) and sets at least the id; the framework then reads it
	// back unless SkipReadAfterWrite.
	Create func(ctx context.Context, c *Client, d *Data) error
	// Read sets d from the remote object, or calls d.MarkGone when it no
	// longer exists (a 404 returned as the error does the same).
	Read func(ctx context.Context, c *Client, d *Data) error
	// Update changes the object in place from d (the planned object;
	// d.Old and d.HasChange tell what changed). Nil when every argument
	// forces replacement.
	Update func(ctx context.Context, c *Client, d *Data) error
	// Delete deletes the object; a 404 means it is already gone.
	Delete func(ctx context.Context, c *Client, d *Data) error
	// ReadMany reads many objects at once (one list request where the
	// API has one), calling MarkGone on those that no longer exist. Nil
	// means Read for each, concurrently.
	ReadMany func(ctx context.Context, c *Client, ds []*Data) error
	// Import prepares d from the import ID (d's id is set to it) before
	// it is read; nil means the ID is the object's id.
	Import func(ctx context.Context, c *Client, d *Data) error
	// Find looks for an object that d's create would have made (by name
	// and tags): after a create whose answer was lost, the object found
	// is adopted instead of making a duplicate; and a create that failed
	// because the object exists names it in the error. It sets d's id and
	// returns true when found.
	Find func(ctx context.Context, c *Client, d *Data) (bool, error)
	// Mark says where the type keeps its ownership mark; ListMarked lists
	// the objects the credentials see (one list request where the API has
	// one) with what holds their marks. With both set, an object whose
	// create answer was lost is found by its mark, and the provider can
	// list the objects of a state that the state does not hold.
	Mark       MarkKind
	ListMarked func(ctx context.Context, c *Client) ([]Marked, error)
	// MarkMap names the map attribute MarkMetadata writes its keys into:
	// "metadata" when empty (Glance keeps an image's own keys in
	// "properties").
	MarkMap string
	// Adopted finishes what Create would have after an object found in
	// place of a create (by its mark, or by Find) is adopted: waiting for
	// it to become ready, say.
	Adopted func(ctx context.Context, c *Client, d *Data) error
	// Remake stands in for adopting an object that an earlier run made
	// and did not record, met by a create (a 409 on a unique name) and
	// known by its mark: for a type whose create answer holds what no read
	// gives back (an application credential's secret), taking the object
	// over as it is would leave the state without it. Remake makes d a
	// usable object, typically by deleting the one found (d's id) and
	// creating it again. FindOwnedResource does not report such objects:
	// the create that follows meets them. An object found within the
	// create that made it (its answer lost) is still adopted: that
	// create's request, with what it chose, is at hand.
	Remake func(ctx context.Context, c *Client, d *Data) error
	// ComputedOnUpdate lists computed attributes that an in-place update
	// makes unknown until applied (updated_at, a revision number).
	ComputedOnUpdate []string
	// Plan adjusts the planned object, for rules the schema cannot say.
	Plan func(ctx context.Context, c *Client, p *PlanData) error
	// Validate checks the configuration.
	Validate func(d *Data) plugins.Diagnostics
	// SkipReadAfterWrite: Create and Update set every attribute
	// themselves.
	SkipReadAfterWrite bool
}

// DataSource declares a data source.
type DataSource struct {
	Type        string
	Description string
	Block       *plugins.Block
	// Read fills d (the configuration) from the cloud.
	Read func(ctx context.Context, c *Client, d *Data) error
}

// PlanData is an object being planned: Planned is the object to be, Prior
// the object as it is (nil for a create), Config the configuration.
type PlanData struct {
	Planned *Data
	Prior   *Data
	Config  *Data
	// RequiresReplace lists attributes whose change forces replacement,
	// beyond those the schema marks force_new.
	RequiresReplace []cty.Path
}

// timeoutsBlock is the timeouts block added to resources with Timeouts.
var timeoutsBlock = &plugins.NestedBlock{
	Nesting: plugins.NestingSingle,
	Block: plugins.Block{
		Description: "How long to wait for the object to be created, updated or deleted, as a duration (\"30m\").",
		Attributes: map[string]*plugins.Attribute{
			"create": {Type: cty.String, Optional: true},
			"update": {Type: cty.String, Optional: true},
			"delete": {Type: cty.String, Optional: true},
		},
	},
}

// finish completes a resource's schema with the attributes the framework
// manages.
func (r *Resource) finish() {
	b := r.Block
	if b.Attributes == nil {
		b.Attributes = map[string]*plugins.Attribute{}
	}
	if b.BlockTypes == nil {
		b.BlockTypes = map[string]*plugins.NestedBlock{}
	}
	if _, ok := b.Attributes["id"]; !ok {
		b.Attributes["id"] = &plugins.Attribute{Type: cty.String, Computed: true, Description: "The object's ID."}
	}
	if r.Timeouts != nil {
		b.BlockTypes["timeouts"] = timeoutsBlock
	}
	switch r.Tags {
	case StringTags:
		if _, ok := b.Attributes["tags"]; !ok {
			b.Attributes["tags"] = &plugins.Attribute{Type: cty.Set(cty.String), Optional: true, Description: "Tags of the object."}
		}
		b.Attributes["all_tags"] = &plugins.Attribute{Type: cty.Set(cty.String), Computed: true,
			Description: "The tags as applied: tags plus the provider's default_tags as \"key=value\"."}
	case MetadataTags:
		if _, ok := b.Attributes["metadata"]; !ok {
			b.Attributes["metadata"] = &plugins.Attribute{Type: cty.Map(cty.String), Optional: true, Description: "Metadata of the object."}
		}
		b.Attributes["all_metadata"] = &plugins.Attribute{Type: cty.Map(cty.String), Computed: true,
			Description: "The metadata as applied: metadata plus the provider's default_tags."}
	}
	if r.Description != "" && b.Description == "" {
		b.Description = r.Description
	}
	// Checked once the framework's attributes are in: MetadataTags
	// brings "metadata".
	switch {
	case r.Mark == MarkDescription && !hasType(b, "description", cty.String):
		panic("osfw: " + r.Type + " keeps its ownership mark in a description it does not have")
	case r.Mark == MarkMetadata && !hasType(b, r.markMap(), cty.Map(cty.String)):
		panic("osfw: " + r.Type + " keeps its ownership mark in a map " + r.markMap() + " it does not have")
	case r.Mark != NoMark && r.ListMarked == nil:
		panic("osfw: " + r.Type + " has an ownership mark but no way to list marked objects")
	case r.Remake != nil && r.Mark == NoMark:
		panic("osfw: " + r.Type + " remakes objects found by a mark it does not have")
	}
}

func hasType(b *plugins.Block, name string, ty cty.Type) bool {
	a := b.Attributes[name]
	return a != nil && a.Type.Equals(ty)
}

// Timeout is how long an operation ("create", "update", "delete") may wait:
// the timeouts block's value, else the resource's default, else 10
// minutes.
func (d *Data) Timeout(op string) time.Duration {
	if t, ok := d.timeouts[op]; ok {
		return t
	}
	return 10 * time.Minute
}

// readTimeouts records the timeouts block of d with the defaults.
func (d *Data) readTimeouts(defaults *Timeouts) {
	if defaults == nil {
		return
	}
	d.timeouts = map[string]time.Duration{"create": defaults.Create, "update": defaults.Update, "delete": defaults.Delete}
	for op, t := range d.timeouts {
		if t == 0 {
			d.timeouts[op] = 10 * time.Minute
		}
	}
	v := d.attrs["timeouts"]
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return
	}
	for _, op := range []string{"create", "update", "delete"} {
		s := v.GetAttr(op)
		if s.IsNull() || !s.IsKnown() {
			continue
		}
		if t, err := time.ParseDuration(s.AsString()); err == nil {
			d.timeouts[op] = t
		}
	}
}

// parseDuration parses a timeouts value.
func parseDuration(s string) (time.Duration, error) { return time.ParseDuration(s) }
