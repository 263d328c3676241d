package osfw

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// MarkKind says where a resource type keeps its ownership mark: the
// resource address and state lineage of the instance that created it,
// written in the create request itself, so an object exists with its mark
// or not at all.
//
// Where the marks are: the description for Neutron's networks, subnets,
// routers, ports, floating IPs, security groups and rules, Cinder's
// volumes, snapshots, backups and volume types, Keystone's projects,
// groups, users and application credentials, and Nova's flavors; the
// metadata for Nova's servers and Swift's containers; the properties for
// Glance's images (MarkMap).
//
// The types without one need none, or have nowhere to put it:
//   - Quota sets (compute, block storage, networking), role assignments,
//     group memberships, floating IP associations, Swift objects: the
//     create is a PUT of a relation or of a named thing, the same again if
//     sent twice.
//   - Router interfaces and volume attachments: relations known by their
//     two ends; the one found there after a lost answer is the one made.
//   - Key pairs: the name is unique per user and the key pair has nothing
//     else to write on; the one of that name is adopted when its public
//     key is the configured one, and a generated one cannot be (its
//     private key was only in the answer).
//   - Roles: the name is unique (the schema has no description); a lost
//     answer is adopted by name.
//   - Server groups: Nova keeps only a name, a policy and rules; the one
//     group of that name is adopted after a lost answer.
//   - Temporary URLs: signed locally; nothing is created in the cloud but,
//     once, the account's key.
type MarkKind int

const (
	// NoMark: the type needs no mark or has nowhere to keep one (see
	// MarkKind).
	NoMark MarkKind = iota
	// MarkDescription: appended to the "description" attribute, as
	// " [nuvola-owner:LINEAGE:HASH]", and taken off again on every read.
	MarkDescription
	// MarkMetadata: metadata keys nuvola-owner (LINEAGE:HASH) and
	// nuvola-address (the address itself), kept out of metadata and
	// all_metadata on every read.
	MarkMetadata
)

// Metadata keys of MarkMetadata.
const (
	MarkOwnerKey   = "nuvola-owner"
	MarkAddressKey = "nuvola-address"
)

// Marked is one object of a type as its list shows it, with what holds its
// mark: the description (MarkDescription) or the metadata (MarkMetadata).
type Marked struct {
	ID, Name    string
	Description string
	Metadata    map[string]string
}

// ownerMark is "LINEAGE:HASH": the lineage and the first 16 hex digits of
// the address's SHA-256, short enough for any field.
func ownerMark(o *plugins.Owner) string {
	return o.Lineage + ":" + addressHash(o.Address)
}

func addressHash(addr string) string { return plugins.OwnerAddressHash(addr) }

var descMark = regexp.MustCompile(`\s?\[nuvola-owner:([0-9A-Za-z._-]+:[0-9a-f]{16})\]$`)

// maxDescription is the longest description Neutron, Cinder and Keystone
// all take.
const maxDescription = 255

// withDescriptionMark is desc with the mark appended; desc alone when the
// two would not fit.
func withDescriptionMark(desc, mark string) string {
	m := "[nuvola-owner:" + mark + "]"
	if desc != "" {
		m = " " + m
	}
	if len(desc)+len(m) > maxDescription {
		return desc
	}
	return desc + m
}

// SplitDescriptionMark separates a description as the API returns it into
// the description the user wrote and the mark ("" when none).
func SplitDescriptionMark(desc string) (string, string) {
	m := descMark.FindStringSubmatchIndex(desc)
	if m == nil {
		return desc, ""
	}
	return desc[:m[0]], desc[m[2]:m[3]]
}

// markOf is the mark an object carries, "" when none.
func (r *Resource) markOf(m Marked) string {
	switch r.Mark {
	case MarkDescription:
		_, mark := SplitDescriptionMark(m.Description)
		return mark
	case MarkMetadata:
		for k, v := range m.Metadata {
			if strings.EqualFold(k, MarkOwnerKey) {
				return v
			}
		}
	}
	return ""
}

// addMark writes the owner's mark into d before its create request is
// built. Values the plan fixed are restored by the read-back.
func (r *Resource) addMark(d *Data, o *plugins.Owner) {
	if o == nil || o.Lineage == "" || o.Address == "" {
		return
	}
	mark := ownerMark(o)
	switch r.Mark {
	case MarkDescription:
		d.Set("description", withDescriptionMark(d.String("description"), mark))
	case MarkMetadata:
		name := r.markMap()
		md := d.StringMap(name)
		if name == "metadata" && r.Tags == MetadataTags {
			// The create sends all_metadata: the default tags too.
			name, md = "all_metadata", d.AllMetadata()
		}
		out := make(map[string]string, len(md)+2)
		for k, v := range md {
			out[k] = v
		}
		out[MarkOwnerKey] = mark
		if len(o.Address) <= 255 {
			out[MarkAddressKey] = o.Address
		}
		d.attrs[name] = cty.MapVal(stringValues(out))
	}
}

// markMap is the map attribute MarkMetadata keeps its keys in.
func (r *Resource) markMap() string {
	if r.MarkMap != "" {
		return r.MarkMap
	}
	return "metadata"
}

// keepMark carries the object's mark over into an update that rewrites
// the description (APIs replace it whole): the description d plans is the
// user's, without the mark, which would otherwise be lost with the first
// change. prior is the object as the state has it, for the read. Metadata
// marks need nothing: updates there add and remove single keys.
func (r *Resource) keepMark(ctx context.Context, c *Client, d *Data, prior cty.Value) error {
	if r.Mark != MarkDescription || !d.HasChange("description") || d.ID() == "" {
		return nil
	}
	cur := NewData(r.Block, prior)
	cur.SetID(d.ID())
	if err := r.Read(ctx, c, cur); err != nil {
		return err
	}
	if cur.Gone() {
		return nil // the update meets the 404
	}
	if _, mark := SplitDescriptionMark(cur.String("description")); mark != "" {
		d.Set("description", withDescriptionMark(d.String("description"), mark))
	}
	return nil
}

func stringValues(m map[string]string) map[string]cty.Value {
	out := make(map[string]cty.Value, len(m))
	for k, v := range m {
		out[k] = cty.StringVal(v)
	}
	return out
}

// stripMark takes the mark out of what a read set.
func (r *Resource) stripMark(d *Data) {
	switch r.Mark {
	case MarkDescription:
		v := d.Get("description")
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
			return
		}
		desc, mark := SplitDescriptionMark(v.AsString())
		if mark != "" {
			d.Set("description", desc)
		}
	case MarkMetadata:
		names := []string{r.markMap()}
		if r.Tags == MetadataTags {
			names = append(names, "all_metadata")
		}
		for _, name := range names {
			stripMarkKeys(d, name)
		}
	}
}

// stripMarkKeys takes MarkMetadata's keys out of the map attribute name.
func stripMarkKeys(d *Data, name string) {
	v := d.Get(name)
	if v == cty.NilVal || v.IsNull() || !v.IsWhollyKnown() || !v.Type().IsMapType() {
		return
	}
	md := StringMapOf(v)
	changed := false
	for k := range md {
		if isMarkKey(k) {
			delete(md, k)
			changed = true
		}
	}
	if changed {
		d.Set(name, md)
	}
}

func isMarkKey(k string) bool {
	return strings.EqualFold(k, MarkOwnerKey) || strings.EqualFold(k, MarkAddressKey)
}

// findMarked looks for the object the owner's create made, by its mark.
func (r *Resource) findMarked(ctx context.Context, c *Client, o *plugins.Owner) (string, bool, error) {
	if r.ListMarked == nil || o == nil {
		return "", false, nil
	}
	objs, err := r.ListMarked(ctx, c)
	if err != nil {
		return "", false, err
	}
	want := ownerMark(o)
	for _, m := range objs {
		if r.markOf(m) == want {
			return m.ID, true, nil
		}
	}
	return "", false, nil
}

// defaultOwnedSearchPauses are the pauses between the searches
// FindOwnedResource makes before it concludes that an interrupted create
// made nothing. The create of a run that was killed may still be on its
// way through the cloud's API when the next run looks (Neutron takes
// seconds for a subnet under load); found too late, its object would make
// that run's own create fail as a duplicate. About ten seconds in all, and
// only for creates that were interrupted.
var defaultOwnedSearchPauses = []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second}

// SetOwnedSearchPauses replaces the pauses between FindOwnedResource's
// searches (tests against a fake cloud, where nothing is ever on its way,
// shorten them).
func (p *Provider) SetOwnedSearchPauses(pauses []time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ownedSearchPauses = pauses
}

// FindOwnedResource looks for the object an interrupted create of the
// owner made, and reads it.
func (p *Provider) FindOwnedResource(ctx context.Context, req plugins.FindOwnedResourceRequest) plugins.FindOwnedResourceResponse {
	var resp plugins.FindOwnedResourceResponse
	r, ok := p.resources[req.TypeName]
	if !ok {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	if r.ListMarked == nil || r.Remake != nil {
		return resp
	}
	c := p.clientOr(&resp.Diagnostics)
	if c == nil {
		return resp
	}
	owner := req.Owner
	id, found, err := r.findMarked(ctx, c, &owner)
	p.mu.RLock()
	pauses := p.ownedSearchPauses
	p.mu.RUnlock()
	for i := 0; err == nil && !found && i < len(pauses); i++ {
		// The create may still be on its way through the cloud's API:
		// look again after a pause, without holding a -parallelism slot.
		plugins.Idle(ctx, func() { err = sleepCtx(ctx, pauses[i]) })
		if err == nil {
			id, found, err = r.findMarked(ctx, c, &owner)
		}
	}
	if err != nil {
		resp.Diagnostics = Diagnose(err, Problem{Action: "looking for " + r.Type + " objects by their ownership mark", Project: c.ProjectID})
		return resp
	}
	if !found {
		return resp
	}
	d := NewData(r.Block, cty.NullVal(r.Block.ImpliedType()))
	d.SetID(id)
	if err := r.Read(ctx, c, d); err != nil || d.Gone() {
		if err == nil || IsNotFound(err) {
			return resp // deleted meanwhile
		}
		resp.Diagnostics = Diagnose(err, Problem{Action: fmt.Sprintf("reading %s %s", r.Type, id), Project: c.ProjectID})
		return resp
	}
	none := NewData(r.Block, cty.NullVal(r.Block.ImpliedType()))
	splitTags(r, d, none, c.DefaultTags)
	keepNullForEmpty(r.Block, d, none)
	fillUnknown(d)
	resp.Found, resp.State = true, d.Value()
	return resp
}

// ListOwnedResources lists the marked objects of a lineage.
func (p *Provider) ListOwnedResources(ctx context.Context, req plugins.ListOwnedResourcesRequest) plugins.ListOwnedResourcesResponse {
	var resp plugins.ListOwnedResourcesResponse
	c := p.clientOr(&resp.Diagnostics)
	if c == nil {
		return resp
	}
	types := req.TypeNames
	if len(types) == 0 {
		types = SortedKeys(p.resources)
	}
	for _, typ := range types {
		r, ok := p.resources[typ]
		if !ok || r.ListMarked == nil {
			continue
		}
		objs, err := r.ListMarked(ctx, c)
		if err != nil {
			resp.Diagnostics = append(resp.Diagnostics, Diagnose(err, Problem{Action: "listing " + typ + " objects", Project: c.ProjectID})...)
			continue
		}
		for _, m := range objs {
			mark := r.markOf(m)
			lineage, hash, ok := strings.Cut(mark, ":")
			if !ok || lineage != req.Lineage {
				continue
			}
			addr := "#" + hash
			for k, v := range m.Metadata {
				if strings.EqualFold(k, MarkAddressKey) && addressHash(v) == hash {
					addr = v
				}
			}
			resp.Objects = append(resp.Objects, plugins.OwnedObject{TypeName: typ, ID: m.ID, Address: addr, Name: m.Name})
		}
	}
	return resp
}
