package engine

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/zclconf/go-cty/cty"
)

// takePending removes addr from the refreshed state's pending creates and
// reports whether it was there.
func (w *walker) takePending(addr string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.refreshed.PendingCreates[addr]; !ok {
		return false
	}
	delete(w.refreshed.PendingCreates, addr)
	return true
}

// adoptPending looks, for an instance whose create was sent without its
// outcome being recorded, for the object carrying its ownership mark. A
// found object becomes the instance's prior object, as if the create's
// answer had arrived: the plan then compares the configuration with it
// instead of creating a duplicate.
func (w *walker) adoptPending(prov plugins.Provider, schema *plugins.Schema, typ string, addr addrs.AbsResourceInstance, pa providerAddr) (*state.Object, cty.Value, bool, hcl.Diagnostics) {
	if !w.takePending(addr.String()) {
		return nil, cty.NilVal, false, nil
	}
	finder, ok := prov.(plugins.OwnedResourceFinder)
	if !ok {
		return nil, cty.NilVal, false, nil
	}
	var resp plugins.FindOwnedResourceResponse
	w.call(func(ctx context.Context) {
		resp = finder.FindOwnedResource(ctx, plugins.FindOwnedResourceRequest{
			TypeName: typ, Owner: plugins.Owner{Address: addr.String(), Lineage: w.refreshed.Lineage}})
	})
	if resp.Diagnostics.HasErrors() {
		// The search failing must not lose the note: the instance stays
		// pending for the next plan, and this plan fails.
		w.mu.Lock()
		w.refreshed.AddPendingCreate(addr.String(), pa.String())
		w.mu.Unlock()
		return nil, cty.NilVal, false, hcl.Diagnostics{{Severity: hcl.DiagError,
			Summary: "Failed to look for an object whose create was interrupted",
			Detail:  fmt.Sprintf("A create of %s was sent without its outcome being recorded; looking for the object it may have made failed: %s", addr, resp.Diagnostics.Err())}}
	}
	if !resp.Found || resp.State == cty.NilVal || resp.State.IsNull() {
		return nil, cty.NilVal, false, nil
	}
	v := resp.State
	obj, err := w.provs.encodeObject(schema, v, schema.Block.SensitivePaths(v, nil))
	if err != nil {
		return nil, cty.NilVal, false, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Provider produced invalid object",
			Detail: fmt.Sprintf("The object found for %s could not be recorded: %s", addr, err)}}
	}
	obj.Private = resp.Private
	w.mu.Lock()
	w.refreshed.SetCurrent(addr, obj, pa.String())
	w.mu.Unlock()
	w.addDiags(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Adopted an object whose create was interrupted",
		Detail: fmt.Sprintf("%s was being created when a previous run stopped without recording the outcome; the object it made was found by its ownership mark and is now in state.", addr)}})
	return obj, v, true, nil
}

// dropUnresolvedPending ends the pending creates of instances the plan did
// not visit (their resource is no longer configured), with a warning: an
// object may exist for each, which `nuvola state orphans` lists.
func (w *walker) dropUnresolvedPending() hcl.Diagnostics {
	var diags hcl.Diagnostics
	w.mu.Lock()
	defer w.mu.Unlock()
	for addr := range w.refreshed.PendingCreates {
		if a, d := addrs.ParseAbsResourceInstanceStr(addr); !d.HasErrors() {
			if i := w.refreshed.Instance(a); i != nil && i.Current != nil {
				delete(w.refreshed.PendingCreates, addr)
				continue
			}
		}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Interrupted create not resolved",
			Detail: fmt.Sprintf("A create of %s was sent by a run that did not record its outcome, and %s is no longer in the configuration. If the cloud holds an object for it, \"nuvola state orphans\" lists it.", addr, addr)})
		delete(w.refreshed.PendingCreates, addr)
	}
	return diags
}
