package osfw

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/plugins/sdk"
)

// ConfigureFunc makes the Client from the provider's configuration.
type ConfigureFunc func(ctx context.Context, config *Data) (*Client, error)

// Provider serves a set of resource types and data sources as a
// plugins.Provider.
type Provider struct {
	plugins.Base
	block       *plugins.Block
	resources   map[string]*Resource
	dataSources map[string]*DataSource
	configure   ConfigureFunc
	readLimit   int

	mu     sync.RWMutex
	client *Client
	// ownedSearchPauses: see defaultOwnedSearchPauses.
	ownedSearchPauses []time.Duration
}

// NewProvider assembles a provider. Each resource's schema is completed
// (id, timeouts, all_tags/all_metadata) once, here.
func NewProvider(block *plugins.Block, configure ConfigureFunc, resources []*Resource, dataSources []*DataSource) *Provider {
	p := &Provider{block: block, configure: configure, resources: map[string]*Resource{}, dataSources: map[string]*DataSource{}, readLimit: 16,
		ownedSearchPauses: defaultOwnedSearchPauses}
	p.Base.Self = p
	for _, r := range resources {
		r.finish()
		p.resources[r.Type] = r
	}
	for _, ds := range dataSources {
		if ds.Block.Attributes == nil {
			ds.Block.Attributes = map[string]*plugins.Attribute{}
		}
		if _, ok := ds.Block.Attributes["id"]; !ok {
			ds.Block.Attributes["id"] = &plugins.Attribute{Type: cty.String, Optional: true, Computed: true}
		}
		if ds.Description != "" && ds.Block.Description == "" {
			ds.Block.Description = ds.Description
		}
		p.dataSources[ds.Type] = ds
	}
	return p
}

// SetClient configures the provider with a ready client (tests).
func (p *Provider) SetClient(c *Client) {
	p.mu.Lock()
	p.client = c
	p.mu.Unlock()
}

// Client is the configured client, nil before ConfigureProvider.
func (p *Provider) Client() *Client {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.client
}

// GetSchema describes the provider, its resource types and data sources.
func (p *Provider) GetSchema(context.Context, plugins.GetSchemaRequest) plugins.GetSchemaResponse {
	resp := plugins.GetSchemaResponse{
		Provider:      plugins.Schema{Block: p.block},
		ResourceTypes: make(map[string]plugins.Schema, len(p.resources)),
		DataSources:   make(map[string]plugins.Schema, len(p.dataSources)),
	}
	for name, r := range p.resources {
		resp.ResourceTypes[name] = plugins.Schema{Version: r.Version, Block: r.Block}
	}
	for name, ds := range p.dataSources {
		resp.DataSources[name] = plugins.Schema{Block: ds.Block}
	}
	return resp
}

// ConfigureProvider authenticates against the cloud.
func (p *Provider) ConfigureProvider(ctx context.Context, req plugins.ConfigureProviderRequest) plugins.ConfigureProviderResponse {
	var resp plugins.ConfigureProviderResponse
	c, err := p.configure(ctx, NewData(p.block, req.Config))
	if err != nil {
		var ae *attrError
		if errors.As(err, &ae) {
			resp.Diagnostics = resp.Diagnostics.Errorf(ae.path, "Invalid provider configuration", "%s", ae.msg)
		} else {
			resp.Diagnostics = Diagnose(err, Problem{Action: "authenticating to the cloud"})
		}
		return resp
	}
	p.SetClient(c)
	return resp
}

func (p *Provider) clientOr(diags *plugins.Diagnostics) *Client {
	c := p.Client()
	if c == nil {
		*diags = diags.Errorf(nil, "Provider not configured", "The openstack provider was used before it was configured.")
	}
	return c
}

// ValidateResourceConfig runs the resource type's checks and parses the
// timeouts block.
func (p *Provider) ValidateResourceConfig(_ context.Context, req plugins.ValidateResourceConfigRequest) plugins.ValidateResourceConfigResponse {
	var resp plugins.ValidateResourceConfigResponse
	r, ok := p.resources[req.TypeName]
	if !ok {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	d := NewData(r.Block, req.Config)
	resp.Diagnostics = append(resp.Diagnostics, validateTimeouts(d)...)
	if r.Validate != nil {
		resp.Diagnostics = append(resp.Diagnostics, r.Validate(d)...)
	}
	return resp
}

func validateTimeouts(d *Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	v := d.Get("timeouts")
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return nil
	}
	for _, op := range []string{"create", "update", "delete"} {
		s := v.GetAttr(op)
		if s.IsNull() || !s.IsKnown() {
			continue
		}
		if _, err := parseDuration(s.AsString()); err != nil {
			diags = diags.Errorf(cty.GetAttrPath("timeouts").GetAttr(op), "Invalid duration", "%q is not a duration such as \"30s\", \"10m\" or \"1h\".", s.AsString())
		}
	}
	return diags
}

// PlanResourceChange plans generically: defaults, unknown computed values
// for a create, force_new attributes (every argument when the type cannot
// update) as replacements, ComputedOnUpdate made unknown by an update,
// all_tags/all_metadata from the provider's default_tags, then the type's
// own Plan.
func (p *Provider) PlanResourceChange(ctx context.Context, req plugins.PlanResourceChangeRequest) plugins.PlanResourceChangeResponse {
	var resp plugins.PlanResourceChangeResponse
	r, ok := p.resources[req.TypeName]
	if !ok {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	if req.ProposedNewState.IsNull() {
		resp.PlannedState = req.ProposedNewState
		return resp
	}
	proposed := sdk.ApplyDefaults(r.Block, req.ProposedNewState)
	create := req.PriorState.IsNull()
	if create {
		proposed = sdk.SetComputedUnknown(r.Block, proposed)
	}
	planned := NewData(r.Block, proposed)
	pd := &PlanData{Planned: planned, Config: NewData(r.Block, req.Config)}
	if !create {
		prior := NewData(r.Block, req.PriorState)
		pd.Prior = prior
		planned.withOld(req.PriorState)
		changed := changedArguments(r, planned, prior)
		if len(changed) > 0 {
			if r.Update == nil {
				for _, name := range changed {
					pd.RequiresReplace = append(pd.RequiresReplace, cty.GetAttrPath(name))
				}
			} else {
				for _, name := range r.ComputedOnUpdate {
					if v := planned.Get(name); v != cty.NilVal {
						planned.attrs[name] = cty.UnknownVal(v.Type())
					}
				}
			}
		}
	}
	p.planTags(r, planned)
	if r.Plan != nil {
		var c *Client
		if c = p.Client(); c == nil {
			c = &Client{}
		}
		if err := r.Plan(ctx, c, pd); err != nil {
			resp.Diagnostics = Diagnose(err, Problem{Action: "planning " + r.Type})
			return resp
		}
	}
	resp.PlannedState = planned.Value()
	if !create {
		resp.RequiresReplace = append(r.Block.ForceNewPaths(req.PriorState, resp.PlannedState), pd.RequiresReplace...)
	}
	return resp
}

// changedArguments lists the configurable attributes and blocks an update
// changes, the timeouts block aside.
func changedArguments(r *Resource, planned, prior *Data) []string {
	var out []string
	for name, a := range r.Block.Attributes {
		// all_tags and all_metadata are computed, but follow the
		// provider's default_tags: a change there is a change to make.
		settable := a.Required || a.Optional || name == "all_tags" || name == "all_metadata"
		if settable && !planned.Get(name).RawEquals(prior.Get(name)) {
			out = append(out, name)
		}
	}
	for name := range r.Block.BlockTypes {
		if name != "timeouts" && !planned.Get(name).RawEquals(prior.Get(name)) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// planTags computes all_tags or all_metadata: the object's own plus the
// provider's default tags (its own win).
func (p *Provider) planTags(r *Resource, d *Data) {
	var defaults map[string]string
	if c := p.Client(); c != nil {
		defaults = c.DefaultTags
	}
	switch r.Tags {
	case StringTags:
		tags := d.Get("tags")
		if !tags.IsWhollyKnown() {
			d.attrs["all_tags"] = cty.UnknownVal(cty.Set(cty.String))
			return
		}
		d.Set("all_tags", MergeStringTags(StringsOf(tags), defaults))
	case MetadataTags:
		md := d.Get("metadata")
		if !md.IsWhollyKnown() {
			d.attrs["all_metadata"] = cty.UnknownVal(cty.Map(cty.String))
			return
		}
		d.Set("all_metadata", MergeMetadata(StringMapOf(md), defaults))
	}
}

// MergeStringTags is tags plus "k=v" for each default tag, sorted and
// without duplicates.
func MergeStringTags(tags []string, defaults map[string]string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, k := range SortedKeys(defaults) {
		t := k + "=" + defaults[k]
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// MergeMetadata is metadata over the default tags.
func MergeMetadata(md map[string]string, defaults map[string]string) map[string]string {
	out := make(map[string]string, len(md)+len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range md {
		out[k] = v
	}
	return out
}

// AllTags are the tags to apply to the object: all_tags as planned.
func (d *Data) AllTags() []string {
	if v := d.attrs["all_tags"]; v != cty.NilVal && v.IsWhollyKnown() && !v.IsNull() {
		return StringsOf(v)
	}
	return d.StringList("tags")
}

// AllMetadata is the metadata to apply to the object: all_metadata as
// planned.
func (d *Data) AllMetadata() map[string]string {
	if v := d.attrs["all_metadata"]; v != cty.NilVal && v.IsWhollyKnown() && !v.IsNull() {
		return StringMapOf(v)
	}
	return d.StringMap("metadata")
}

// splitTags sets tags/all_tags (or metadata/all_metadata) after a read:
// all_* is what the cloud has; the object's own are those less the
// default tags it did not itself set before.
func splitTags(r *Resource, d *Data, prior *Data, defaults map[string]string) {
	r.stripMark(d)
	switch r.Tags {
	case StringTags:
		remote := d.StringList("tags")
		if d.Get("tags").IsNull() && prior.Get("tags").IsNull() && len(remote) == 0 {
			d.Set("all_tags", MergeStringTags(nil, nil))
			return
		}
		own := map[string]bool{}
		for _, t := range prior.StringList("tags") {
			own[t] = true
		}
		def := map[string]bool{}
		for k, v := range defaults {
			def[k+"="+v] = true
		}
		var mine []string
		for _, t := range remote {
			if own[t] || !def[t] {
				mine = append(mine, t)
			}
		}
		d.Set("all_tags", MergeStringTags(remote, nil))
		if len(mine) == 0 && prior.Get("tags").IsNull() {
			d.Set("tags", nil)
		} else {
			d.Set("tags", MergeStringTags(mine, nil))
		}
	case MetadataTags:
		remote := d.StringMap("metadata")
		ownMD := prior.StringMap("metadata")
		mine := map[string]string{}
		for k, v := range remote {
			if _, own := ownMD[k]; own {
				mine[k] = v
				continue
			}
			if dv, isDefault := defaults[k]; isDefault && dv == v {
				continue
			}
			mine[k] = v
		}
		if remote == nil {
			remote = map[string]string{}
		}
		d.Set("all_metadata", remote)
		if len(mine) == 0 && prior.Get("metadata").IsNull() {
			d.Set("metadata", nil)
		} else {
			d.Set("metadata", mine)
		}
	}
}

// ApplyResourceChange creates, updates or deletes, then reads the object
// back. A create whose answer was lost is not repeated blindly: the
// object is looked for first and adopted when found.
func (p *Provider) ApplyResourceChange(ctx context.Context, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	var resp plugins.ApplyResourceChangeResponse
	r, ok := p.resources[req.TypeName]
	if !ok {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	c := p.clientOr(&resp.Diagnostics)
	if c == nil {
		return resp
	}
	switch {
	case req.PlannedState.IsNull():
		d := NewData(r.Block, req.PriorState)
		d.readTimeouts(r.Timeouts)
		if d.ID() == "" {
			resp.NewState = req.PlannedState
			return resp
		}
		err := r.Delete(ctx, c, d)
		if err != nil && !IsNotFound(err) {
			resp.NewState = req.PriorState
			resp.Diagnostics = Diagnose(err, Problem{Action: "deleting " + r.Type + " " + d.ID(), Project: c.ProjectID})
			return resp
		}
		resp.NewState = req.PlannedState
		return resp
	case req.PriorState.IsNull():
		return p.create(ctx, c, r, req)
	default:
		d := NewData(r.Block, req.PlannedState).withOld(req.PriorState)
		d.readTimeouts(r.Timeouts)
		d.config = req.Config
		prior := NewData(r.Block, req.PriorState)
		if changed := changedArguments(r, d, prior); len(changed) > 0 && r.Update != nil {
			err := r.keepMark(ctx, c, d, req.PriorState)
			if err == nil {
				err = r.Update(ctx, c, d)
			}
			if err != nil {
				// The object may be half updated: read what it is now.
				readAsIs(ctx, c, r, d, req.PriorState)
				resp.NewState = d.Value()
				resp.Diagnostics = Diagnose(err, Problem{Action: "updating " + r.Type + " " + d.ID(), Project: c.ProjectID})
				return resp
			}
		}
		resp.Diagnostics = p.readBack(ctx, c, r, d, req.PlannedState)
		resp.NewState = d.Value()
		return resp
	}
}

func (p *Provider) create(ctx context.Context, c *Client, r *Resource, req plugins.ApplyResourceChangeRequest) plugins.ApplyResourceChangeResponse {
	var resp plugins.ApplyResourceChangeResponse
	d := NewData(r.Block, req.PlannedState)
	d.readTimeouts(r.Timeouts)
	d.config = req.Config
	action := "creating " + r.Type
	r.addMark(d, req.Owner)
	err := r.Create(ctx, c, d)
	for attempt := 0; err != nil && d.ID() == "" && (r.Find != nil || r.ListMarked != nil) && uncertainCreate(ctx, err) && attempt < createAttempts; attempt++ {
		// The request may have been carried out: adopt what it made, or
		// try again when nothing was, after a pause that grows. A request
		// that timed out may still be on its way: it gets as long again
		// to arrive before the cloud is searched for what it made.
		if timedOut(err) && c.RequestTimeout > 0 {
			if serr := sleepCtx(ctx, c.RequestTimeout); serr != nil {
				err = errors.Join(err, serr)
				break
			}
		}
		found, ferr := p.findCreated(ctx, c, r, d, req.Owner)
		if ferr != nil {
			err = errors.Join(err, ferr)
			break
		}
		if found {
			err = p.finishAdopted(ctx, c, r, d, req)
			break
		}
		if serr := sleepCtx(ctx, createBackoff(attempt)); serr != nil {
			err = errors.Join(err, serr)
			break
		}
		err = r.Create(ctx, c, d)
	}
	if err != nil && StatusOf(err) == 409 && d.ID() == "" && req.Owner != nil {
		// A name that must be unique is taken: by the object this very
		// instance made before (its answer lost in an earlier run), when
		// it carries the instance's mark. That is an adoption.
		if id, found, ferr := r.findMarked(ctx, c, req.Owner); ferr == nil && found {
			d.SetID(id)
			if r.Remake != nil {
				err = r.Remake(ctx, c, d)
			} else if err = r.adopted(ctx, c, d); err == nil {
				err = p.finishAdopted(ctx, c, r, d, req)
			}
		}
	}
	if err != nil {
		prob := Problem{Action: action, Project: c.ProjectID}
		if StatusOf(err) == 409 && r.Find != nil && d.ID() == "" {
			probe := NewData(r.Block, req.PlannedState)
			if found, ferr := r.Find(ctx, c, probe); ferr == nil && found {
				prob.Existing = probe.ID()
			}
		}
		resp.Diagnostics = Diagnose(err, prob)
		if d.ID() != "" {
			// Made but not finished (a waiter failed): the object
			// exists and is recorded, to be replaced next time.
			p.readBack(ctx, c, r, d, req.PlannedState)
			resp.NewState = d.Value()
		} else {
			resp.NewState = cty.NullVal(req.PlannedState.Type())
		}
		return resp
	}
	resp.Diagnostics = p.readBack(ctx, c, r, d, req.PlannedState)
	resp.NewState = d.Value()
	return resp
}

// finishAdopted brings an object adopted in place of a create up to what
// the create would have made: the create's first request made it, but the
// steps after that one (tags set apart, a security group's rules) may never
// have run. What differs from the plan is updated.
func (p *Provider) finishAdopted(ctx context.Context, c *Client, r *Resource, d *Data, req plugins.ApplyResourceChangeRequest) error {
	if r.Update == nil {
		return nil
	}
	cur := NewData(r.Block, cty.NullVal(r.Block.ImpliedType()))
	cur.SetID(d.ID())
	if err := r.Read(ctx, c, cur); err != nil {
		return err
	}
	if cur.Gone() {
		return fmt.Errorf("%s %s was adopted but could not be read back", r.Type, d.ID())
	}
	planned := NewData(r.Block, req.PlannedState)
	splitTags(r, cur, planned, c.DefaultTags)
	upd := NewData(r.Block, req.PlannedState).withOld(cur.Value())
	upd.SetID(d.ID())
	upd.config = req.Config
	upd.readTimeouts(r.Timeouts)
	for name, v := range upd.attrs {
		if !v.IsWhollyKnown() {
			upd.attrs[name] = cur.attrs[name]
		}
	}
	if len(changedArguments(r, upd, cur)) == 0 {
		return nil
	}
	if err := r.keepMark(ctx, c, upd, cur.Value()); err != nil {
		return err
	}
	return r.Update(ctx, c, upd)
}

// findCreated looks for the object a create whose answer was lost made:
// by its ownership mark, else by name and tags. Either way the object is
// finished as the create would have (Adopted).
func (p *Provider) findCreated(ctx context.Context, c *Client, r *Resource, d *Data, owner *plugins.Owner) (bool, error) {
	id, found, err := r.findMarked(ctx, c, owner)
	if err != nil {
		return false, err
	}
	if found {
		d.SetID(id)
	} else if r.Find != nil {
		if found, err = r.Find(ctx, c, d); err != nil {
			return false, err
		}
	}
	if found {
		return true, r.adopted(ctx, c, d)
	}
	return false, nil
}

// adopted runs the type's Adopted, if any, on an object found in place of
// a create.
func (r *Resource) adopted(ctx context.Context, c *Client, d *Data) error {
	if r.Adopted == nil {
		return nil
	}
	return r.Adopted(ctx, c, d)
}

// createAttempts bounds how many times a create with an uncertain outcome
// is looked for and sent again.
const createAttempts = 4

func createBackoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << min(attempt, 6)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// uncertainCreate reports an error after which a create may or may not
// have happened: the answer was lost, or a server error came back (the
// transport does not repeat a POST by itself).
func uncertainCreate(ctx context.Context, err error) bool {
	if lostResponse(ctx, err) {
		return true
	}
	s := StatusOf(err)
	return ctx.Err() == nil && s >= 500 && s != http.StatusNotImplemented
}

// timedOut reports an error of a request that got no answer in time.
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || strings.Contains(err.Error(), "timeout awaiting response headers")
}

// lostResponse reports an error after which a create may have happened
// without nuvola hearing of it: no HTTP status came back, and the
// operation was not cancelled.
func lostResponse(ctx context.Context, err error) bool {
	return ctx.Err() == nil && StatusOf(err) == 0 && !isAttrError(err)
}

func isAttrError(err error) bool {
	var ae *attrError
	return errors.As(err, &ae)
}

// readBack reads the object after a write. Values the plan fixed stay as
// planned (an API may normalise what it was given; the next refresh shows
// that); the unknowns get the cloud's values.
func (p *Provider) readBack(ctx context.Context, c *Client, r *Resource, d *Data, planned cty.Value) plugins.Diagnostics {
	if r.SkipReadAfterWrite {
		fillUnknown(d)
		return nil
	}
	prior := NewData(r.Block, planned)
	var err error
	if !d.fresh {
		err = r.Read(ctx, c, d)
	}
	d.fresh = false
	if err != nil && !IsNotFound(err) {
		fillUnknown(d)
		return Diagnose(err, Problem{Action: "reading " + r.Type + " " + d.ID() + " after writing it", Project: c.ProjectID})
	}
	if d.Gone() || IsNotFound(err) {
		d.gone = false
		fillUnknown(d)
		return plugins.Diagnostics{}.Errorf(nil, "Object vanished", "%s %s was written but could not be read back: the cloud no longer has it.", r.Type, d.ID())
	}
	splitTags(r, d, prior, c.DefaultTags)
	keepNullForEmpty(r.Block, d, prior)
	for name, pv := range prior.attrs {
		if pv.IsWhollyKnown() {
			d.attrs[name] = pv
		}
	}
	fillUnknown(d)
	return nil
}

// fillUnknown replaces what is still unknown with null: an applied object
// has no unknowns.
func fillUnknown(d *Data) {
	for name, v := range d.attrs {
		if !v.IsWhollyKnown() {
			d.attrs[name] = nullUnknowns(v)
		}
	}
}

func nullUnknowns(v cty.Value) cty.Value {
	out, _ := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if !v.IsKnown() {
			return cty.NullVal(v.Type()), nil
		}
		return v, nil
	})
	return out
}

// ReadResource refreshes one object.
func (p *Provider) ReadResource(ctx context.Context, req plugins.ReadResourceRequest) plugins.ReadResourceResponse {
	resp := p.ReadResources(ctx, plugins.ReadResourcesRequest{TypeName: req.TypeName, Objects: []plugins.ReadResourceRequest{req}})
	if len(resp.Results) == 1 {
		r := resp.Results[0]
		r.Diagnostics = append(resp.Diagnostics, r.Diagnostics...)
		return r
	}
	return plugins.ReadResourceResponse{Diagnostics: resp.Diagnostics}
}

// ReadResources refreshes many objects of one type: with the type's
// ReadMany (one list request) when it has one, else concurrent reads.
func (p *Provider) ReadResources(ctx context.Context, req plugins.ReadResourcesRequest) plugins.ReadResourcesResponse {
	var resp plugins.ReadResourcesResponse
	r, ok := p.resources[req.TypeName]
	if !ok {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	c := p.clientOr(&resp.Diagnostics)
	if c == nil {
		return resp
	}
	ds := make([]*Data, len(req.Objects))
	priors := make([]*Data, len(req.Objects))
	for i, o := range req.Objects {
		ds[i] = NewData(r.Block, o.PriorState)
		priors[i] = NewData(r.Block, o.PriorState)
	}
	errs := make([]error, len(ds))
	if r.ReadMany != nil && len(ds) > 1 {
		if err := r.ReadMany(ctx, c, ds); err != nil {
			resp.Diagnostics = Diagnose(err, Problem{Action: "listing " + r.Type, Project: c.ProjectID})
			return resp
		}
	} else {
		var wg sync.WaitGroup
		sem := make(chan struct{}, p.readLimit)
		for i, d := range ds {
			if d.ID() == "" {
				d.MarkGone()
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := r.Read(ctx, c, d); err != nil {
					if IsNotFound(err) {
						d.MarkGone()
					} else {
						errs[i] = err
					}
				}
			}()
		}
		wg.Wait()
	}
	resp.Results = make([]plugins.ReadResourceResponse, len(ds))
	for i, d := range ds {
		res := &resp.Results[i]
		res.Private = req.Objects[i].Private
		if errs[i] != nil {
			res.NewState = req.Objects[i].PriorState
			res.Diagnostics = Diagnose(errs[i], Problem{Action: fmt.Sprintf("reading %s %s", r.Type, priors[i].ID()), Project: c.ProjectID})
			continue
		}
		if d.Gone() {
			res.NewState = cty.NullVal(r.Block.ImpliedType())
			continue
		}
		splitTags(r, d, priors[i], c.DefaultTags)
		keepNullForEmpty(r.Block, d, priors[i])
		// The timeouts block is configuration, not remote state.
		if v := priors[i].Get("timeouts"); v != cty.NilVal {
			d.attrs["timeouts"] = v
		}
		fillUnknown(d)
		res.NewState = d.Value()
	}
	return resp
}

// ImportResourceState reads the object the ID names.
func (p *Provider) ImportResourceState(ctx context.Context, req plugins.ImportResourceStateRequest) plugins.ImportResourceStateResponse {
	var resp plugins.ImportResourceStateResponse
	r, ok := p.resources[req.TypeName]
	if !ok {
		resp.Diagnostics = plugins.UnsupportedType("resource", req.TypeName)
		return resp
	}
	c := p.clientOr(&resp.Diagnostics)
	if c == nil {
		return resp
	}
	d := NewData(r.Block, cty.NullVal(r.Block.ImpliedType()))
	d.SetID(req.ID)
	if r.Import != nil {
		if err := r.Import(ctx, c, d); err != nil {
			resp.Diagnostics = Diagnose(err, Problem{Action: fmt.Sprintf("importing %s %s", r.Type, req.ID), Project: c.ProjectID})
			return resp
		}
	}
	err := r.Read(ctx, c, d)
	if err == nil && d.Gone() || IsNotFound(err) {
		resp.Diagnostics = resp.Diagnostics.Errorf(nil, "Cannot import non-existent remote object",
			"While attempting to import an existing object to %s, the provider detected that no object exists with the given id %q.", r.Type, req.ID)
		return resp
	}
	if err != nil {
		resp.Diagnostics = Diagnose(err, Problem{Action: fmt.Sprintf("importing %s %s", r.Type, req.ID), Project: c.ProjectID})
		return resp
	}
	none := NewData(r.Block, cty.NullVal(r.Block.ImpliedType()))
	splitTags(r, d, none, c.DefaultTags)
	keepNullForEmpty(r.Block, d, none)
	fillUnknown(d)
	resp.Imported = []plugins.ImportedResource{{TypeName: req.TypeName, State: d.Value()}}
	return resp
}

// ReadDataSource reads a data source.
func (p *Provider) ReadDataSource(ctx context.Context, req plugins.ReadDataSourceRequest) plugins.ReadDataSourceResponse {
	var resp plugins.ReadDataSourceResponse
	ds, ok := p.dataSources[req.TypeName]
	if !ok {
		resp.Diagnostics = plugins.UnsupportedType("data source", req.TypeName)
		return resp
	}
	c := p.clientOr(&resp.Diagnostics)
	if c == nil {
		return resp
	}
	d := NewData(ds.Block, req.Config)
	if err := ds.Read(ctx, c, d); err != nil {
		resp.Diagnostics = Diagnose(err, Problem{Action: "reading data source " + ds.Type, Project: c.ProjectID})
		return resp
	}
	fillUnknown(d)
	resp.State = d.Value()
	return resp
}

// keepNullForEmpty keeps an optional argument null when the API reports
// it empty ("", [], {}) and it was null before: APIs answer an unset
// description with "", which is no change.
func keepNullForEmpty(b *plugins.Block, d, prior *Data) {
	for name, a := range b.Attributes {
		if a.Computed || !a.Optional {
			continue
		}
		pv, v := prior.Get(name), d.Get(name)
		if pv == cty.NilVal || !pv.IsNull() || v == cty.NilVal || v.IsNull() || !v.IsKnown() {
			continue
		}
		if isEmpty(v) {
			d.attrs[name] = pv
		}
	}
}

func isEmpty(v cty.Value) bool {
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString() == ""
	case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
		return v.LengthInt() == 0
	}
	return false
}
