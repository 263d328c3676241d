package networking

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// secGroup is a security group as the API returns it, with its rules.
type secGroup struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	TenantID    string   `json:"tenant_id"`
	ProjectID   string   `json:"project_id"`
	Stateful    *bool    `json:"stateful"`
	Tags        []string `json:"tags"`
	Rules       []sgRule `json:"security_group_rules"`
}

// sgRule is a security group rule; absent values are nil (an ICMP type 0
// is not "any").
type sgRule struct {
	ID                   string  `json:"id"`
	SecurityGroupID      string  `json:"security_group_id"`
	Direction            string  `json:"direction"`
	EtherType            string  `json:"ethertype"`
	Protocol             *string `json:"protocol"`
	PortRangeMin         *int    `json:"port_range_min"`
	PortRangeMax         *int    `json:"port_range_max"`
	RemoteIPPrefix       *string `json:"remote_ip_prefix"`
	RemoteGroupID        *string `json:"remote_group_id"`
	RemoteAddressGroupID *string `json:"remote_address_group_id"`
	Description          *string `json:"description"`
	TenantID             string  `json:"tenant_id"`
	ProjectID            string  `json:"project_id"`
}

// selfGroup in a rule's remote_group_id stands for the rule's own group.
const selfGroup = "self"

// bulkRuleChunk is how many rules one bulk create carries at most.
const bulkRuleChunk = 1000

// ruleDeleteConcurrency bounds the rule deletes in flight.
const ruleDeleteConcurrency = 10

var ruleBlock = plugins.Block{Attributes: map[string]*plugins.Attribute{
	"direction":        {Type: cty.String, Required: true, Description: "ingress or egress."},
	"ethertype":        {Type: cty.String, Optional: true, Default: cty.StringVal("IPv4"), Description: "IPv4 (the default) or IPv6."},
	"protocol":         {Type: cty.String, Optional: true, Description: "tcp, udp, icmp, ... or a protocol number; none for any."},
	"port_range_min":   {Type: cty.Number, Optional: true},
	"port_range_max":   {Type: cty.Number, Optional: true},
	"remote_ip_prefix": {Type: cty.String, Optional: true},
	"remote_group_id":  {Type: cty.String, Optional: true, Description: "A security group, or \"self\" for this one."},
	"description":      {Type: cty.String, Optional: true},
}}

// SecGroup is openstack_networking_secgroup_v2, with optional inline rule
// blocks: when present they are the group's rules, all of them (created in
// one bulk request, and on update only those added or removed are
// touched); when absent the group's rules are left to
// openstack_networking_secgroup_rule_v2.
func SecGroup() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_networking_secgroup_v2",
		Description: "A Neutron security group, optionally with its rules inline.",
		Tags:        osfw.StringTags,
		Timeouts:    &osfw.Timeouts{Delete: 10 * time.Minute},
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"name":                 {Type: cty.String, Required: true},
				"description":          {Type: cty.String, Optional: true, Computed: true},
				"tenant_id":            {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"region":               {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
				"delete_default_rules": {Type: cty.Bool, Optional: true, Description: "Delete the default egress rules when the group is made."},
				"stateful":             {Type: cty.Bool, Optional: true, Computed: true},
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"rule": {Nesting: plugins.NestingSet, Block: ruleBlock},
			},
		},
		Create:     createSecGroup,
		Read:       readSecGroup,
		ReadMany:   readSecGroups,
		Update:     updateSecGroup,
		Delete:     deleteSecGroup,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("security-groups"),
		Adopted:    adoptedSecGroup,
		Find:       findSecGroup,
		Import:     importEmptyBlocks("rule"),
		Validate:   validateSecGroup,
	}
}

func validateSecGroup(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	for _, r := range d.Blocks("rule") {
		if err := checkRule(r); err != "" {
			diags = diags.Errorf(cty.GetAttrPath("rule"), "Invalid rule", "%s", err)
		}
	}
	return diags
}

// checkRule is what Neutron would refuse in a rule, said before apply.
func checkRule(r *osfw.Data) string {
	dir := r.String("direction")
	if r.Known("direction") && dir != "ingress" && dir != "egress" {
		return fmt.Sprintf("direction must be \"ingress\" or \"egress\", not %q", dir)
	}
	if et := r.String("ethertype"); r.Known("ethertype") && et != "IPv4" && et != "IPv6" {
		return fmt.Sprintf("ethertype must be \"IPv4\" or \"IPv6\", not %q", et)
	}
	if r.Known("remote_ip_prefix") && r.Known("remote_group_id") {
		return "a rule takes remote_ip_prefix or remote_group_id, not both"
	}
	return ""
}

// ruleKey is a rule's identity for matching configured rules with the
// cloud's: every field, normalised as Neutron stores it.
type ruleKey string

func keyOf(direction, ethertype string, protocol *string, min, max *int, prefix, group, desc *string, selfID string) ruleKey {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	n := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	proto := strings.ToLower(s(protocol))
	if proto == "any" {
		proto = ""
	}
	g := s(group)
	if g == selfGroup || (selfID != "" && g == selfID) {
		g = selfGroup
	}
	return ruleKey(strings.Join([]string{direction, ethertype, proto, n(min), n(max), s(prefix), g, s(desc)}, "|"))
}

func (r *sgRule) key() ruleKey {
	return keyOf(r.Direction, r.EtherType, r.Protocol, r.PortRangeMin, r.PortRangeMax, r.RemoteIPPrefix, r.RemoteGroupID, r.Description, r.SecurityGroupID)
}

// wantRule is a configured rule: its key and the API body that makes it.
type wantRule struct {
	key  ruleKey
	body map[string]any
}

func configuredRule(r *osfw.Data, groupID string) wantRule {
	return configuredRuleIn(r, groupID, "")
}

// configuredRuleIn is configuredRule for a group of the project tenant
// (its rules are counted there, not in the caller's project).
func configuredRuleIn(r *osfw.Data, groupID, tenant string) wantRule {
	str := func(name string) *string {
		if !r.Known(name) || r.String(name) == "" {
			return nil
		}
		s := r.String(name)
		return &s
	}
	num := func(name string) *int {
		if !r.Known(name) {
			return nil
		}
		n := r.Int(name)
		return &n
	}
	et := r.String("ethertype")
	if et == "" {
		et = "IPv4"
	}
	proto, min, max, prefix, group, desc := str("protocol"), num("port_range_min"), num("port_range_max"), str("remote_ip_prefix"), str("remote_group_id"), str("description")
	body := map[string]any{"direction": r.String("direction"), "ethertype": et, "security_group_id": groupID}
	if proto != nil && !strings.EqualFold(*proto, "any") {
		body["protocol"] = *proto
	}
	if min != nil {
		body["port_range_min"] = *min
	}
	if max != nil {
		body["port_range_max"] = *max
	}
	if prefix != nil {
		body["remote_ip_prefix"] = *prefix
	}
	if group != nil {
		g := *group
		if g == selfGroup {
			g = groupID
		}
		body["remote_group_id"] = g
	}
	if desc != nil {
		body["description"] = *desc
	}
	if tenant != "" {
		body["tenant_id"] = tenant
	}
	return wantRule{key: keyOf(r.String("direction"), et, proto, min, max, prefix, group, desc, groupID), body: body}
}

// ruleElem is a rule of the cloud as a rule block.
func ruleElem(r *sgRule) map[string]any {
	e := map[string]any{"direction": r.Direction, "ethertype": r.EtherType}
	if r.Protocol != nil && *r.Protocol != "" {
		e["protocol"] = *r.Protocol
	}
	if r.PortRangeMin != nil {
		e["port_range_min"] = *r.PortRangeMin
	}
	if r.PortRangeMax != nil {
		e["port_range_max"] = *r.PortRangeMax
	}
	if r.RemoteIPPrefix != nil && *r.RemoteIPPrefix != "" {
		e["remote_ip_prefix"] = *r.RemoteIPPrefix
	}
	if r.RemoteGroupID != nil && *r.RemoteGroupID != "" {
		g := *r.RemoteGroupID
		if g == r.SecurityGroupID {
			g = selfGroup
		}
		e["remote_group_id"] = g
	}
	if r.Description != nil && *r.Description != "" {
		e["description"] = *r.Description
	}
	return e
}

// ruleDiff says which rules to make and which to delete so that the
// cloud's rules (have) become the configured ones (want).
func ruleDiff(want []wantRule, have []sgRule) (create []map[string]any, del []string) {
	wanted := map[ruleKey]bool{}
	for _, w := range want {
		wanted[w.key] = true
	}
	present := map[ruleKey]bool{}
	for i := range have {
		k := have[i].key()
		if !wanted[k] || present[k] {
			del = append(del, have[i].ID)
			continue
		}
		present[k] = true
	}
	made := map[ruleKey]bool{}
	for _, w := range want {
		if !present[w.key] && !made[w.key] {
			made[w.key] = true
			create = append(create, w.body)
		}
	}
	return create, del
}

func wantedRules(d *osfw.Data, groupID string) []wantRule {
	var out []wantRule
	for _, r := range d.Blocks("rule") {
		out = append(out, configuredRuleIn(r, groupID, d.String("tenant_id")))
	}
	return out
}

// createRules makes rules with bulk requests.
func createRules(ctx context.Context, sc *gophercloud.ServiceClient, bodies []map[string]any) error {
	for len(bodies) > 0 {
		n := min(len(bodies), bulkRuleChunk)
		var resp map[string]any
		_, err := sc.Post(ctx, sc.ServiceURL("security-group-rules"), map[string]any{"security_group_rules": bodies[:n]}, &resp,
			&gophercloud.RequestOpts{OkCodes: []int{201}})
		if err != nil {
			return err
		}
		bodies = bodies[n:]
	}
	return nil
}

// deleteRules deletes rules concurrently, a bounded number at once; rules
// already gone are no error.
func deleteRules(ctx context.Context, sc *gophercloud.ServiceClient, ids []string) error {
	return parallel(ids, ruleDeleteConcurrency, func(id string) error {
		err := deleteObject(ctx, sc, "security-group-rules", id)
		if osfw.IsNotFound(err) {
			return nil
		}
		return err
	})
}

// syncRules makes the group's rules the configured ones.
func syncRules(ctx context.Context, sc *gophercloud.ServiceClient, groupID string, want []wantRule, have []sgRule) error {
	create, del := ruleDiff(want, have)
	if err := createRules(ctx, sc, create); err != nil {
		return err
	}
	return deleteRules(ctx, sc, del)
}

func createSecGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{"name": d.String("name")}
	setStringIfSet(d, body, "description", "description")
	setStringIfSet(d, body, "tenant_id", "tenant_id")
	setIfKnown(d, body, "stateful", "stateful")
	var g secGroup
	if err := postInto(ctx, sc, "security-groups", "security_group", body, &g); err != nil {
		return err
	}
	d.SetID(g.ID)
	if tags := d.AllTags(); len(tags) > 0 {
		if err := setTags(ctx, sc, "security-groups", g.ID, tags); err != nil {
			return err
		}
		g.Tags = tags
	}
	want := wantedRules(d, g.ID)
	switch {
	case len(want) > 0:
		// The rules made are read back with the group.
		return syncRules(ctx, sc, g.ID, want, g.Rules)
	case d.Bool("delete_default_rules"):
		ids := make([]string, len(g.Rules))
		for i := range g.Rules {
			ids[i] = g.Rules[i].ID
		}
		if err := deleteRules(ctx, sc, ids); err != nil {
			return err
		}
		g.Rules = nil
	}
	// Without rule blocks the answer is the whole group: no read after
	// the create.
	setSecGroup(d, &g)
	d.Set("region", c.Endpoint.Region)
	d.MarkFresh()
	return nil
}

// adoptedSecGroup finishes a group found in place of a create: with
// delete_default_rules and no rule blocks, the create would have deleted
// the rules Neutron gave the new group, which no update does (inline
// rules are synced by the update that follows the adoption). Only rules
// shaped like Neutron's defaults (egress to anywhere, no description) go:
// a group found by name alone may have rules someone meant.
func adoptedSecGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	if !d.Bool("delete_default_rules") || len(d.Blocks("rule")) > 0 {
		return nil
	}
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var g secGroup
	if err := getInto(ctx, sc, "security-groups", "security_group", d.ID(), &g); err != nil {
		return err
	}
	var ids []string
	for i := range g.Rules {
		if isDefaultRule(&g.Rules[i]) {
			ids = append(ids, g.Rules[i].ID)
		}
	}
	return deleteRules(ctx, sc, ids)
}

// isDefaultRule reports whether a rule is one Neutron gives a new group:
// egress, any protocol and port, to anywhere.
func isDefaultRule(r *sgRule) bool {
	empty := func(p *string) bool { return p == nil || *p == "" }
	return r.Direction == "egress" && empty(r.Protocol) && r.PortRangeMin == nil && r.PortRangeMax == nil &&
		empty(r.RemoteIPPrefix) && empty(r.RemoteGroupID) && empty(r.RemoteAddressGroupID) && empty(r.Description)
}

// setSecGroup fills d from the group; the rules only when d manages them
// (rule blocks given), keeping the configured spelling of each rule that
// matches.
func setSecGroup(d *osfw.Data, g *secGroup) {
	d.SetID(g.ID)
	d.Set("name", g.Name)
	d.Set("description", g.Description)
	d.Set("tenant_id", firstNonEmpty(g.TenantID, g.ProjectID))
	d.Set("stateful", g.Stateful)
	d.Set("tags", g.Tags)
	prior := d.Blocks("rule")
	if len(prior) == 0 {
		return
	}
	mine := map[ruleKey]cty.Value{}
	for _, r := range prior {
		mine[configuredRule(r, g.ID).key] = r.Value()
	}
	ety := ruleBlock.ImpliedType()
	var vals []cty.Value
	for i := range g.Rules {
		if v, ok := mine[g.Rules[i].key()]; ok {
			vals = append(vals, v)
			continue
		}
		ed := osfw.NewData(&ruleBlock, cty.NullVal(ety))
		for k, v := range ruleElem(&g.Rules[i]) {
			ed.Set(k, v)
		}
		vals = append(vals, ed.Value())
	}
	if len(vals) == 0 {
		d.Set("rule", cty.SetValEmpty(ety))
	} else {
		d.Set("rule", cty.SetVal(vals))
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func readSecGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	var g secGroup
	if err := getInto(ctx, sc, "security-groups", "security_group", d.ID(), &g); err != nil {
		return err
	}
	setSecGroup(d, &g)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readSecGroups refreshes many groups, their rules included, with one
// list request.
func readSecGroups(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	return readManyByID(ctx, c, "security-groups", ds, func(g *secGroup) string { return g.ID }, setSecGroup)
}

func updateSecGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	body := map[string]any{}
	putString(d, body, "name", "name")
	putString(d, body, "description", "description")
	putBool(d, body, "stateful", "stateful")
	if len(body) > 0 {
		if err := putObject(ctx, sc, "security-groups", "security_group", d.ID(), body); err != nil {
			return err
		}
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		if err := setTags(ctx, sc, "security-groups", d.ID(), d.AllTags()); err != nil {
			return err
		}
	}
	if !d.HasChange("rule") {
		return nil
	}
	want := wantedRules(d, d.ID())
	if len(want) == 0 {
		// No rule blocks any more: the rules are no longer managed here.
		return nil
	}
	var g secGroup
	if err := getInto(ctx, sc, "security-groups", "security_group", d.ID(), &g); err != nil {
		return err
	}
	return syncRules(ctx, sc, d.ID(), want, g.Rules)
}

// deleteSecGroup deletes the group (its rules go with it), waiting while
// ports still use it.
func deleteSecGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := networkClient(c)
	if err != nil {
		return err
	}
	return deleteWhileInUse(ctx, d.Timeout("delete"), func() error {
		return deleteObject(ctx, sc, "security-groups", d.ID())
	})
}

// deleteWhileInUse retries a delete that Neutron refuses with 409 because
// the object is still in use (a port being deleted, an interface going),
// until timeout.
func deleteWhileInUse(ctx context.Context, timeout time.Duration, del func() error) error {
	deadline := time.Now().Add(timeout)
	wait := 500 * time.Millisecond
	for {
		err := del()
		if err == nil || osfw.StatusOf(err) != 409 || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*3/2, 5*time.Second)
	}
}

func findSecGroup(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	return findByName[secGroup](ctx, c, "security-groups", d, func(g *secGroup) string { return g.ID })
}

// findByName looks for the one object of a collection with d's name in the
// client's project (the adoption of a create whose answer was lost).
func findByName[T any](ctx context.Context, c *osfw.Client, collection string, d *osfw.Data, idOf func(*T) string) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := networkClient(c)
	if err != nil {
		return false, err
	}
	q := url.Values{"name": {name}}
	if p := firstNonEmpty(d.String("tenant_id"), c.ProjectID); p != "" {
		q.Set("project_id", p)
	}
	var ids []string
	if err := list(ctx, sc, collection, q, func(o *T) { ids = append(ids, idOf(o)) }); err != nil {
		return false, err
	}
	if len(ids) != 1 {
		return false, nil
	}
	d.SetID(ids[0])
	return true, nil
}
