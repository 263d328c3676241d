package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// secrets must never appear in a report, in any form.
var secrets = []string{
	"Sup3r-Secret-Pw", "old-Secret-Pw", "db-pass-Xy7", "token-K3y-value", "output-S3cret", "state-Pass-Word",
}

const osProv = `provider["registry.opentofu.org/nuvola-pa/openstack"]`

var reportTime = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func addr(t testing.TB, s string) addrs.AbsResourceInstance {
	t.Helper()
	a, diags := addrs.ParseAbsResourceInstanceStr(s)
	if diags.HasErrors() {
		t.Fatalf("bad address %q: %s", s, diags.Error())
	}
	return a
}

func res(t testing.TB, s string) addrs.AbsResource { return addr(t, s).ContainingResource() }

var str = cty.StringVal

func strs(ss ...string) []cty.Value {
	out := make([]cty.Value, len(ss))
	for i, s := range ss {
		out[i] = str(s)
	}
	return out
}

func tagSet(ente, class string, more ...string) cty.Value {
	return cty.SetVal(strs(append([]string{"classification=" + class, "ente=" + ente, "managed-by=nuvola"}, more...)...))
}

func osNetwork(name, ente, class string, id cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id": id, "name": str(name), "admin_state_up": cty.True, "mtu": cty.NumberIntVal(1450),
		"tags": cty.SetVal(strs("web")), "all_tags": tagSet(ente, class, "web"),
	})
}

func rule(port int, cidr string, sg cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id": cty.UnknownVal(cty.String), "direction": str("ingress"), "ethertype": str("IPv4"), "protocol": str("tcp"),
		"port_range_min": cty.NumberIntVal(int64(port)), "port_range_max": cty.NumberIntVal(int64(port)),
		"remote_ip_prefix": str(cidr), "security_group_id": sg,
		"all_tags": tagSet("c_h501", "critico"),
	})
}

var netBlockTy = cty.Object(map[string]cty.Type{"uuid": cty.String, "fixed_ip_v4": cty.String})

func server(name, flavor, userData string, nets []cty.Value, md map[string]cty.Value, sgs []cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id": str("6f1c0a52-srv"), "name": str(name), "flavor_name": str(flavor),
		"image_id": str("img-debian-12"), "user_data": str(userData),
		"network":         cty.ListVal(nets),
		"metadata":        cty.MapVal(md),
		"all_metadata":    cty.MapVal(md),
		"security_groups": cty.SetVal(sgs),
		"all_tags":        tagSet("c_h501", "critico"),
		"admin_pass":      str("old-Secret-Pw"),
	})
}

// samplePlan is a plan of a comune's onboarding with one of everything a
// reviewer must see: creates, updates, replacements (with reason and the
// attributes forcing them), deletions, sensitive values, values known only
// after apply, moves, imports, reads, and policy findings with and without
// a waiver.
func samplePlan(t testing.TB) *plan.Plan {
	sgID := cty.UnknownVal(cty.String)
	netObj := func(uuid, ip string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"uuid": str(uuid), "fixed_ip_v4": str(ip)})
	}
	mod := `module.ente["c_h501"].`
	changes := []*plan.ResourceChange{
		{
			Addr: addr(t, mod+"openstack_networking_network_v2.net"), Provider: osProv, Action: plan.Create,
			Before: cty.NullVal(osNetwork("", "", "", str("")).Type()),
			After:  osNetwork("c_h501-net", "c_h501", "critico", cty.UnknownVal(cty.String)),
		},
		{
			Addr: addr(t, mod+"openstack_networking_secgroup_v2.web"), Provider: osProv, Action: plan.Create,
			After: cty.ObjectVal(map[string]cty.Value{"id": sgID, "name": str("web"), "description": str("Web servers\nof the comune"),
				"all_tags": tagSet("c_h501", "critico")}),
			Dependencies: []addrs.AbsResource{res(t, mod+"openstack_networking_network_v2.net")},
		},
		{
			Addr: addr(t, mod+`openstack_networking_secgroup_rule_v2.in["ssh"]`), Provider: osProv, Action: plan.Create,
			After:        rule(22, "0.0.0.0/0", sgID),
			Dependencies: []addrs.AbsResource{res(t, mod+"openstack_networking_secgroup_v2.web")},
		},
		{
			Addr: addr(t, mod+`openstack_networking_secgroup_rule_v2.in["https"]`), Provider: osProv, Action: plan.Create,
			After:        rule(443, "0.0.0.0/0", sgID),
			Dependencies: []addrs.AbsResource{res(t, mod+"openstack_networking_secgroup_v2.web")},
		},
		{
			// An update: nested blocks, a map, a set, a multi-line string
			// holding a sensitive variable's value, and a sensitive
			// attribute that changes.
			Addr: addr(t, mod+"openstack_compute_instance_v2.protocollo"), Provider: osProv, Action: plan.Update,
			Before: server("protocollo", "m1.medium", "#cloud-config\npackages: [nginx]\n",
				[]cty.Value{netObj("net-1", "10.0.0.10"), netObj("net-2", "10.1.0.10")},
				map[string]cty.Value{"ente": str("c_h501"), "classification": str("critico"), "owner": str("ufficio protocollo")},
				strs("default", "web")),
			After: server("protocollo", "m1.large", "#cloud-config\npackages: [nginx]\nwrite_files:\n- content: db-pass-Xy7\n",
				[]cty.Value{netObj("net-1", "10.0.0.10"), netObj("net-2", "10.1.0.11")},
				map[string]cty.Value{"ente": str("c_h501"), "classification": str("critico"), "owner": str("servizi demografici")},
				strs("default", "web", "ssh")),
			BeforeSensitive: []cty.Path{cty.GetAttrPath("admin_pass")},
			AfterSensitive:  []cty.Path{cty.GetAttrPath("admin_pass")},
			Dependencies:    []addrs.AbsResource{res(t, mod+"openstack_networking_secgroup_v2.web"), res(t, mod+"openstack_networking_network_v2.net")},
		},
		{
			Addr: addr(t, mod+"openstack_blockstorage_volume_v3.archivio"), Provider: osProv, Action: plan.DeleteThenCreate,
			Reason: plan.ReasonReplaceBecauseCannotUpdate,
			Before: cty.ObjectVal(map[string]cty.Value{"id": str("vol-1"), "name": str("archivio"), "size": cty.NumberIntVal(100),
				"volume_type": str("standard"), "all_metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_h501"), "classification": str("strategico")})}),
			After: cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "name": str("archivio"), "size": cty.NumberIntVal(100),
				"volume_type": str("encrypted"), "all_metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_h501"), "classification": str("strategico")})}),
			RequiredReplace: []cty.Path{cty.GetAttrPath("volume_type")},
		},
		{
			Addr: addr(t, mod+"openstack_identity_user_v3.backup"), Provider: osProv, Action: plan.CreateThenDelete,
			Reason: plan.ReasonReplaceByRequest, CreateBeforeDestroy: true,
			Before: cty.ObjectVal(map[string]cty.Value{"id": str("u-1"), "name": str("backup"), "password": str("state-Pass-Word"),
				"extra": cty.MapVal(map[string]cty.Value{"ente": str("c_h501")})}),
			After: cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "name": str("backup"), "password": str("Sup3r-Secret-Pw"),
				"extra": cty.MapVal(map[string]cty.Value{"ente": str("c_h501")})}),
			BeforeSensitive: []cty.Path{cty.GetAttrPath("password")},
			AfterSensitive:  []cty.Path{cty.GetAttrPath("password")},
		},
		{
			Addr: addr(t, "openstack_compute_keypair_v2.operatore"), Provider: osProv, Action: plan.Delete,
			Reason: plan.ReasonDeleteNoResourceConfig,
			Before: cty.ObjectVal(map[string]cty.Value{"id": str("operatore"), "name": str("operatore"), "public_key": str("ssh-ed25519 AAAAC3Nza operatore@regione")}),
			After:  cty.NullVal(cty.DynamicPseudoType),
		},
		{
			Addr: addr(t, `module.ente["c_a944"].openstack_objectstorage_container_v1.atti[0]`), Provider: osProv, Action: plan.Delete,
			Reason: plan.ReasonDeleteCountIndex,
			Before: cty.ObjectVal(map[string]cty.Value{"name": str("atti-0"), "versioning": cty.True,
				"all_metadata": cty.MapVal(map[string]cty.Value{"ente": str("c_a944"), "classification": str("ordinario")})}),
			After: cty.NullVal(cty.DynamicPseudoType),
		},
		{
			// Whole values known only after apply, and a token the schema
			// alone declares sensitive.
			Addr: addr(t, `module.ente["c_a944"].openstack_identity_application_credential_v3.ci`), Provider: osProv, Action: plan.Create,
			After: cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String), "name": str("ci"),
				"secret": str("token-K3y-value"), "roles": cty.UnknownVal(cty.List(cty.String)),
				"access_rules": cty.ListValEmpty(cty.Object(map[string]cty.Type{"path": cty.String})),
				"tags":         cty.ListVal(strs("ente=c_a944", "classification=ordinario"))}),
		},
		{
			Addr: addr(t, `openstack_networking_floatingip_v2.sito`), PrevRunAddr: addr(t, `openstack_networking_floatingip_v2.web`),
			Provider: osProv, Action: plan.NoOp,
			Before: cty.ObjectVal(map[string]cty.Value{"id": str("fip-1"), "address": str("203.0.113.10")}),
			After:  cty.ObjectVal(map[string]cty.Value{"id": str("fip-1"), "address": str("203.0.113.10")}),
		},
		{
			Addr: addr(t, `openstack_images_image_v2.debian`), Provider: osProv, Action: plan.NoOp, ImportID: "img-debian-12",
			Before: cty.ObjectVal(map[string]cty.Value{"id": str("img-debian-12"), "name": str("debian-12")}),
			After:  cty.ObjectVal(map[string]cty.Value{"id": str("img-debian-12"), "name": str("debian-12")}),
		},
		{
			Addr: addr(t, `data.openstack_networking_network_v2.public`), Provider: osProv, Action: plan.Read,
			Reason: plan.ReasonReadBecauseConfigUnknown,
			After:  cty.UnknownVal(cty.Object(map[string]cty.Type{"id": cty.String, "name": cty.String})),
		},
		{
			// Unchanged: not in the report.
			Addr: addr(t, `openstack_identity_project_v3.regione`), Provider: osProv, Action: plan.NoOp,
			Before: cty.ObjectVal(map[string]cty.Value{"id": str("p-1")}), After: cty.ObjectVal(map[string]cty.Value{"id": str("p-1")}),
		},
	}
	return &plan.Plan{
		Changes:            changes,
		StateLineage:       "5b1f7c1e-lineage",
		StateSerial:        42,
		Timestamp:          reportTime,
		NuvolaVersion:      "0.9.0",
		Variables:          map[string]cty.Value{"region": str("it-fi1"), "db_password": str("db-pass-Xy7"), "ente": str("c_h501")},
		SensitiveVariables: []string{"db_password"},
		Outputs: []*plan.OutputChange{
			{Name: "network_id", Action: plan.Create, After: cty.UnknownVal(cty.String)},
			{Name: "ci_secret", Action: plan.Create, After: str("output-S3cret"), Sensitive: true},
			{Name: "unchanged", Action: plan.NoOp, Before: str("x"), After: str("x")},
		},
		PolicyResults: []*plan.PolicyResult{
			{Baseline: "agid-minime", RuleID: "NV-NET-001", Severity: plan.SeverityError,
				Address: mod + `openstack_networking_secgroup_rule_v2.in["ssh"]`, Path: cty.GetAttrPath("remote_ip_prefix"),
				Message: "SSH (port 22) open to 0.0.0.0/0", Control: "AgID ABSC 5.1.1",
				Filename: "modules/ente/network.tf", Line: 31, Column: 22},
			{Baseline: "acn-classificazione", RuleID: "NV-VOL-002", Severity: plan.SeverityError,
				Address: mod + "openstack_blockstorage_volume_v3.archivio", Path: cty.GetAttrPath("volume_type"),
				Message: "strategic data on a volume type without encryption at rest", Control: "ACN QC-STR 4.3",
				Filename: "modules/ente/storage.tf", Line: 12,
				Waiver: &plan.PolicyWaiver{RuleID: "NV-VOL-002", Resource: mod + "openstack_blockstorage_volume_v3.archivio",
					Reason: "migration wave 2: the encrypted type arrives in May", ApprovedBy: "dpo@comune.example.it", Expires: "2025-06-30"}},
			{Baseline: "agid-minime", RuleID: "NV-TAG-003", Severity: plan.SeverityWarning,
				Address: "openstack_compute_keypair_v2.operatore", Message: "object without an ente tag", Control: "AgID ABSC 1.1.1"},
			{RuleID: "NV-CFG-001", Severity: plan.SeverityError, Message: "no backup policy for <critico> data",
				Control: "ACN QC-CRIT 2.1", Filename: "main.tf", Line: 3},
		},
	}
}

// bigPlan is a plan of n changes over several enti and modules, each
// resource depending on the one before it, for benchmarks and sizes.
func bigPlan(t testing.TB, n int) *plan.Plan {
	p := &plan.Plan{Timestamp: reportTime, NuvolaVersion: "0.9.0", StateLineage: "l", StateSerial: 1}
	actions := []plan.Action{plan.Create, plan.Create, plan.Update, plan.Create, plan.DeleteThenCreate, plan.Delete}
	for i := 0; i < n; i++ {
		ente := fmt.Sprintf("c_%04d", i%7)
		a := addr(t, fmt.Sprintf(`module.ente["%s"].openstack_networking_port_v2.p%d[%d]`, ente, i/10, i%10))
		obj := func(name string, id cty.Value) cty.Value {
			return cty.ObjectVal(map[string]cty.Value{
				"id": id, "name": str(name), "network_id": str("net-" + ente), "admin_state_up": cty.True,
				"fixed_ip": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"subnet_id": str("sub-1"), "ip_address": str(fmt.Sprintf("10.0.%d.%d", i/250, i%250))})}),
				"all_tags": tagSet(ente, []string{"ordinario", "critico", "strategico"}[i%3]),
			})
		}
		c := &plan.ResourceChange{Addr: a, Provider: osProv, Action: actions[i%len(actions)]}
		switch c.Action {
		case plan.Create:
			c.After = obj(fmt.Sprintf("port-%d", i), cty.UnknownVal(cty.String))
		case plan.Update:
			c.Before, c.After = obj(fmt.Sprintf("port-%d", i), str("id")), obj(fmt.Sprintf("port-%d-new", i), str("id"))
		case plan.DeleteThenCreate:
			c.Reason = plan.ReasonReplaceBecauseCannotUpdate
			c.RequiredReplace = []cty.Path{cty.GetAttrPath("network_id")}
			c.Before, c.After = obj(fmt.Sprintf("port-%d", i), str("id")), obj(fmt.Sprintf("port-%d", i), cty.UnknownVal(cty.String))
		case plan.Delete:
			c.Before, c.After = obj(fmt.Sprintf("port-%d", i), str("id")), cty.NullVal(cty.DynamicPseudoType)
		}
		if i >= 10 {
			c.Dependencies = []addrs.AbsResource{addr(t, fmt.Sprintf(`module.ente["%s"].openstack_networking_port_v2.p%d[0]`, fmt.Sprintf("c_%04d", (i-10)%7), (i-10)/10)).ContainingResource()}
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}
