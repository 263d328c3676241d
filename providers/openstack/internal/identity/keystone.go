package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// regionAttr is the region argument every Keystone type has.
func regionAttr() *plugins.Attribute {
	return &plugins.Attribute{Type: cty.String, Optional: true, Computed: true, ForceNew: true,
		Description: "The region of the Identity endpoint; the provider's by default."}
}

// identity returns the Identity v3 client.
func identity(c *osfw.Client) (*gophercloud.ServiceClient, error) {
	return c.Service(osfw.Identity)
}

// listAll lists a Keystone collection (path relative to the service, such
// as "projects"), following links.next. Keystone answers at most
// list_limit entries and then says "truncated": the second result.
func listAll[T any](ctx context.Context, sc *gophercloud.ServiceClient, path string, q url.Values, key string) ([]T, bool, error) {
	u := sc.ServiceURL(path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var out []T
	truncated := false
	seen := map[string]bool{}
	for u != "" && !seen[u] {
		seen[u] = true
		var body map[string]json.RawMessage
		if _, err := sc.Get(ctx, u, &body, nil); err != nil {
			return nil, false, err
		}
		if raw, ok := body[key]; ok {
			var items []T
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, false, fmt.Errorf("decoding %s: %w", key, err)
			}
			out = append(out, items...)
		}
		if raw, ok := body["truncated"]; ok {
			var t bool
			_ = json.Unmarshal(raw, &t)
			truncated = truncated || t
		}
		u = ""
		if raw, ok := body["links"]; ok {
			var links struct {
				Next *string `json:"next"`
			}
			if json.Unmarshal(raw, &links) == nil && links.Next != nil {
				u = *links.Next
			}
		}
	}
	return out, truncated, nil
}

// refreshFromList sets each object found in items (by ID) and reads the
// others one by one: an object missing from a list may be gone, or only
// beyond what the list shows (list_limit, another domain); its own GET
// tells, a 404 marking it gone.
func refreshFromList[T any](ctx context.Context, c *osfw.Client, ds []*osfw.Data, items []T, idOf func(*T) string,
	set func(*osfw.Data, *T), read func(context.Context, *osfw.Client, *osfw.Data) error) error {
	byID := make(map[string]*T, len(items))
	for i := range items {
		byID[idOf(&items[i])] = &items[i]
	}
	var missing []*osfw.Data
	for _, d := range ds {
		if d.ID() == "" {
			d.MarkGone()
			continue
		}
		if it, ok := byID[d.ID()]; ok {
			set(d, it)
			d.Set("region", c.Endpoint.Region)
			continue
		}
		missing = append(missing, d)
	}
	return readEach(ctx, c, missing, read)
}

// readEach reads objects one by one, a few at a time; 404 marks gone.
func readEach(ctx context.Context, c *osfw.Client, ds []*osfw.Data, read func(context.Context, *osfw.Client, *osfw.Data) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for _, d := range ds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := read(ctx, c, d); err != nil {
				if osfw.IsNotFound(err) {
					d.MarkGone()
					return
				}
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", d.ID(), err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// sameDomain is the domain_id shared by every object of ds, "" when they
// differ or one is unknown.
func sameDomain(ds []*osfw.Data) string {
	dom := ""
	for i, d := range ds {
		v := d.String("domain_id")
		if v == "" || (i > 0 && v != dom) {
			return ""
		}
		dom = v
	}
	return dom
}

// tokenInfo is what the provider's token says about who it is.
type tokenInfo struct {
	user    *tokens.User
	project *tokens.Project
	domain  *tokens.Domain
	roles   []tokens.Role
	tokenID string
}

// tokenExtractor is a token create or get result.
type tokenExtractor interface {
	ExtractUser() (*tokens.User, error)
	ExtractProject() (*tokens.Project, error)
	ExtractDomain() (*tokens.Domain, error)
	ExtractRoles() ([]tokens.Role, error)
}

// currentToken describes the provider's token, from its authentication
// answer when there is one (no request), else from GET /auth/tokens.
func currentToken(ctx context.Context, c *osfw.Client) (*tokenInfo, error) {
	var r tokenExtractor
	switch ar := c.Provider.GetAuthResult().(type) {
	case tokens.CreateResult:
		r = ar
	case *tokens.CreateResult:
		r = ar
	case tokens.GetResult:
		r = ar
	case *tokens.GetResult:
		r = ar
	}
	if r == nil {
		sc, err := identity(c)
		if err != nil {
			return nil, err
		}
		gr := tokens.Get(ctx, sc, c.Provider.Token())
		if gr.Err != nil {
			return nil, gr.Err
		}
		r = gr
	}
	ti := &tokenInfo{tokenID: c.Provider.Token()}
	var err error
	if ti.user, err = r.ExtractUser(); err != nil {
		return nil, fmt.Errorf("reading the token's user: %w", err)
	}
	ti.project, _ = r.ExtractProject()
	ti.domain, _ = r.ExtractDomain()
	ti.roles, _ = r.ExtractRoles()
	return ti, nil
}

// currentUserID is the ID of the user the provider authenticated as.
func currentUserID(ctx context.Context, c *osfw.Client) (string, error) {
	ti, err := currentToken(ctx, c)
	if err != nil {
		return "", err
	}
	if ti.user == nil || ti.user.ID == "" {
		return "", fmt.Errorf("the provider's token names no user")
	}
	return ti.user.ID, nil
}

// notExtra are attributes of Keystone's answers that are not extra ones,
// though gophercloud may collect them as such.
var notExtra = map[string]bool{"links": true, "options": true, "id": true, "name": true, "description": true,
	"domain_id": true, "enabled": true, "tags": true, "parent_id": true, "is_domain": true,
	"default_project_id": true, "password_expires_at": true, "federated": true}

// extraStrings is a Keystone object's extra attributes as strings.
func extraStrings(extra map[string]any) map[string]string {
	if len(extra) == 0 {
		return nil
	}
	out := make(map[string]string, len(extra))
	for k, v := range extra {
		if notExtra[k] {
			continue
		}
		switch x := v.(type) {
		case nil:
		case string:
			out[k] = x
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	return out
}

// extraChange is the extra map to send for an update: the new keys, and
// the removed ones set to null.
func extraChange(d *osfw.Data) map[string]any {
	nw := d.StringMap("extra")
	out := map[string]any{}
	for k, v := range nw {
		out[k] = v
	}
	for k := range osfw.StringMapOf(d.Old("extra")) {
		if _, ok := nw[k]; !ok {
			out[k] = nil
		}
	}
	return out
}

// extraMap is the extra argument for a create.
func extraMap(d *osfw.Data) map[string]any {
	m := d.StringMap("extra")
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// splitID splits a composite import ID into n parts.
func splitID(id string, n int, format string) ([]string, error) {
	parts := strings.Split(id, "/")
	if len(parts) != n {
		return nil, osfw.AttrError("id", "%q is not an ID of the form %s", id, format)
	}
	return parts, nil
}

// sortedStrings is a sorted copy.
func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
