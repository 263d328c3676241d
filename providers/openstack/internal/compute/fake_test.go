package compute

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const cp = osfwtest.ComputePath

// fakeNova keeps servers, flavors, key pairs, server groups, quotas and
// volume attachments in memory, with the Neutron ports and Cinder volumes
// they touch.
type fakeNova struct {
	t  *testing.T
	mu sync.Mutex

	servers map[string]map[string]any
	order   []string
	// buildPolls is how many looks a new server stays in BUILD.
	buildPolls int
	polls      map[string]int
	// failWith, when set, sends new servers to ERROR with this fault.
	failWith string
	// rejectCreate, when set, is the error answer to a create.
	rejectCreate func(w http.ResponseWriter)
	// refuseResize makes a resize leave the server as it was.
	refuseResize bool
	actions      []string
	detached     []string

	flavors     map[string]map[string]any
	keypairs    map[string]map[string]any
	groups      map[string]map[string]any
	quotas      map[string]map[string]any
	attachments map[string]map[string]string // server → volume → device
	volumes     map[string]string            // volume → status
	ports       []map[string]any
	next        int
}

func newFakeNova(c *osfwtest.Cloud, t *testing.T) *fakeNova {
	f := &fakeNova{t: t, servers: map[string]map[string]any{}, polls: map[string]int{}, buildPolls: 1,
		flavors: map[string]map[string]any{
			"f1": {"id": "f1", "name": "m1.tiny", "ram": 512, "vcpus": 1, "disk": 1, "swap": 0, "OS-FLV-EXT-DATA:ephemeral": 0, "os-flavor-access:is_public": true, "rxtx_factor": 1.0, "description": nil, "extra_specs": map[string]any{}},
			"f2": {"id": "f2", "name": "m1.small", "ram": 2048, "vcpus": 1, "disk": 20, "swap": 0, "OS-FLV-EXT-DATA:ephemeral": 0, "os-flavor-access:is_public": true, "rxtx_factor": 1.0, "description": nil, "extra_specs": map[string]any{}},
		},
		keypairs: map[string]map[string]any{}, groups: map[string]map[string]any{}, quotas: map[string]map[string]any{},
		attachments: map[string]map[string]string{}, volumes: map[string]string{},
	}
	c.Handle("POST "+cp+"servers", f.createServer)
	c.Handle("GET "+cp+"servers/{id}", f.getServer)
	c.Handle("GET "+cp+"servers/detail", f.listServers)
	c.Handle("PUT "+cp+"servers/{id}", f.updateServer)
	c.Handle("DELETE "+cp+"servers/{id}", f.deleteServer)
	c.Handle("POST "+cp+"servers/{id}/action", f.action)
	c.Handle("POST "+cp+"servers/{id}/metadata", f.updateMetadata)
	c.Handle("DELETE "+cp+"servers/{id}/metadata/{key}", f.deleteMetadatum)
	c.Handle("PUT "+cp+"servers/{id}/tags", f.replaceTags)
	c.Handle("GET "+cp+"servers/{id}/os-interface", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		out := []any{}
		for _, p := range f.ports {
			if p["device_id"] == r.PathValue("id") {
				out = append(out, map[string]any{"port_id": p["id"], "net_id": p["network_id"]})
			}
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"interfaceAttachments": out})
	})
	c.Handle("DELETE "+cp+"servers/{id}/os-interface/{port}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, p := range f.ports {
			if p["id"] == r.PathValue("port") {
				p["device_id"] = ""
				f.detached = append(f.detached, r.PathValue("port"))
			}
		}
		w.WriteHeader(http.StatusAccepted)
	})
	c.Handle("GET "+cp+"servers/{id}/os-instance-actions", func(w http.ResponseWriter, r *http.Request) {
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"instanceActions": []any{
			map[string]any{"action": "resize", "message": "Error"}, map[string]any{"action": "create", "message": nil}}})
	})
	c.Handle("GET "+cp+"flavors/detail", f.listFlavors)
	c.Handle("GET "+cp+"flavors/{id}", f.getFlavor)
	c.Handle("POST "+cp+"flavors", f.createFlavor)
	c.Handle("DELETE "+cp+"flavors/{id}", f.deleteFlavor)
	c.Handle("POST "+cp+"flavors/{id}/os-extra_specs", f.setExtraSpecs)
	c.Handle("DELETE "+cp+"flavors/{id}/os-extra_specs/{key}", f.deleteExtraSpec)
	c.Handle("GET "+osfwtest.NetworkPath+"v2.0/ports", f.listPorts)
	c.Handle("GET "+osfwtest.NetworkPath+"v2.0/networks", func(w http.ResponseWriter, r *http.Request) {
		nets := []any{}
		if r.URL.Query().Get("name") == "lan" {
			nets = append(nets, map[string]any{"id": "net-lan"})
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"networks": nets})
	})
	c.Handle("GET "+osfwtest.ImagePath+"v2/images/{id}", func(w http.ResponseWriter, r *http.Request) {
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "name": "cirros"})
	})
	c.Handle("GET "+osfwtest.ImagePath+"v2/images", func(w http.ResponseWriter, r *http.Request) {
		imgs := []any{}
		if r.URL.Query().Get("name") == "cirros" {
			imgs = append(imgs, map[string]any{"id": "img-1", "name": "cirros"})
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"images": imgs})
	})
	f.keypairHandlers(c)
	f.groupHandlers(c)
	f.quotaHandlers(c)
	f.attachHandlers(c)
	return f
}

func (f *fakeNova) id(prefix string) string {
	f.next++
	return fmt.Sprintf("%s-%d", prefix, f.next)
}

func (f *fakeNova) createServer(w http.ResponseWriter, r *http.Request) {
	if f.rejectCreate != nil {
		f.rejectCreate(w)
		return
	}
	req := osfwtest.ReadJSON(f.t, r)
	body := req["server"].(map[string]any)
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.id("srv")
	flavor := f.flavors[body["flavorRef"].(string)]
	if flavor == nil {
		osfwtest.WriteJSON(w, http.StatusBadRequest, map[string]any{"badRequest": map[string]any{"code": 400, "message": "Flavor could not be found."}})
		return
	}
	md := map[string]any{}
	if m, ok := body["metadata"].(map[string]any); ok {
		md = m
	}
	tags := []any{}
	if tl, ok := body["tags"].([]any); ok {
		tags = tl
	}
	sgs := []any{}
	if l, ok := body["security_groups"].([]any); ok {
		sgs = l
	} else {
		sgs = append(sgs, map[string]any{"name": "default"})
	}
	addresses := map[string]any{}
	if nets, ok := body["networks"].([]any); ok {
		for i, n := range nets {
			nm := n.(map[string]any)
			netID, _ := nm["uuid"].(string)
			mac := fmt.Sprintf("fa:16:3e:00:00:%02d", f.next*10+i)
			ip := fmt.Sprintf("10.0.%d.%d", i, f.next)
			if fip, ok := nm["fixed_ip"].(string); ok {
				ip = fip
			}
			netName := strings.TrimPrefix(netID, "net-")
			addresses[netName] = []any{map[string]any{"addr": ip, "version": 4, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac}}
			f.ports = append(f.ports, map[string]any{"id": fmt.Sprintf("port-%s-%d", id, i), "network_id": netID, "device_id": id, "mac_address": mac, "created_at": fmt.Sprintf("2026-01-01T00:00:0%dZ", i)})
		}
	}
	image := any("")
	if ref, _ := body["imageRef"].(string); ref != "" {
		image = map[string]any{"id": ref}
	}
	s := map[string]any{"id": id, "name": body["name"], "status": "BUILD", "tenant_id": osfwtest.ProjectID,
		"created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "accessIPv4": "", "accessIPv6": "",
		"image": image, "flavor": map[string]any{"original_name": flavor["name"], "vcpus": flavor["vcpus"]},
		"addresses": addresses, "metadata": md, "key_name": body["key_name"], "security_groups": sgs, "tags": tags,
		"OS-EXT-AZ:availability_zone": "nova", "user_data": body["user_data"]}
	f.servers[id] = s
	f.order = append(f.order, id)
	osfwtest.WriteJSON(w, http.StatusAccepted, map[string]any{"server": map[string]any{"id": id, "adminPass": "generated"}})
}

// advance moves a server along after enough looks.
func (f *fakeNova) advance(s map[string]any) {
	id := s["id"].(string)
	f.polls[id]++
	if f.polls[id] <= f.buildPolls {
		return
	}
	switch s["status"] {
	case "BUILD":
		if f.failWith != "" {
			s["status"] = "ERROR"
			s["fault"] = map[string]any{"code": 500, "message": f.failWith}
		} else {
			s["status"] = "ACTIVE"
		}
	case "RESIZE":
		s["status"] = "VERIFY_RESIZE"
	case "DELETING":
		delete(f.servers, id)
	}
}

func (f *fakeNova) getServer(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.servers[r.PathValue("id")]
	if !ok {
		osfwtest.NotFound(w, "Instance")
		return
	}
	f.advance(s)
	if _, ok := f.servers[r.PathValue("id")]; !ok {
		osfwtest.NotFound(w, "Instance")
		return
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"server": s})
}

func (f *fakeNova) listServers(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []any{}
	name := strings.Trim(r.URL.Query().Get("name"), "^$")
	for _, id := range f.order {
		if s, ok := f.servers[id]; ok && (name == "" || s["name"] == strings.ReplaceAll(name, `\`, "")) {
			out = append(out, s)
		}
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"servers": out})
}

func (f *fakeNova) withServer(w http.ResponseWriter, r *http.Request, fn func(s map[string]any)) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.servers[r.PathValue("id")]
	if !ok {
		osfwtest.NotFound(w, "Instance")
		return false
	}
	fn(s)
	return true
}

func (f *fakeNova) updateServer(w http.ResponseWriter, r *http.Request) {
	body := osfwtest.ReadJSON(f.t, r)["server"].(map[string]any)
	var out map[string]any
	if f.withServer(w, r, func(s map[string]any) {
		for k, v := range body {
			s[k] = v
		}
		out = s
	}) {
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"server": out})
	}
}

func (f *fakeNova) deleteServer(w http.ResponseWriter, r *http.Request) {
	if f.withServer(w, r, func(s map[string]any) {
		s["status"] = "DELETING"
		f.polls[s["id"].(string)] = 0
	}) {
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeNova) action(w http.ResponseWriter, r *http.Request) {
	body := osfwtest.ReadJSON(f.t, r)
	status := http.StatusAccepted
	if f.withServer(w, r, func(s map[string]any) {
		for k, v := range body {
			f.actions = append(f.actions, k)
			switch k {
			case "resize":
				if f.refuseResize {
					continue
				}
				ref := v.(map[string]any)["flavorRef"].(string)
				s["status"] = "RESIZE"
				s["new_flavor"] = ref
				f.polls[s["id"].(string)] = 0
			case "confirmResize":
				fl := f.flavors[s["new_flavor"].(string)]
				s["flavor"] = map[string]any{"original_name": fl["name"], "vcpus": fl["vcpus"]}
				s["status"] = "ACTIVE"
				status = http.StatusNoContent
			case "os-stop":
				s["status"] = "SHUTOFF"
			case "os-start":
				s["status"] = "ACTIVE"
			case "addSecurityGroup":
				s["security_groups"] = append(s["security_groups"].([]any), map[string]any{"name": v.(map[string]any)["name"]})
			case "removeSecurityGroup":
				var keep []any
				for _, g := range s["security_groups"].([]any) {
					if g.(map[string]any)["name"] != v.(map[string]any)["name"] {
						keep = append(keep, g)
					}
				}
				s["security_groups"] = keep
			case "forceDelete":
				s["status"] = "DELETING"
			}
		}
	}) {
		w.WriteHeader(status)
	}
}

func (f *fakeNova) updateMetadata(w http.ResponseWriter, r *http.Request) {
	body := osfwtest.ReadJSON(f.t, r)["metadata"].(map[string]any)
	var md map[string]any
	if f.withServer(w, r, func(s map[string]any) {
		md = s["metadata"].(map[string]any)
		for k, v := range body {
			md[k] = v
		}
	}) {
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"metadata": md})
	}
}

func (f *fakeNova) deleteMetadatum(w http.ResponseWriter, r *http.Request) {
	if f.withServer(w, r, func(s map[string]any) { delete(s["metadata"].(map[string]any), r.PathValue("key")) }) {
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeNova) replaceTags(w http.ResponseWriter, r *http.Request) {
	body := osfwtest.ReadJSON(f.t, r)
	if f.withServer(w, r, func(s map[string]any) { s["tags"] = body["tags"] }) {
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"tags": body["tags"]})
	}
}

func (f *fakeNova) listPorts(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	devices := r.URL.Query()["device_id"]
	out := []any{}
	for _, p := range f.ports {
		for _, d := range devices {
			if p["device_id"] == d {
				out = append(out, p)
			}
		}
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"ports": out})
}

func (f *fakeNova) listFlavors(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []any{}
	for _, id := range sortedKeys(f.flavors) {
		out = append(out, f.flavors[id])
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"flavors": out})
}

func (f *fakeNova) getFlavor(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.flavors[r.PathValue("id")]
	if !ok {
		osfwtest.NotFound(w, "Flavor")
		return
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"flavor": fl})
}

func (f *fakeNova) createFlavor(w http.ResponseWriter, r *http.Request) {
	body := osfwtest.ReadJSON(f.t, r)["flavor"].(map[string]any)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fl := range f.flavors {
		if fl["name"] == body["name"] || fl["id"] == body["id"] {
			osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"conflictingRequest": map[string]any{"code": 409,
				"message": fmt.Sprintf("Flavor with name %v already exists.", body["name"])}})
			return
		}
	}
	id, _ := body["id"].(string)
	if id == "" {
		id = f.id("flv")
	}
	body["id"] = id
	body["extra_specs"] = map[string]any{}
	if _, ok := body["description"]; !ok {
		body["description"] = nil
	}
	f.flavors[id] = body
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"flavor": body})
}

func (f *fakeNova) deleteFlavor(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.flavors[r.PathValue("id")]; !ok {
		osfwtest.NotFound(w, "Flavor")
		return
	}
	delete(f.flavors, r.PathValue("id"))
	w.WriteHeader(http.StatusAccepted)
}

func (f *fakeNova) setExtraSpecs(w http.ResponseWriter, r *http.Request) {
	body := osfwtest.ReadJSON(f.t, r)["extra_specs"].(map[string]any)
	f.mu.Lock()
	defer f.mu.Unlock()
	specs := f.flavors[r.PathValue("id")]["extra_specs"].(map[string]any)
	for k, v := range body {
		specs[k] = v
	}
	osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"extra_specs": specs})
}

func (f *fakeNova) deleteExtraSpec(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.flavors[r.PathValue("id")]["extra_specs"].(map[string]any), r.PathValue("key"))
	w.WriteHeader(http.StatusOK)
}

func (f *fakeNova) keypairHandlers(c *osfwtest.Cloud) {
	c.Handle("POST "+cp+"os-keypairs", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(f.t, r)["keypair"].(map[string]any)
		f.mu.Lock()
		defer f.mu.Unlock()
		name := body["name"].(string)
		if _, ok := f.keypairs[name]; ok {
			osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"conflictingRequest": map[string]any{"code": 409, "message": "Key pair '" + name + "' already exists."}})
			return
		}
		k := map[string]any{"name": name, "fingerprint": "aa:bb", "type": "ssh", "user_id": "u1"}
		out := map[string]any{}
		for kk, v := range k {
			out[kk] = v
		}
		if pk, ok := body["public_key"].(string); ok {
			k["public_key"] = pk
		} else {
			k["public_key"] = "ssh-ed25519 AAAAgenerated"
			out["private_key"] = "-----BEGIN PRIVATE KEY-----"
		}
		out["public_key"] = k["public_key"]
		f.keypairs[name] = k
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"keypair": out})
	})
	c.Handle("GET "+cp+"os-keypairs/{name}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		k, ok := f.keypairs[r.PathValue("name")]
		if !ok {
			osfwtest.NotFound(w, "Keypair")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"keypair": k})
	})
	c.Handle("GET "+cp+"os-keypairs", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		out := []any{}
		for _, name := range sortedKeys(f.keypairs) {
			k := f.keypairs[name]
			out = append(out, map[string]any{"keypair": map[string]any{"name": k["name"], "public_key": k["public_key"], "fingerprint": k["fingerprint"], "type": "ssh"}})
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"keypairs": out})
	})
	c.Handle("DELETE "+cp+"os-keypairs/{name}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.keypairs[r.PathValue("name")]; !ok {
			osfwtest.NotFound(w, "Keypair")
			return
		}
		delete(f.keypairs, r.PathValue("name"))
		w.WriteHeader(http.StatusAccepted)
	})
}

func (f *fakeNova) groupHandlers(c *osfwtest.Cloud) {
	c.Handle("POST "+cp+"os-server-groups", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(f.t, r)["server_group"].(map[string]any)
		f.mu.Lock()
		defer f.mu.Unlock()
		id := f.id("sg")
		rules := map[string]any{}
		if rl, ok := body["rules"].(map[string]any); ok {
			rules = rl
		}
		g := map[string]any{"id": id, "name": body["name"], "policy": body["policy"], "rules": rules, "members": []any{}}
		f.groups[id] = g
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"server_group": g})
	})
	c.Handle("GET "+cp+"os-server-groups/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		g, ok := f.groups[r.PathValue("id")]
		if !ok {
			osfwtest.NotFound(w, "Server group")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"server_group": g})
	})
	c.Handle("GET "+cp+"os-server-groups", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		out := []any{}
		for _, id := range sortedKeys(f.groups) {
			out = append(out, f.groups[id])
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"server_groups": out})
	})
	c.Handle("DELETE "+cp+"os-server-groups/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.groups[r.PathValue("id")]; !ok {
			osfwtest.NotFound(w, "Server group")
			return
		}
		delete(f.groups, r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	})
}

var quotaDefaults = map[string]any{"instances": 10.0, "cores": 20.0, "ram": 51200.0, "key_pairs": 100.0, "server_groups": 10.0,
	"server_group_members": 10.0, "metadata_items": 128.0, "injected_files": 5.0, "injected_file_content_bytes": 10240.0,
	"injected_file_path_bytes": 255.0, "fixed_ips": -1.0, "floating_ips": -1.0, "security_groups": -1.0, "security_group_rules": -1.0}

func (f *fakeNova) quotaHandlers(c *osfwtest.Cloud) {
	get := func(p string) map[string]any {
		q, ok := f.quotas[p]
		if !ok {
			q = map[string]any{"id": p}
			for k, v := range quotaDefaults {
				q[k] = v
			}
			f.quotas[p] = q
		}
		return q
	}
	c.Handle("GET "+cp+"os-quota-sets/{p}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"quota_set": get(r.PathValue("p"))})
	})
	c.Handle("PUT "+cp+"os-quota-sets/{p}", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(f.t, r)["quota_set"].(map[string]any)
		f.mu.Lock()
		defer f.mu.Unlock()
		q := get(r.PathValue("p"))
		for k, v := range body {
			q[k] = v
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"quota_set": q})
	})
	c.Handle("DELETE "+cp+"os-quota-sets/{p}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.quotas, r.PathValue("p"))
		w.WriteHeader(http.StatusAccepted)
	})
}

func (f *fakeNova) attachHandlers(c *osfwtest.Cloud) {
	c.Handle("POST "+cp+"servers/{id}/os-volume_attachments", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(f.t, r)["volumeAttachment"].(map[string]any)
		vol := body["volumeId"].(string)
		f.mu.Lock()
		defer f.mu.Unlock()
		sid := r.PathValue("id")
		s, ok := f.servers[sid]
		if !ok {
			osfwtest.NotFound(w, "Instance")
			return
		}
		if f.attachments[sid] == nil {
			f.attachments[sid] = map[string]string{}
		}
		f.attachments[sid][vol] = "/dev/vdb"
		f.volumes[vol] = "attaching"
		vols, _ := s["os-extended-volumes:volumes_attached"].([]any)
		s["os-extended-volumes:volumes_attached"] = append(vols, map[string]any{"id": vol})
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"volumeAttachment": map[string]any{"id": vol, "serverId": sid, "volumeId": vol, "device": "/dev/vdb"}})
	})
	c.Handle("GET "+cp+"servers/{id}/os-volume_attachments/{vol}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		dev, ok := f.attachments[r.PathValue("id")][r.PathValue("vol")]
		if !ok {
			osfwtest.NotFound(w, "Volume attachment")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"volumeAttachment": map[string]any{"serverId": r.PathValue("id"), "volumeId": r.PathValue("vol"), "device": dev}})
	})
	c.Handle("DELETE "+cp+"servers/{id}/os-volume_attachments/{vol}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		sid, vol := r.PathValue("id"), r.PathValue("vol")
		delete(f.attachments[sid], vol)
		f.volumes[vol] = "detaching"
		if s, ok := f.servers[sid]; ok {
			s["os-extended-volumes:volumes_attached"] = []any{}
		}
		w.WriteHeader(http.StatusAccepted)
	})
	c.Handle("GET "+osfwtest.VolumePath+"volumes/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		st := f.volumes[r.PathValue("id")]
		switch st {
		case "attaching":
			f.volumes[r.PathValue("id")] = "in-use"
		case "detaching":
			f.volumes[r.PathValue("id")] = "available"
		case "":
			st = "available"
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"volume": map[string]any{"id": r.PathValue("id"), "status": st}})
	})
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
