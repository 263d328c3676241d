package blockstorage

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// fakeCinder keeps volumes, snapshots, backups, types and quotas in
// memory. A new volume, snapshot or backup is "creating" until it is read
// once, then becomes the status in finalStatus (default "available").
type fakeCinder struct {
	mu          sync.Mutex
	objs        map[string]map[string]map[string]any // kind -> id -> object
	next        int
	finalStatus string
	failReason  string
	messages    map[string]string // resource id -> user message
	quotas      map[string]map[string]any
	actions     []string
}

var defaultQuotas = map[string]any{"volumes": 10.0, "snapshots": 10.0, "gigabytes": 1000.0, "per_volume_gigabytes": -1.0,
	"backups": 10.0, "backup_gigabytes": 1000.0, "groups": 10.0, "volumes_standard": -1.0, "gigabytes_standard": -1.0, "snapshots_standard": -1.0}

func newFakeCinder(t *testing.T, c *osfwtest.Cloud) *fakeCinder {
	f := &fakeCinder{objs: map[string]map[string]map[string]any{"volumes": {}, "snapshots": {}, "backups": {}, "types": {}},
		finalStatus: "available", messages: map[string]string{}, quotas: map[string]map[string]any{}}
	base := osfwtest.VolumePath
	for _, kind := range []string{"volumes", "snapshots", "backups"} {
		single := strings.TrimSuffix(kind, "s")
		c.Handle("POST "+base+kind, func(w http.ResponseWriter, r *http.Request) {
			body := osfwtest.ReadJSON(t, r)[single].(map[string]any)
			f.mu.Lock()
			f.next++
			id := fmt.Sprintf("%s-%d", single, f.next)
			o := map[string]any{"id": id, "status": "creating", "name": body["name"], "description": body["description"],
				"metadata": map[string]any{}, "os-vol-tenant-attr:tenant_id": osfwtest.ProjectID}
			for k, v := range body {
				o[k] = v
			}
			if o["metadata"] == nil {
				o["metadata"] = map[string]any{}
			}
			switch kind {
			case "volumes":
				o["availability_zone"], o["volume_type"], o["attachments"] = "nova", "standard", []any{}
			case "snapshots":
				o["size"] = f.objs["volumes"][body["volume_id"].(string)]["size"]
			case "backups":
				o["size"], o["container"] = 1, "volumebackups"
			}
			if b, ok := body["backup_id"].(string); ok && kind == "volumes" {
				md := o["metadata"].(map[string]any)
				md["src_backup_id"] = b
			}
			f.objs[kind][id] = o
			f.mu.Unlock()
			osfwtest.WriteJSON(w, http.StatusAccepted, map[string]any{single: o})
		})
		c.Handle("GET "+base+kind+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			o, ok := f.objs[kind][r.PathValue("id")]
			if ok {
				switch o["status"] {
				case "creating", "extending":
					o["status"] = f.finalStatus
					if f.finalStatus == "error" && kind == "backups" {
						o["fail_reason"] = f.failReason
					}
				case "extending-attached":
					o["status"] = "in-use"
				case "deleting":
					delete(f.objs[kind], r.PathValue("id"))
					ok = false
				}
			}
			f.mu.Unlock()
			if !ok {
				osfwtest.NotFound(w, single)
				return
			}
			osfwtest.WriteJSON(w, http.StatusOK, map[string]any{single: o})
		})
		c.Handle("GET "+base+kind+"/detail", func(w http.ResponseWriter, r *http.Request) {
			name := r.URL.Query().Get("name")
			f.mu.Lock()
			out := []any{}
			for _, o := range f.objs[kind] {
				if name == "" || o["name"] == name {
					out = append(out, o)
				}
			}
			f.mu.Unlock()
			osfwtest.WriteJSON(w, http.StatusOK, map[string]any{kind: out})
		})
		c.Handle("PUT "+base+kind+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			body := osfwtest.ReadJSON(t, r)[single].(map[string]any)
			f.mu.Lock()
			o, ok := f.objs[kind][r.PathValue("id")]
			for k, v := range body {
				if ok {
					o[k] = v
				}
			}
			f.mu.Unlock()
			if !ok {
				osfwtest.NotFound(w, single)
				return
			}
			osfwtest.WriteJSON(w, http.StatusOK, map[string]any{single: o})
		})
		c.Handle("PUT "+base+kind+"/{id}/metadata", func(w http.ResponseWriter, r *http.Request) {
			body := osfwtest.ReadJSON(t, r)
			f.mu.Lock()
			if o, ok := f.objs[kind][r.PathValue("id")]; ok {
				o["metadata"] = body["metadata"]
			}
			f.mu.Unlock()
			osfwtest.WriteJSON(w, http.StatusOK, body)
		})
		c.Handle("POST "+base+kind+"/{id}/metadata", func(w http.ResponseWriter, r *http.Request) {
			body := osfwtest.ReadJSON(t, r)
			f.mu.Lock()
			if o, ok := f.objs[kind][r.PathValue("id")]; ok {
				md, _ := o["metadata"].(map[string]any)
				if md == nil {
					md = map[string]any{}
				}
				for k, v := range body["metadata"].(map[string]any) {
					md[k] = v
				}
				o["metadata"] = md
			}
			f.mu.Unlock()
			osfwtest.WriteJSON(w, http.StatusOK, body)
		})
		c.Handle("DELETE "+base+kind+"/{id}/metadata/{key}", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			if o, ok := f.objs[kind][r.PathValue("id")]; ok {
				if md, ok := o["metadata"].(map[string]any); ok {
					delete(md, r.PathValue("key"))
				}
			}
			f.mu.Unlock()
			w.WriteHeader(http.StatusOK)
		})
		c.Handle("DELETE "+base+kind+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			o, ok := f.objs[kind][r.PathValue("id")]
			if ok {
				o["status"] = "deleting"
			}
			f.mu.Unlock()
			if !ok {
				osfwtest.NotFound(w, single)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		})
	}
	c.Handle("POST "+base+"volumes/{id}/action", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)
		f.mu.Lock()
		defer f.mu.Unlock()
		o, ok := f.objs["volumes"][r.PathValue("id")]
		if !ok {
			osfwtest.NotFound(w, "volume")
			return
		}
		if ext, ok := body["os-extend"].(map[string]any); ok {
			f.actions = append(f.actions, fmt.Sprintf("extend %s %v", r.PathValue("id"), ext["new_size"]))
			if mv := r.Header.Get("OpenStack-API-Version"); mv != "" {
				f.actions = append(f.actions, mv)
			}
			o["size"], o["status"] = ext["new_size"], "extending"
			if o["attachments"] != nil && len(o["attachments"].([]any)) > 0 {
				o["status"] = "extending-attached"
			}
		}
		w.WriteHeader(http.StatusAccepted)
	})
	c.Handle("GET "+base+"messages", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		msg := f.messages[r.URL.Query().Get("resource_uuid")]
		f.mu.Unlock()
		out := []any{}
		if msg != "" {
			out = append(out, map[string]any{"user_message": msg, "created_at": "2026-01-01T00:00:00"})
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"messages": out})
	})
	c.Handle("GET "+base+"os-availability-zone", func(w http.ResponseWriter, r *http.Request) {
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"availabilityZoneInfo": []any{
			map[string]any{"zoneName": "nova", "zoneState": map[string]any{"available": true}},
			map[string]any{"zoneName": "sala-b", "zoneState": map[string]any{"available": false}}}})
	})
	// Volume types.
	c.Handle("POST "+base+"types", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["volume_type"].(map[string]any)
		f.mu.Lock()
		for _, o := range f.objs["types"] {
			if o["name"] == body["name"] {
				f.mu.Unlock()
				osfwtest.WriteJSON(w, http.StatusConflict, map[string]any{"conflictingRequest": map[string]any{"code": 409,
					"message": fmt.Sprintf("Volume Type %s already exists.", body["name"])}})
				return
			}
		}
		f.next++
		id := fmt.Sprintf("type-%d", f.next)
		o := map[string]any{"id": id, "name": body["name"], "description": body["description"], "is_public": true, "extra_specs": map[string]any{}}
		if p, ok := body["os-volume-type-access:is_public"]; ok {
			o["is_public"] = p
		}
		if es, ok := body["extra_specs"]; ok {
			o["extra_specs"] = es
		}
		f.objs["types"][id] = o
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"volume_type": o})
	})
	c.Handle("GET "+base+"types/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		o, ok := f.objs["types"][r.PathValue("id")]
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "volume type")
			return
		}
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"volume_type": o})
	})
	c.Handle("GET "+base+"types", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		out := []any{}
		for _, o := range f.objs["types"] {
			out = append(out, o)
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"volume_types": out})
	})
	c.Handle("PUT "+base+"types/{id}", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["volume_type"].(map[string]any)
		f.mu.Lock()
		o := f.objs["types"][r.PathValue("id")]
		for k, v := range body {
			o[k] = v
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"volume_type": o})
	})
	c.Handle("POST "+base+"types/{id}/extra_specs", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["extra_specs"].(map[string]any)
		f.mu.Lock()
		es := f.objs["types"][r.PathValue("id")]["extra_specs"].(map[string]any)
		for k, v := range body {
			es[k] = v
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"extra_specs": es})
	})
	c.Handle("DELETE "+base+"types/{id}/extra_specs/{key}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		delete(f.objs["types"][r.PathValue("id")]["extra_specs"].(map[string]any), r.PathValue("key"))
		f.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	c.Handle("DELETE "+base+"types/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		_, ok := f.objs["types"][r.PathValue("id")]
		delete(f.objs["types"], r.PathValue("id"))
		f.mu.Unlock()
		if !ok {
			osfwtest.NotFound(w, "volume type")
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	// Quota sets.
	quotaOf := func(p string) map[string]any {
		q, ok := f.quotas[p]
		if !ok {
			q = map[string]any{}
			for k, v := range defaultQuotas {
				q[k] = v
			}
			f.quotas[p] = q
		}
		return q
	}
	c.Handle("GET "+base+"os-quota-sets/{p}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		q := quotaOf(r.PathValue("p"))
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"quota_set": q})
	})
	c.Handle("PUT "+base+"os-quota-sets/{p}", func(w http.ResponseWriter, r *http.Request) {
		body := osfwtest.ReadJSON(t, r)["quota_set"].(map[string]any)
		f.mu.Lock()
		q := quotaOf(r.PathValue("p"))
		for k, v := range body {
			q[k] = v
		}
		f.mu.Unlock()
		osfwtest.WriteJSON(w, http.StatusOK, map[string]any{"quota_set": q})
	})
	c.Handle("DELETE "+base+"os-quota-sets/{p}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		delete(f.quotas, r.PathValue("p"))
		f.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	return f
}

func (f *fakeCinder) get(kind, id string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objs[kind][id]
}

func (f *fakeCinder) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.objs[kind])
}
