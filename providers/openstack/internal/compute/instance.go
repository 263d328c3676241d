package compute

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

const instanceType = "openstack_compute_instance_v2"

// noImage is what image_id holds for a server booted from a volume, as
// terraform-provider-openstack writes it.
const noImage = "Attempt to boot from volume - no image supplied"

var (
	str     = cty.String
	strSet  = cty.Set(cty.String)
	strList = cty.List(cty.String)
	strMap  = cty.Map(cty.String)
	optStr  = func() *plugins.Attribute { return &plugins.Attribute{Type: str, Optional: true} }
	optCStr = func() *plugins.Attribute { return &plugins.Attribute{Type: str, Optional: true, Computed: true} }
	compStr = func() *plugins.Attribute { return &plugins.Attribute{Type: str, Computed: true} }
	fnStr   = func() *plugins.Attribute { return &plugins.Attribute{Type: str, Optional: true, ForceNew: true} }
	fnCStr  = func() *plugins.Attribute {
		return &plugins.Attribute{Type: str, Optional: true, Computed: true, ForceNew: true}
	}
	region   = func() *plugins.Attribute { return fnCStr() }
	boolFals = func() *plugins.Attribute {
		return &plugins.Attribute{Type: cty.Bool, Optional: true, Computed: true, Default: cty.False}
	}
)

// networkAttrs are the attributes of an instance's network block.
var networkAttrs = map[string]*plugins.Attribute{
	"uuid":           optCStr(),
	"name":           optCStr(),
	"port":           optCStr(),
	"fixed_ip_v4":    optCStr(),
	"fixed_ip_v6":    optCStr(),
	"mac":            compStr(),
	"access_network": boolFals(),
}

var (
	instanceBlockOnce sync.Once
	instanceBlockV    *plugins.Block
)

// instanceBlock is the instance's schema, for planning.
func instanceBlock() *plugins.Block {
	instanceBlockOnce.Do(func() { instanceBlockV = Instance().Block })
	return instanceBlockV
}

// Instance is openstack_compute_instance_v2.
func Instance() *osfw.Resource {
	network := &plugins.NestedBlock{Nesting: plugins.NestingList, Block: plugins.Block{Attributes: networkAttrs}}
	blockDevice := &plugins.NestedBlock{Nesting: plugins.NestingList, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
		"source_type":           {Type: str, Required: true},
		"uuid":                  optStr(),
		"volume_size":           {Type: cty.Number, Optional: true},
		"destination_type":      optStr(),
		"boot_index":            {Type: cty.Number, Optional: true},
		"delete_on_termination": boolFals(),
		"guest_format":          optStr(),
		"volume_type":           optStr(),
		"device_type":           optStr(),
		"disk_bus":              optStr(),
		"multiattach":           boolFals(),
	}}}
	hints := &plugins.NestedBlock{Nesting: plugins.NestingSet, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
		"group":                 optStr(),
		"different_host":        {Type: strList, Optional: true},
		"same_host":             {Type: strList, Optional: true},
		"query":                 {Type: strList, Optional: true},
		"target_cell":           optStr(),
		"different_cell":        {Type: strList, Optional: true},
		"build_near_host_ip":    optStr(),
		"additional_properties": {Type: strMap, Optional: true},
	}}}
	personality := &plugins.NestedBlock{Nesting: plugins.NestingSet, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
		"file":    {Type: str, Required: true},
		"content": {Type: str, Required: true},
	}}}
	vendor := &plugins.NestedBlock{Nesting: plugins.NestingSet, MaxItems: 1, Block: plugins.Block{Attributes: map[string]*plugins.Attribute{
		"ignore_resize_confirmation":  boolFals(),
		"detach_ports_before_destroy": boolFals(),
	}}}
	return &osfw.Resource{
		Type:        instanceType,
		Description: "A Nova server.",
		Tags:        osfw.MetadataTags,
		Timeouts:    &osfw.Timeouts{Create: 30 * time.Minute, Update: 30 * time.Minute, Delete: 30 * time.Minute},
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"region":                  region(),
				"name":                    {Type: str, Required: true},
				"image_id":                fnCStr(),
				"image_name":              fnCStr(),
				"flavor_id":               optCStr(),
				"flavor_name":             optCStr(),
				"user_data":               {Type: str, Optional: true, ForceNew: true, Description: "Stored as its SHA-1 digest."},
				"security_groups":         {Type: strSet, Optional: true, Computed: true},
				"availability_zone_hints": fnStr(),
				"availability_zone":       fnCStr(),
				"network_mode":            fnStr(),
				"hypervisor_hostname":     fnCStr(),
				"config_drive":            {Type: cty.Bool, Optional: true, ForceNew: true},
				"admin_pass":              {Type: str, Optional: true, Sensitive: true},
				"access_ip_v4":            compStr(),
				"access_ip_v6":            compStr(),
				"key_pair":                fnStr(),
				"stop_before_destroy":     boolFals(),
				"force_delete":            boolFals(),
				"power_state":             {Type: str, Optional: true, Computed: true, Default: cty.StringVal("active")},
				"tags":                    {Type: strSet, Optional: true},
				"all_tags":                {Type: strSet, Computed: true},
				"created":                 compStr(),
				"updated":                 compStr(),
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"network":         network,
				"block_device":    blockDevice,
				"scheduler_hints": hints,
				"personality":     personality,
				"vendor_options":  vendor,
			},
		},
		ComputedOnUpdate: []string{"updated"},
		Create:           createInstance,
		Read:             readInstance,
		ReadMany:         readInstances,
		Update:           updateInstance,
		Delete:           deleteInstance,
		Find:             findInstance,
		Adopted:          adoptedInstance,
		Mark:             osfw.MarkMetadata,
		ListMarked:       listMarkedServers,
		Plan:             planInstance,
		Validate:         validateInstance,
	}
}

// listMarkedServers lists the project's servers with the metadata that
// holds ownership marks: the paged servers/detail list ReadMany reads.
// nuvola makes servers in the token's project only, so the list is not
// widened to every project (all_tenants) for an admin.
func listMarkedServers(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	sc, err := nova(c, "")
	if err != nil {
		return nil, err
	}
	var out []osfw.Marked
	err = eachPage(ctx, sc, sc.ServiceURL("servers", "detail"), "servers_links", func(p pagination.Page) error {
		var body struct {
			Servers []server `json:"servers"`
		}
		if err := p.(linkedPage).ExtractInto(&body); err != nil {
			return err
		}
		for _, s := range body.Servers {
			if s.Status != "DELETED" && s.Status != "SOFT_DELETED" {
				out = append(out, osfw.Marked{ID: s.ID, Name: s.Name, Metadata: s.Metadata})
			}
		}
		return nil
	})
	return out, err
}

// server is a Nova server as the list and show calls return it.
type server struct {
	ID             string                    `json:"id"`
	Name           string                    `json:"name"`
	Status         string                    `json:"status"`
	TenantID       string                    `json:"tenant_id"`
	Created        string                    `json:"created"`
	Updated        string                    `json:"updated"`
	AccessIPv4     string                    `json:"accessIPv4"`
	AccessIPv6     string                    `json:"accessIPv6"`
	Image          json.RawMessage           `json:"image"`
	Flavor         map[string]any            `json:"flavor"`
	Addresses      map[string][]address      `json:"addresses"`
	Metadata       map[string]string         `json:"metadata"`
	KeyName        string                    `json:"key_name"`
	SecurityGroups []struct{ Name string }   `json:"security_groups"`
	Fault          *struct{ Message string } `json:"fault"`
	Tags           []string                  `json:"tags"`
	AZ             string                    `json:"OS-EXT-AZ:availability_zone"`
	Hypervisor     string                    `json:"OS-EXT-SRV-ATTR:hypervisor_hostname"`
	TaskState      *string                   `json:"OS-EXT-STS:task_state"`
}

type address struct {
	Addr    string `json:"addr"`
	Version int    `json:"version"`
	Type    string `json:"OS-EXT-IPS:type"`
	MAC     string `json:"OS-EXT-IPS-MAC:mac_addr"`
}

func (s *server) imageID() string {
	var img struct {
		ID string `json:"id"`
	}
	if len(s.Image) > 0 && s.Image[0] == '{' {
		_ = json.Unmarshal(s.Image, &img)
	}
	return img.ID
}

func (s *server) fault() string {
	if s.Fault != nil {
		return s.Fault.Message
	}
	return ""
}

// userDataHash is how user_data is kept in the state.
func userDataHash(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func validateInstance(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	if v := d.String("power_state"); v != "" && !slices.Contains([]string{"active", "shutoff", "shelved_offloaded", "paused"}, strings.ToLower(v)) {
		diags = diags.Errorf(cty.GetAttrPath("power_state"), "Invalid value", "power_state must be one of active, shutoff, shelved_offloaded, paused; got %q.", v)
	}
	if v := d.String("network_mode"); v != "" && v != "auto" && v != "none" {
		diags = diags.Errorf(cty.GetAttrPath("network_mode"), "Invalid value", "network_mode must be auto or none.")
	}
	if d.Known("network_mode") && len(d.Blocks("network")) > 0 {
		diags = diags.Errorf(cty.GetAttrPath("network_mode"), "Conflicting arguments", "network_mode and network blocks cannot both be set.")
	}
	if d.Known("availability_zone") && d.Known("availability_zone_hints") {
		diags = diags.Errorf(cty.GetAttrPath("availability_zone_hints"), "Conflicting arguments", "availability_zone and availability_zone_hints cannot both be set.")
	}
	for i, n := range d.Blocks("network") {
		if n.Get("uuid").IsKnown() && n.Get("name").IsKnown() && n.Get("port").IsKnown() &&
			n.String("uuid") == "" && n.String("name") == "" && n.String("port") == "" {
			diags = diags.Errorf(cty.GetAttrPath("network").IndexInt(i), "Invalid network block", "At least one of network.uuid, network.name or network.port must be set.")
		}
	}
	for i, b := range d.Blocks("block_device") {
		src, dst := b.String("source_type"), b.String("destination_type")
		if src != "" && !slices.Contains([]string{"blank", "image", "volume", "snapshot"}, src) {
			diags = diags.Errorf(cty.GetAttrPath("block_device").IndexInt(i).GetAttr("source_type"), "Invalid value", "source_type must be blank, image, volume or snapshot.")
		}
		if dst != "" && dst != "local" && dst != "volume" {
			diags = diags.Errorf(cty.GetAttrPath("block_device").IndexInt(i).GetAttr("destination_type"), "Invalid value", "destination_type must be local or volume.")
		}
		if src != "blank" && b.Get("uuid").IsKnown() && b.String("uuid") == "" {
			diags = diags.Errorf(cty.GetAttrPath("block_device").IndexInt(i).GetAttr("uuid"), "Missing value", "block_device.uuid is required when source_type is %q.", src)
		}
	}
	return diags
}

// planInstance keeps user_data as its digest, carries the network blocks'
// computed values over from the state, and replaces the server when its
// networks, block devices or scheduler hints change.
func planInstance(_ context.Context, c *osfw.Client, p *osfw.PlanData) error {
	pl := p.Planned
	if ud := p.Config.Get("user_data"); ud.IsKnown() && !ud.IsNull() {
		pl.Set("user_data", userDataHash(ud.AsString()))
	}
	// Server tags get the provider's default tags too (metadata gets them
	// through the framework).
	if tags := pl.Get("tags"); tags.IsWhollyKnown() {
		pl.Set("all_tags", osfw.MergeStringTags(osfw.StringsOf(tags), novaTagDefaults(c.DefaultTags)))
	} else {
		pl.Set("all_tags", cty.UnknownVal(strSet))
	}
	if p.Prior == nil {
		return nil
	}
	prior := p.Prior
	osfw.KeepEmptyBlocks(p, "network", "block_device", "scheduler_hints", "personality", "vendor_options")
	// Defaults hold whenever the configuration leaves the argument out,
	// not only at creation.
	osfw.DefaultsOnUpdate(p)
	defer func() {
		// Nothing to update: the update time stays.
		for name, a := range instanceBlock().Attributes {
			if (a.Optional || a.Required) && !pl.Get(name).RawEquals(prior.Get(name)) {
				return
			}
		}
		for name := range instanceBlock().BlockTypes {
			if name != "timeouts" && !pl.Get(name).RawEquals(prior.Get(name)) {
				return
			}
		}
		if !pl.Get("all_tags").RawEquals(prior.Get("all_tags")) || !pl.Get("all_metadata").RawEquals(prior.Get("all_metadata")) {
			return
		}
		pl.Set("updated", prior.Get("updated"))
	}()
	// Networks: the configuration lists them; what the cloud chose (port,
	// addresses, MAC) comes from the state where the block is the same.
	if cfgNets := p.Config.Get("network"); cfgNets.IsKnown() && (cfgNets.IsNull() || cfgNets.LengthInt() == 0) {
		pl.Set("network", prior.Get("network"))
	} else {
		pl.Set("network", fillFromPrior(pl.Get("network"), prior.Get("network"), networkAttrs))
	}
	for _, name := range []string{"network", "block_device", "scheduler_hints", "personality"} {
		if !pl.Get(name).RawEquals(prior.Get(name)) {
			p.RequiresReplace = append(p.RequiresReplace, cty.GetAttrPath(name))
		}
	}
	// A flavor chosen by name changes the computed ID, and the reverse.
	cfg := p.Config
	if cfg.Get("flavor_id").IsNull() && pl.Known("flavor_name") && pl.String("flavor_name") != prior.String("flavor_name") {
		pl.Set("flavor_id", cty.UnknownVal(cty.String))
	}
	if cfg.Get("flavor_name").IsNull() && pl.Known("flavor_id") && pl.String("flavor_id") != prior.String("flavor_id") {
		pl.Set("flavor_name", cty.UnknownVal(cty.String))
	}
	if (pl.String("flavor_id") != prior.String("flavor_id") || pl.String("flavor_name") != prior.String("flavor_name")) &&
		prior.String("flavor_id") == "" && prior.Known("id") && (pl.Known("flavor_id") || pl.Known("flavor_name")) {
		// The server's flavor was deleted: it cannot be resized.
		p.RequiresReplace = append(p.RequiresReplace, cty.GetAttrPath("flavor_id"))
	}
	if ps := prior.String("power_state"); ps == "error" || ps == "build" {
		pl.Set("power_state", ps)
	}
	if cfg.Get("security_groups").IsNull() {
		pl.Set("security_groups", prior.Get("security_groups"))
	}
	return nil
}

// novaTagDefaults are the default tags Nova accepts as server tags ("k=v"
// of at most 60 characters, without "/" or ","); all of them go into the
// metadata anyway.
func novaTagDefaults(defaults map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		t := k + "=" + v
		if len(t) <= 60 && !strings.ContainsAny(t, "/,") {
			out[k] = v
		}
	}
	return out
}

// fillFromPrior gives each planned block, whose configured arguments are
// those of the prior block at the same index, the prior's computed values;
// other computed values it leaves unknown.
func fillFromPrior(planned, prior cty.Value, attrs map[string]*plugins.Attribute) cty.Value {
	if planned.IsNull() || !planned.IsKnown() || planned.LengthInt() == 0 {
		return planned
	}
	var priorElems []cty.Value
	if !prior.IsNull() && prior.IsKnown() {
		priorElems = prior.AsValueSlice()
	}
	var out []cty.Value
	for i, ev := range planned.AsValueSlice() {
		m := ev.AsValueMap()
		var pm map[string]cty.Value
		if i < len(priorElems) {
			pm = priorElems[i].AsValueMap()
			for name, a := range attrs {
				v := m[name]
				if (a.Optional || a.Required) && v.IsKnown() && !v.IsNull() && !v.RawEquals(pm[name]) {
					pm = nil
					break
				}
			}
		}
		for name, a := range attrs {
			if v := m[name]; a.Computed && (v.IsNull() || !v.IsKnown()) {
				if pm != nil {
					m[name] = pm[name]
				} else {
					m[name] = cty.UnknownVal(a.Type)
				}
			}
		}
		out = append(out, cty.ObjectVal(m))
	}
	return cty.ListVal(out)
}

func createInstance(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	mv := "2.64"
	body := map[string]any{"name": d.String("name")}
	bootFromVolume := false
	var bdms []map[string]any
	for _, b := range d.Blocks("block_device") {
		m := map[string]any{"source_type": b.String("source_type"), "delete_on_termination": b.Bool("delete_on_termination")}
		if b.Known("boot_index") {
			m["boot_index"] = b.Int("boot_index")
			if b.Int("boot_index") == 0 && b.String("destination_type") == "volume" {
				bootFromVolume = true
			}
		} else {
			m["boot_index"] = -1
			if b.String("source_type") == "image" && b.String("destination_type") != "volume" {
				m["boot_index"] = 0
			}
		}
		for _, k := range []string{"uuid", "destination_type", "guest_format", "volume_type", "device_type", "disk_bus"} {
			if s := b.String(k); s != "" {
				m[k] = s
			}
		}
		if b.Int("volume_size") > 0 {
			m["volume_size"] = b.Int("volume_size")
		}
		if b.String("volume_type") != "" {
			mv = "2.67"
		}
		bdms = append(bdms, m)
	}
	if len(bdms) > 0 {
		body["block_device_mapping_v2"] = bdms
	}
	imageID, err := instanceImageID(ctx, c, d)
	if err != nil {
		return err
	}
	if imageID != "" {
		body["imageRef"] = imageID
	} else if !bootFromVolume && len(bdms) == 0 {
		return osfw.AttrError("image_id", "set image_id or image_name, or a bootable block_device")
	} else {
		body["imageRef"] = ""
	}
	flavorID, err := instanceFlavorID(ctx, c, d)
	if err != nil {
		return err
	}
	body["flavorRef"] = flavorID
	if mode := d.String("network_mode"); mode != "" {
		body["networks"] = mode
	} else if nets := d.Blocks("network"); len(nets) > 0 {
		var list []map[string]any
		for i, n := range nets {
			m := map[string]any{}
			uuid := n.String("uuid")
			if uuid == "" && n.String("port") == "" && n.String("name") != "" {
				if uuid, err = networkIDByName(ctx, c, n.String("name")); err != nil {
					return fmt.Errorf("network %d: %w", i, err)
				}
			}
			if uuid != "" {
				m["uuid"] = uuid
			}
			if p := n.String("port"); p != "" {
				m["port"] = p
			}
			if ip := n.String("fixed_ip_v4"); ip != "" {
				m["fixed_ip"] = ip
			} else if ip := n.String("fixed_ip_v6"); ip != "" {
				m["fixed_ip"] = strings.Trim(ip, "[]")
			}
			list = append(list, m)
		}
		body["networks"] = list
	} else {
		// Since microversion 2.37 Nova wants networks: "auto" uses the
		// project's one network (or allocates one), as an older
		// microversion did with none given.
		body["networks"] = "auto"
	}
	var sgs []map[string]string
	for _, g := range d.StringList("security_groups") {
		sgs = append(sgs, map[string]string{"name": g})
	}
	if len(sgs) > 0 {
		body["security_groups"] = sgs
	}
	if az := d.String("availability_zone"); az != "" {
		body["availability_zone"] = az
	} else if az := d.String("availability_zone_hints"); az != "" {
		body["availability_zone"] = az
	}
	if md := d.AllMetadata(); len(md) > 0 {
		body["metadata"] = md
	}
	if tags := d.AllTags(); len(tags) > 0 {
		body["tags"] = tags
	}
	if d.Known("config_drive") {
		body["config_drive"] = d.Bool("config_drive")
	}
	if pw := d.String("admin_pass"); pw != "" {
		body["adminPass"] = pw
	}
	if kp := d.String("key_pair"); kp != "" {
		body["key_name"] = kp
	}
	if h := d.String("hypervisor_hostname"); h != "" {
		body["hypervisor_hostname"] = h
		mv = "2.74"
	}
	if d.Known("user_data") {
		raw := d.ConfigValue("user_data")
		if raw == cty.NilVal || raw.IsNull() || !raw.IsKnown() {
			return osfw.AttrError("user_data", "user_data is not known at apply time")
		}
		body["user_data"] = base64.StdEncoding.EncodeToString([]byte(raw.AsString()))
	}
	if files := d.Blocks("personality"); len(files) > 0 {
		var list []map[string]string
		for _, f := range files {
			list = append(list, map[string]string{"path": f.String("file"), "contents": base64.StdEncoding.EncodeToString([]byte(f.String("content")))})
		}
		body["personality"] = list
		if _, ok := body["tags"]; ok {
			return osfw.AttrError("personality", "personality (file injection) was removed from the compute API in microversion 2.57; servers with tags need that microversion. Use user_data instead")
		}
		mv = "2.56"
	}
	req := map[string]any{"server": body}
	if hs := d.Blocks("scheduler_hints"); len(hs) > 0 {
		req["os:scheduler_hints"] = schedulerHints(hs[0])
	}
	sc, err := nova(c, mv)
	if err != nil {
		return err
	}
	var created struct {
		Server struct {
			ID        string `json:"id"`
			AdminPass string `json:"adminPass"`
		} `json:"server"`
	}
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers"), req, &created, http.StatusAccepted, http.StatusOK); err != nil {
		return err
	}
	d.SetID(created.Server.ID)
	if err := waitServer(ctx, c, d.ID(), "creating server "+d.ID(), d.Timeout("create"), "ACTIVE"); err != nil {
		return err
	}
	if ps := strings.ToLower(d.String("power_state")); ps != "" && ps != "active" {
		return setPowerState(ctx, c, d.ID(), "active", ps, d.Timeout("create"), "")
	}
	return nil
}

func schedulerHints(h *osfw.Data) map[string]any {
	m := map[string]any{}
	if g := h.String("group"); g != "" {
		m["group"] = g
	}
	for _, k := range []string{"different_host", "same_host", "different_cell"} {
		if l := h.StringList(k); len(l) > 0 {
			m[k] = l
		}
	}
	if q := h.StringList("query"); len(q) > 0 {
		b, _ := json.Marshal(q)
		m["query"] = string(b)
	}
	if v := h.String("target_cell"); v != "" {
		m["target_cell"] = v
	}
	if v := h.String("build_near_host_ip"); v != "" {
		parts := strings.SplitN(v, "/", 2)
		m["build_near_host_ip"] = parts[0]
		if len(parts) == 2 {
			m["cidr"] = "/" + parts[1]
		}
	}
	for k, v := range h.StringMap("additional_properties") {
		m[k] = v
	}
	return m
}

// getServer shows one server.
func getServer(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*server, error) {
	var out struct {
		Server server `json:"server"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("servers", id), nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out.Server, nil
}

// waitServer waits for a server to reach a status; ERROR fails with the
// server's fault message.
func waitServer(ctx context.Context, c *osfw.Client, id, what string, timeout time.Duration, target ...string) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	return osfw.Wait(ctx, what, timeout, target, nil, func(ctx context.Context) (osfw.Poll, error) {
		s, err := getServer(ctx, sc, id)
		if err != nil {
			return osfw.Poll{}, err
		}
		status := s.Status
		if status == "DELETED" || status == "SOFT_DELETED" {
			return osfw.Poll{Gone: true}, nil
		}
		return osfw.Poll{Status: status, Fault: s.fault()}, nil
	})
}

// setPowerState moves a server from one power state to another and waits.
func setPowerState(ctx context.Context, c *osfw.Client, id, from, to string, timeout time.Duration, az string) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	from, to = strings.ToLower(from), strings.ToLower(to)
	var action any
	target := strings.ToUpper(to)
	switch to {
	case "shutoff":
		action = map[string]any{"os-stop": nil}
	case "paused":
		action = map[string]any{"pause": nil}
	case "shelved_offloaded":
		action = map[string]any{"shelve": nil}
	case "active":
		switch from {
		case "shelved", "shelved_offloaded":
			var opts any
			if az != "" {
				opts = map[string]any{"availability_zone": az}
			}
			action = map[string]any{"unshelve": opts}
		case "paused":
			action = map[string]any{"unpause": nil}
		case "build", "active":
			return nil
		default:
			action = map[string]any{"os-start": nil}
		}
	default:
		return osfw.AttrError("power_state", "unsupported power_state %q", to)
	}
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), action, nil, http.StatusAccepted, http.StatusOK); err != nil {
		return err
	}
	return waitServer(ctx, c, id, fmt.Sprintf("setting server %s to %s", id, to), timeout, target)
}

// readCtx caches what reading servers needs beyond the servers: the
// flavor list, image names, ports.
type readCtx struct {
	c       *osfw.Client
	flavors map[string]string // name → id; nil until listed
	images  map[string]string // id → name
}

func (rc *readCtx) flavorID(ctx context.Context, name string) (string, error) {
	if rc.flavors == nil {
		sc, err := nova(rc.c, "")
		if err != nil {
			return "", err
		}
		all, err := listFlavors(ctx, sc, "")
		if err != nil {
			return "", err
		}
		rc.flavors = map[string]string{}
		for _, f := range all {
			rc.flavors[f.Name] = f.ID
		}
	}
	return rc.flavors[name], nil
}

func (rc *readCtx) imageName(ctx context.Context, id string) (string, error) {
	if n, ok := rc.images[id]; ok {
		return n, nil
	}
	sc, err := rc.c.Service(osfw.Image)
	if err != nil {
		return "", err
	}
	var img struct {
		Name string `json:"name"`
	}
	_, err = sc.Get(ctx, sc.ServiceURL("images", id), &img, nil)
	if err != nil && !osfw.IsNotFound(err) {
		return "", err
	}
	if rc.images == nil {
		rc.images = map[string]string{}
	}
	rc.images[id] = img.Name
	return img.Name, nil
}

func readInstance(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	s, err := getServer(ctx, sc, d.ID())
	if err != nil {
		return err
	}
	if s.Status == "DELETED" || s.Status == "SOFT_DELETED" {
		d.MarkGone()
		return nil
	}
	rc := &readCtx{c: c}
	return setInstance(ctx, rc, d, s, nil)
}

// readInstances refreshes many servers with one paged list of the
// project's servers (Nova cannot filter by ID); a server the list lacks is
// looked up alone (it may be gone, or another project's).
func readInstances(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, d := range ds {
		if d.ID() != "" {
			want[d.ID()] = true
		}
	}
	found := map[string]*server{}
	err = eachPage(ctx, sc, sc.ServiceURL("servers", "detail"), "servers_links", func(p pagination.Page) error {
		var body struct {
			Servers []server `json:"servers"`
		}
		if err := p.(linkedPage).ExtractInto(&body); err != nil {
			return err
		}
		all := body.Servers
		for i := range all {
			if want[all[i].ID] {
				found[all[i].ID] = &all[i]
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	rc := &readCtx{c: c}
	var ports []port
	var missingPorts []string
	for _, d := range ds {
		if s := found[d.ID()]; s != nil && needPorts(d, s) {
			missingPorts = append(missingPorts, s.ID)
		}
	}
	if len(missingPorts) > 0 {
		if ports, err = listPorts(ctx, c, missingPorts); err != nil {
			return err
		}
	}
	for _, d := range ds {
		if d.ID() == "" {
			d.MarkGone()
			continue
		}
		s := found[d.ID()]
		if s == nil {
			s, err = getServer(ctx, sc, d.ID())
			if osfw.IsNotFound(err) {
				d.MarkGone()
				continue
			}
			if err != nil {
				return err
			}
		}
		if s.Status == "DELETED" || s.Status == "SOFT_DELETED" {
			d.MarkGone()
			continue
		}
		if err := setInstance(ctx, rc, d, s, ports); err != nil {
			return err
		}
	}
	return nil
}

// setInstance sets d from the server. ports, when given, holds the
// server's Neutron ports (else they are listed if the network blocks need
// them).
func setInstance(ctx context.Context, rc *readCtx, d *osfw.Data, s *server, ports []port) error {
	d.Set("name", s.Name)
	d.Set("created", s.Created)
	d.Set("updated", s.Updated)
	d.Set("region", rc.c.Endpoint.Region)
	md := s.Metadata
	if md == nil {
		md = map[string]string{}
	}
	d.Set("metadata", md)
	setServerTags(d, s.Tags, rc.c.DefaultTags)
	names := []string{}
	for _, g := range s.SecurityGroups {
		if !slices.Contains(names, g.Name) {
			names = append(names, g.Name)
		}
	}
	d.Set("security_groups", names)
	if s.KeyName != "" || d.Known("key_pair") {
		d.Set("key_pair", s.KeyName)
	}
	if s.AZ != "" {
		d.Set("availability_zone", s.AZ)
	}
	d.Set("hypervisor_hostname", s.Hypervisor)
	// Flavor: since microversion 2.47 the server carries the flavor's
	// name, not its ID.
	fname, _ := s.Flavor["original_name"].(string)
	fid, _ := s.Flavor["id"].(string)
	if fname != "" && fid == "" {
		if d.String("flavor_name") == fname && d.Known("flavor_id") && d.String("flavor_id") != "" {
			fid = d.String("flavor_id")
		} else {
			id, err := rc.flavorID(ctx, fname)
			if err != nil {
				return err
			}
			fid = id
		}
	}
	d.Set("flavor_id", fid)
	d.Set("flavor_name", fname)
	if fid == "" {
		d.Set("flavor_name", "")
	}
	// Image.
	imgID := s.imageID()
	if imgID == "" {
		d.Set("image_id", noImage)
		if !d.Known("image_name") {
			d.Set("image_name", "")
		}
	} else {
		if d.String("image_id") != imgID || !d.Known("image_name") {
			name, err := rc.imageName(ctx, imgID)
			if err != nil {
				return err
			}
			d.Set("image_name", name)
		}
		d.Set("image_id", imgID)
	}
	status := strings.ToLower(s.Status)
	d.Set("power_state", status)
	// Networks.
	if needPorts(d, s) && ports == nil {
		var err error
		if ports, err = listPorts(ctx, rc.c, []string{s.ID}); err != nil {
			return err
		}
	}
	if !d.Known("network_mode") && len(d.Blocks("network")) == 0 && len(serverNICs(s)) == 0 {
		// Since microversion 2.37 a server has networks or was made
		// with "none" (an import learns it here).
		d.Set("network_mode", "none")
	}
	nets := serverNetworks(d, s, ports)
	d.SetBlocks("network", nets)
	v4, v6 := "", ""
	for _, n := range nets {
		access, _ := n["access_network"].(bool)
		if ip, _ := n["fixed_ip_v4"].(string); ip != "" && (v4 == "" || access) {
			v4 = ip
		}
		if ip, _ := n["fixed_ip_v6"].(string); ip != "" && (v6 == "" || access) {
			v6 = ip
		}
	}
	if v4 == "" {
		v4 = s.AccessIPv4
	}
	if v6 == "" {
		v6 = s.AccessIPv6
	}
	d.Set("access_ip_v4", v4)
	d.Set("access_ip_v6", v6)
	for _, name := range []string{"stop_before_destroy", "force_delete"} {
		if !d.Known(name) {
			d.Set(name, false)
		}
	}
	return nil
}

// setServerTags sets all_tags to the server's tags and tags to those less
// the default tags the object did not itself set.
func setServerTags(d *osfw.Data, remote []string, defaults map[string]string) {
	own := map[string]bool{}
	for _, t := range d.StringList("tags") {
		own[t] = true
	}
	def := map[string]bool{}
	for k, v := range defaults {
		def[k+"="+v] = true
	}
	mine := []string{}
	for _, t := range remote {
		if own[t] || !def[t] {
			mine = append(mine, t)
		}
	}
	wasNull := d.Get("tags").IsNull()
	d.Set("all_tags", osfw.MergeStringTags(remote, nil))
	if len(mine) == 0 && wasNull {
		d.Set("tags", nil)
	} else {
		d.Set("tags", osfw.MergeStringTags(mine, nil))
	}
}

// nic is one of a server's interfaces as Nova reports it.
type nic struct {
	network, mac, v4, v6 string
}

func serverNICs(s *server) []nic {
	var out []nic
	byMAC := map[string]int{}
	for _, netName := range osfw.SortedKeys(s.Addresses) {
		for _, a := range s.Addresses[netName] {
			if a.Type == "floating" {
				continue
			}
			i, ok := byMAC[a.MAC]
			if !ok || a.MAC == "" {
				out = append(out, nic{network: netName, mac: a.MAC})
				i = len(out) - 1
				byMAC[a.MAC] = i
			}
			if a.Version == 6 {
				if out[i].v6 == "" {
					out[i].v6 = "[" + a.Addr + "]"
				}
			} else if out[i].v4 == "" {
				out[i].v4 = a.Addr
			}
		}
	}
	return out
}

// needPorts reports whether d's network blocks cannot be matched to the
// server's interfaces by MAC with what the state knows.
func needPorts(d *osfw.Data, s *server) bool {
	nics := serverNICs(s)
	blocks := d.Blocks("network")
	if len(blocks) == 0 {
		return len(nics) > 0
	}
	for _, b := range blocks {
		if !b.Known("mac") || !b.Known("uuid") || !b.Known("port") {
			return true
		}
		ok := false
		for _, n := range nics {
			if n.mac == b.String("mac") {
				ok = true
			}
		}
		if !ok {
			return true
		}
	}
	return false
}

// serverNetworks builds the network blocks: the state's blocks, in order,
// each matched to one interface (by MAC, port, network ID or name); when
// the state has none (an import), every interface in creation order.
func serverNetworks(d *osfw.Data, s *server, ports []port) []map[string]any {
	nics := serverNICs(s)
	var mine []port
	for _, p := range ports {
		if p.DeviceID == s.ID {
			mine = append(mine, p)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool {
		if mine[i].CreatedAt != mine[j].CreatedAt {
			return mine[i].CreatedAt < mine[j].CreatedAt
		}
		return mine[i].ID < mine[j].ID
	})
	portByMAC := map[string]port{}
	for _, p := range mine {
		portByMAC[p.MAC] = p
	}
	used := map[int]bool{}
	elem := func(n nic, prior *osfw.Data) map[string]any {
		m := map[string]any{"name": n.network, "mac": n.mac, "fixed_ip_v4": n.v4, "fixed_ip_v6": n.v6, "access_network": false, "uuid": "", "port": ""}
		if p, ok := portByMAC[n.mac]; ok {
			m["uuid"], m["port"] = p.NetworkID, p.ID
		} else if prior != nil {
			m["uuid"], m["port"] = prior.String("uuid"), prior.String("port")
		}
		if prior != nil {
			m["access_network"] = prior.Bool("access_network")
		}
		return m
	}
	blocks := d.Blocks("network")
	if len(blocks) == 0 {
		var out []map[string]any
		order := make([]int, 0, len(nics))
		for i := range nics {
			order = append(order, i)
		}
		rank := map[string]int{}
		for i, p := range mine {
			rank[p.MAC] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			ra, oka := rank[nics[order[a]].mac]
			rb, okb := rank[nics[order[b]].mac]
			if oka && okb {
				return ra < rb
			}
			return oka && !okb
		})
		for _, i := range order {
			out = append(out, elem(nics[i], nil))
		}
		return out
	}
	var out []map[string]any
	match := func(pred func(n nic) bool) int {
		for i, n := range nics {
			if !used[i] && pred(n) {
				return i
			}
		}
		return -1
	}
	for _, b := range blocks {
		i := -1
		if b.Known("mac") && b.String("mac") != "" {
			i = match(func(n nic) bool { return n.mac == b.String("mac") })
		}
		if i < 0 && b.Known("port") && b.String("port") != "" {
			i = match(func(n nic) bool { return portByMAC[n.mac].ID == b.String("port") })
		}
		if i < 0 && b.Known("uuid") && b.String("uuid") != "" {
			i = match(func(n nic) bool {
				p, ok := portByMAC[n.mac]
				return ok && p.NetworkID == b.String("uuid") && (!b.Known("fixed_ip_v4") || b.String("fixed_ip_v4") == "" || b.String("fixed_ip_v4") == n.v4)
			})
		}
		if i < 0 && b.Known("name") && b.String("name") != "" {
			i = match(func(n nic) bool { return n.network == b.String("name") })
		}
		if i < 0 {
			continue // the interface is gone: the plan replaces the server
		}
		used[i] = true
		out = append(out, elem(nics[i], b))
	}
	return out
}

func updateInstance(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	id := d.ID()
	if d.HasChange("name") {
		if err := call(ctx, sc, http.MethodPut, sc.ServiceURL("servers", id), map[string]any{"server": map[string]any{"name": d.String("name")}}, nil, http.StatusOK); err != nil {
			return err
		}
	}
	if d.HasChange("power_state") && d.Known("power_state") {
		if err := setPowerState(ctx, c, id, d.Old("power_state").AsString(), d.String("power_state"), d.Timeout("update"), d.String("availability_zone")); err != nil {
			return err
		}
	}
	if d.HasChange("all_metadata") || d.HasChange("metadata") {
		oldMD := osfw.StringMapOf(d.Old("all_metadata"))
		newMD := d.AllMetadata()
		for _, k := range osfw.SortedKeys(oldMD) {
			if _, keep := newMD[k]; !keep {
				err := call(ctx, sc, http.MethodDelete, sc.ServiceURL("servers", id, "metadata", k), nil, nil, http.StatusNoContent, http.StatusOK)
				if err != nil && !osfw.IsNotFound(err) {
					return err
				}
			}
		}
		if len(newMD) > 0 {
			if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "metadata"), map[string]any{"metadata": newMD}, nil, http.StatusOK); err != nil {
				return err
			}
		}
	}
	if d.HasChange("security_groups") && d.Get("security_groups").IsWhollyKnown() {
		oldSG := osfw.StringsOf(d.Old("security_groups"))
		newSG := d.StringList("security_groups")
		for _, g := range oldSG {
			if !slices.Contains(newSG, g) {
				err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), map[string]any{"removeSecurityGroup": map[string]string{"name": g}}, nil, http.StatusAccepted)
				if err != nil && !osfw.IsNotFound(err) {
					return fmt.Errorf("removing security group %s: %w", g, err)
				}
			}
		}
		for _, g := range newSG {
			if !slices.Contains(oldSG, g) {
				err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), map[string]any{"addSecurityGroup": map[string]string{"name": g}}, nil, http.StatusAccepted)
				if err != nil {
					return fmt.Errorf("adding security group %s: %w", g, err)
				}
			}
		}
	}
	if d.HasChange("admin_pass") && d.String("admin_pass") != "" {
		if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), map[string]any{"changePassword": map[string]string{"adminPass": d.String("admin_pass")}}, nil, http.StatusAccepted); err != nil {
			return err
		}
	}
	if d.HasChange("flavor_id") || d.HasChange("flavor_name") {
		if err := resizeInstance(ctx, c, d); err != nil {
			return err
		}
	}
	if d.HasChange("all_tags") || d.HasChange("tags") {
		tags := d.AllTags()
		if tags == nil {
			tags = []string{}
		}
		if err := call(ctx, sc, http.MethodPut, sc.ServiceURL("servers", id, "tags"), map[string]any{"tags": tags}, nil, http.StatusOK); err != nil {
			return err
		}
	}
	return nil
}

// resizeInstance moves the server to the planned flavor and confirms the
// resize (unless vendor_options says not to).
func resizeInstance(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	flavorID := d.String("flavor_id")
	if !d.Known("flavor_id") || d.HasChange("flavor_name") && !d.HasChange("flavor_id") {
		if flavorID, err = flavorIDByName(ctx, sc, d.String("flavor_name")); err != nil {
			return err
		}
	}
	ignoreConfirm := false
	for _, v := range d.Blocks("vendor_options") {
		ignoreConfirm = v.Bool("ignore_resize_confirmation")
	}
	id := d.ID()
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), map[string]any{"resize": map[string]any{"flavorRef": flavorID}}, nil, http.StatusAccepted); err != nil {
		return err
	}
	what := "resizing server " + id
	if ignoreConfirm {
		return waitServer(ctx, c, id, what, d.Timeout("update"), "ACTIVE", "SHUTOFF")
	}
	if err := waitResize(ctx, c, id, what, d.Old("flavor_name"), d.Timeout("update")); err != nil {
		return err
	}
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), map[string]any{"confirmResize": nil}, nil, http.StatusNoContent, http.StatusAccepted); err != nil {
		return err
	}
	return waitServer(ctx, c, id, "confirming the resize of server "+id, d.Timeout("update"), "ACTIVE", "SHUTOFF")
}

// waitResize waits for a resized server to await confirmation. A resize
// the cloud could not carry out leaves the server as it was, with no task
// under way and the old flavor: that fails at once, with what the
// server's latest action says.
func waitResize(ctx context.Context, c *osfw.Client, id, what string, oldFlavor cty.Value, timeout time.Duration) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	old := ""
	if oldFlavor.IsKnown() && !oldFlavor.IsNull() {
		old = oldFlavor.AsString()
	}
	return osfw.Wait(ctx, what, timeout, []string{"VERIFY_RESIZE"}, []string{"RESIZE_FAILED"}, func(ctx context.Context) (osfw.Poll, error) {
		s, err := getServer(ctx, sc, id)
		if err != nil {
			return osfw.Poll{}, err
		}
		name, _ := s.Flavor["original_name"].(string)
		if (s.Status == "ACTIVE" || s.Status == "SHUTOFF") && s.TaskState == nil && name == old {
			return osfw.Poll{Status: "RESIZE_FAILED", Fault: resizeFault(ctx, sc, id)}, nil
		}
		return osfw.Poll{Status: s.Status, Fault: s.fault()}, nil
	})
}

// resizeFault explains a failed resize from the server's latest action.
func resizeFault(ctx context.Context, sc *gophercloud.ServiceClient, id string) string {
	const generic = "the cloud did not resize the server (no host could take the new flavor; a single-host cloud must allow resizing on the same host)"
	var out struct {
		Actions []struct {
			Action  string  `json:"action"`
			Message *string `json:"message"`
		} `json:"instanceActions"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("servers", id, "os-instance-actions"), nil, &out, http.StatusOK); err != nil {
		return generic
	}
	for _, a := range out.Actions {
		if a.Action == "resize" && a.Message != nil && *a.Message != "" {
			return generic + ": " + *a.Message
		}
	}
	return generic
}

func deleteInstance(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	id := d.ID()
	if d.Bool("stop_before_destroy") {
		err := call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), map[string]any{"os-stop": nil}, nil, http.StatusAccepted)
		if err == nil {
			_ = waitServer(ctx, c, id, "stopping server "+id, d.Timeout("delete"), "SHUTOFF")
		} else if osfw.IsNotFound(err) {
			return nil
		}
	}
	for _, v := range d.Blocks("vendor_options") {
		if v.Bool("detach_ports_before_destroy") {
			if err := detachPorts(ctx, c, id, d.Timeout("delete")); err != nil {
				return err
			}
		}
	}
	if d.Bool("force_delete") {
		err = call(ctx, sc, http.MethodPost, sc.ServiceURL("servers", id, "action"), map[string]any{"forceDelete": nil}, nil, http.StatusAccepted)
	} else {
		err = call(ctx, sc, http.MethodDelete, sc.ServiceURL("servers", id), nil, nil, http.StatusNoContent, http.StatusAccepted)
	}
	if err != nil {
		return err
	}
	return waitServer(ctx, c, id, "deleting server "+id, d.Timeout("delete"), "deleted")
}

// detachPorts detaches the server's ports (so that ports made outside the
// server survive it) and waits until none is left.
func detachPorts(ctx context.Context, c *osfw.Client, id string, timeout time.Duration) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	list := func(ctx context.Context) ([]string, error) {
		var out struct {
			Attachments []struct {
				PortID string `json:"port_id"`
			} `json:"interfaceAttachments"`
		}
		if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("servers", id, "os-interface"), nil, &out, http.StatusOK); err != nil {
			return nil, err
		}
		var ids []string
		for _, a := range out.Attachments {
			ids = append(ids, a.PortID)
		}
		return ids, nil
	}
	ports, err := list(ctx)
	if err != nil {
		if osfw.IsNotFound(err) {
			return nil
		}
		return err
	}
	for _, p := range ports {
		err := call(ctx, sc, http.MethodDelete, sc.ServiceURL("servers", id, "os-interface", p), nil, nil, http.StatusAccepted, http.StatusNoContent)
		if err != nil && !osfw.IsNotFound(err) {
			return fmt.Errorf("detaching port %s: %w", p, err)
		}
	}
	return osfw.Wait(ctx, "detaching the ports of server "+id, timeout, []string{"detached"}, nil, func(ctx context.Context) (osfw.Poll, error) {
		left, err := list(ctx)
		if err != nil {
			return osfw.Poll{}, err
		}
		if len(left) == 0 {
			return osfw.Poll{Status: "detached"}, nil
		}
		return osfw.Poll{Status: "detaching"}, nil
	})
}

// findInstance looks for the one server of the project with the planned
// name, for the adoption of a create whose answer was lost.
func findInstance(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := nova(c, "")
	if err != nil {
		return false, err
	}
	var out struct {
		Servers []server `json:"servers"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("servers", "detail")+query("name", exactName(name)), nil, &out, http.StatusOK); err != nil {
		return false, err
	}
	var match []server
	for _, s := range out.Servers {
		if s.Name == name && s.Status != "DELETED" {
			match = append(match, s)
		}
	}
	if len(match) != 1 {
		return false, nil
	}
	d.SetID(match[0].ID)
	return true, nil
}

// adoptedInstance waits, as the create would have, for a server found in
// place of a create to be built; the power state the configuration asks
// for is then the update's to set.
func adoptedInstance(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	return waitServer(ctx, c, d.ID(), "creating server "+d.ID(), d.Timeout("create"), "ACTIVE", "SHUTOFF", "PAUSED", "SHELVED_OFFLOADED")
}

// instanceImageID resolves image_id or image_name.
func instanceImageID(ctx context.Context, c *osfw.Client, d *osfw.Data) (string, error) {
	if id := d.String("image_id"); id != "" && id != noImage {
		return id, nil
	}
	name := d.String("image_name")
	if name == "" {
		return "", nil
	}
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return "", err
	}
	var out struct {
		Images []struct {
			ID string `json:"id"`
		} `json:"images"`
	}
	if _, err := sc.Get(ctx, sc.ServiceURL("images")+query("name", name), &out, nil); err != nil {
		return "", err
	}
	switch len(out.Images) {
	case 0:
		return "", osfw.AttrError("image_name", "no image named %q", name)
	case 1:
		return out.Images[0].ID, nil
	}
	return "", osfw.AttrError("image_name", "%d images are named %q; use image_id", len(out.Images), name)
}

// instanceFlavorID resolves flavor_id or flavor_name.
func instanceFlavorID(ctx context.Context, c *osfw.Client, d *osfw.Data) (string, error) {
	if id := d.String("flavor_id"); id != "" {
		return id, nil
	}
	name := d.String("flavor_name")
	if name == "" {
		return "", osfw.AttrError("flavor_id", "set flavor_id or flavor_name")
	}
	sc, err := nova(c, "")
	if err != nil {
		return "", err
	}
	return flavorIDByName(ctx, sc, name)
}

func flavorIDByName(ctx context.Context, sc *gophercloud.ServiceClient, name string) (string, error) {
	all, err := listFlavors(ctx, sc, "")
	if err != nil {
		return "", err
	}
	var ids []string
	for _, f := range all {
		if f.Name == name {
			ids = append(ids, f.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", osfw.AttrError("flavor_name", "no flavor named %q", name)
	case 1:
		return ids[0], nil
	}
	return "", osfw.AttrError("flavor_name", "%d flavors are named %q; use flavor_id", len(ids), name)
}

// port is a Neutron port, as far as servers need it.
type port struct {
	ID        string `json:"id"`
	NetworkID string `json:"network_id"`
	DeviceID  string `json:"device_id"`
	MAC       string `json:"mac_address"`
	CreatedAt string `json:"created_at"`
}

// listPorts lists the ports of the given servers, in as few requests as
// the URL length allows.
func listPorts(ctx context.Context, c *osfw.Client, serverIDs []string) ([]port, error) {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return nil, err
	}
	var out []port
	for _, chunk := range chunks(serverIDs, "device_id") {
		var kv []string
		for _, id := range chunk {
			kv = append(kv, "device_id", id)
		}
		kv = append(kv, "fields", "id", "fields", "network_id", "fields", "device_id", "fields", "mac_address", "fields", "created_at")
		err := eachPage(ctx, sc, sc.ServiceURL("ports")+query(kv...), "ports_links", func(p pagination.Page) error {
			var body struct {
				Ports []port `json:"ports"`
			}
			if err := p.(linkedPage).ExtractInto(&body); err != nil {
				return err
			}
			out = append(out, body.Ports...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// networkIDByName finds the one network with the name.
func networkIDByName(ctx context.Context, c *osfw.Client, name string) (string, error) {
	sc, err := c.Service(osfw.Network)
	if err != nil {
		return "", err
	}
	var out struct {
		Networks []struct {
			ID string `json:"id"`
		} `json:"networks"`
	}
	if _, err := sc.Get(ctx, sc.ServiceURL("networks")+query("name", name, "fields", "id"), &out, nil); err != nil {
		return "", err
	}
	switch len(out.Networks) {
	case 0:
		return "", errors.New("no network named " + name)
	case 1:
		return out.Networks[0].ID, nil
	}
	return "", fmt.Errorf("%d networks are named %s; use network.uuid", len(out.Networks), name)
}
