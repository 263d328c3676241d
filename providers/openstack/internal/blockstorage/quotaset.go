package blockstorage

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// quotaNames are the quota set's fixed quotas.
var quotaNames = []string{"volumes", "snapshots", "gigabytes", "per_volume_gigabytes", "backups", "backup_gigabytes", "groups"}

// Quotaset is openstack_blockstorage_quotaset_v3 (admin).
func Quotaset() *osfw.Resource {
	attrs := map[string]*plugins.Attribute{
		"region":            {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
		"project_id":        {Type: cty.String, Required: true, ForceNew: true, Description: "The project whose quotas these are."},
		"volume_type_quota": {Type: cty.Map(cty.Number), Optional: true, Description: "Quotas per volume type: volumes_<type>, gigabytes_<type>, snapshots_<type>."},
	}
	for _, n := range quotaNames {
		attrs[n] = &plugins.Attribute{Type: cty.Number, Optional: true, Computed: true, Description: "The " + strings.ReplaceAll(n, "_", " ") + " quota (-1: unlimited). Unset, the cloud's value is kept."}
	}
	return &osfw.Resource{
		Type:        "openstack_blockstorage_quotaset_v3",
		Description: "The block storage quotas of a project. Usually needs the admin role. Destroying it resets the project's quotas to the cloud's defaults.",
		Timeouts:    &osfw.Timeouts{Create: 10 * time.Minute, Update: 10 * time.Minute, Delete: 10 * time.Minute},
		Block:       &plugins.Block{Attributes: attrs},
		Create:      createQuotaset,
		Read:        readQuotaset,
		Update:      updateQuotaset,
		Delete:      deleteQuotaset,
		Import:      importQuotaset,
		Plan:        planRegion,
	}
}

func quotaProject(d *osfw.Data) string {
	if p := d.String("project_id"); p != "" {
		return p
	}
	return strings.Split(d.ID(), "/")[0]
}

// putQuotas sets the quotas named (all configured ones for a create, the
// changed ones for an update).
func putQuotas(ctx context.Context, c *osfw.Client, d *osfw.Data, changedOnly bool) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	q := map[string]any{}
	for _, n := range quotaNames {
		if d.Known(n) && (!changedOnly || d.HasChange(n)) {
			q[n] = d.Int(n)
		}
	}
	if vtq := d.Get("volume_type_quota"); vtq.IsWhollyKnown() && !vtq.IsNull() && (!changedOnly || d.HasChange("volume_type_quota")) {
		for k, v := range vtq.AsValueMap() {
			if v.IsKnown() && !v.IsNull() {
				i, _ := v.AsBigFloat().Int64()
				q[k] = i
			}
		}
	}
	if len(q) == 0 {
		return nil
	}
	_, err = sc.Put(ctx, sc.ServiceURL("os-quota-sets", quotaProject(d)), map[string]any{"quota_set": q}, nil, &gophercloud.RequestOpts{OkCodes: []int{200}})
	return err
}

func createQuotaset(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	if err := putQuotas(ctx, c, d, false); err != nil {
		return err
	}
	d.SetID(quotaID(d.String("project_id"), c))
	return nil
}

// quotaID is "<project_id>/<region>", or the project alone when the
// provider names no region.
func quotaID(project string, c *osfw.Client) string {
	if c.Endpoint.Region == "" {
		return project
	}
	return project + "/" + c.Endpoint.Region
}

// quotaInt is a quota value of the API's answer.
func quotaInt(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), true
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil
	}
	return 0, false
}

func updateQuotaset(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	return putQuotas(ctx, c, d, true)
}

func readQuotaset(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	project := quotaProject(d)
	var resp struct {
		QuotaSet map[string]any `json:"quota_set"`
	}
	if _, err := sc.Get(ctx, sc.ServiceURL("os-quota-sets", project), &resp, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil {
		return err
	}
	imported := d.Get("volumes").IsNull() && d.Get("gigabytes").IsNull()
	d.Set("project_id", project)
	for _, n := range quotaNames {
		if i, ok := quotaInt(resp.QuotaSet[n]); ok {
			d.Set(n, i)
		}
	}
	// Only the per-type quotas the configuration names: the cloud has
	// three for every volume type.
	own := d.Get("volume_type_quota")
	if own.IsNull() && imported {
		// Imported: the per-type quotas set to a limit (the cloud's
		// default is -1, unlimited).
		m := map[string]cty.Value{}
		for k, v := range resp.QuotaSet {
			if i, ok := quotaInt(v); ok && i != -1 && isTypeQuota(k) {
				m[k] = cty.NumberIntVal(int64(i))
			}
		}
		if len(m) > 0 {
			d.Set("volume_type_quota", cty.MapVal(m))
		}
	} else if own.IsKnown() && !own.IsNull() {
		m := map[string]cty.Value{}
		for k := range own.AsValueMap() {
			if i, ok := quotaInt(resp.QuotaSet[k]); ok {
				m[k] = cty.NumberIntVal(int64(i))
			}
		}
		if len(m) == 0 {
			d.Set("volume_type_quota", cty.MapValEmpty(cty.Number))
		} else {
			d.Set("volume_type_quota", cty.MapVal(m))
		}
	}
	setRegion(d, c)
	return nil
}

// isTypeQuota reports a per-volume-type quota: volumes_<type>,
// gigabytes_<type>, snapshots_<type>.
func isTypeQuota(k string) bool {
	for _, p := range []string{"volumes_", "gigabytes_", "snapshots_"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// deleteQuotaset resets the project's quotas to the cloud's defaults.
func deleteQuotaset(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := client(c, "")
	if err != nil {
		return err
	}
	_, err = sc.Delete(ctx, sc.ServiceURL("os-quota-sets", quotaProject(d)), &gophercloud.RequestOpts{OkCodes: []int{200, 202, 204}})
	return err
}

// importQuotaset takes "<project_id>/<region>" or "<project_id>".
func importQuotaset(_ context.Context, c *osfw.Client, d *osfw.Data) error {
	project := strings.Split(d.ID(), "/")[0]
	if project == "" {
		return osfw.AttrError("project_id", "the import ID must be <project_id>/<region> or <project_id>")
	}
	d.Set("project_id", project)
	d.SetID(quotaID(project, c))
	return nil
}
