package osfw

import (
	"fmt"
	"log"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// Service names, as the request counts and endpoint_overrides use them.
const (
	Identity      = "identity"
	Network       = "network"
	BlockStorage  = "volumev3"
	ObjectStorage = "object-store"
	Compute       = "compute"
	Image         = "image"
)

// Client is the provider's connection to one cloud: the authenticated
// provider client, the service clients made on first use, the default
// tags, and the transport that counts, limits and retries requests.
type Client struct {
	Provider *gophercloud.ProviderClient
	Endpoint gophercloud.EndpointOpts
	// Overrides maps a service name to an endpoint URL used instead of
	// the catalog's.
	Overrides map[string]string
	// DefaultTags are applied to every object with tags or metadata.
	DefaultTags map[string]string
	// ProjectID is the project the token is scoped to, when it is.
	ProjectID string
	// RequestTimeout is how long one request waits for its answer.
	RequestTimeout time.Duration
	// Catalog is the token's service catalog, nil when the token came
	// without one.
	Catalog *tokens.ServiceCatalog

	transport *Transport

	mu       sync.Mutex
	services map[string]*gophercloud.ServiceClient
	shared   sync.Map
}

// ServiceClient returns the client of a service, made on first use.
func (c *Client) ServiceClient(service string) (*gophercloud.ServiceClient, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sc, ok := c.services[service]; ok {
		return sc, nil
	}
	var (
		sc  *gophercloud.ServiceClient
		err error
	)
	eo := c.Endpoint
	switch {
	case c.Overrides[service] != "":
		// Set below, without looking at the catalog.
	case service == Identity:
		sc, err = openstack.NewIdentityV3(c.Provider, eo)
	case service == Network && c.Catalog != nil:
		// Neutron has only ever served v2.0: the endpoint is taken from
		// the catalog as it is, without the version discovery request
		// that the generic lookup makes.
		eo.ApplyDefaults("network")
		var u string
		if u, err = openstack.V3EndpointURL(c.Catalog, eo); err == nil {
			sc = &gophercloud.ServiceClient{ProviderClient: c.Provider, Endpoint: u, ResourceBase: u + "v2.0/", Type: "network"}
		}
	case service == Network:
		sc, err = openstack.NewNetworkV2(c.Provider, eo)
	case service == BlockStorage:
		sc, err = openstack.NewBlockStorageV3(c.Provider, eo)
	case service == ObjectStorage:
		sc, err = openstack.NewObjectStorageV1(c.Provider, eo)
	case service == Compute:
		sc, err = openstack.NewComputeV2(c.Provider, eo)
		if sc != nil {
			// Tags, server groups' policy field and description need
			// a microversion later than the base.
			sc.Microversion = "2.64"
		}
	case service == Image:
		sc, err = openstack.NewImageV2(c.Provider, eo)
	default:
		return nil, fmt.Errorf("unknown service %q", service)
	}
	if o := c.Overrides[service]; o != "" {
		if sc == nil {
			sc = &gophercloud.ServiceClient{ProviderClient: c.Provider, Type: service}
			if service == Compute {
				sc.Microversion = "2.64"
			}
			err = nil
		}
		if !strings.HasSuffix(o, "/") {
			o += "/"
		}
		sc.Endpoint, sc.ResourceBase = o, ""
		if service == Network {
			sc.ResourceBase = o + "v2.0/"
		}
	}
	if err != nil {
		return nil, fmt.Errorf("no %s endpoint in the service catalog (region %q): %w", service, eo.Region, err)
	}
	if c.services == nil {
		c.services = map[string]*gophercloud.ServiceClient{}
	}
	c.services[service] = sc
	if c.transport != nil {
		c.transport.route(sc.Endpoint, service)
		if sc.ResourceBase != "" {
			c.transport.route(sc.ResourceBase, service)
		}
	}
	return sc, nil
}

// MustService is ServiceClient for a resource's function, which returns
// the error as its own.
func (c *Client) Service(service string) (*gophercloud.ServiceClient, error) {
	return c.ServiceClient(service)
}

// Requests returns how many requests went to each service so far.
func (c *Client) Requests() map[string]int64 {
	if c.transport == nil {
		return nil
	}
	return c.transport.counts()
}

// LogRequests writes the request counts to the provider's log (debug).
func (c *Client) LogRequests(what string) {
	counts := c.Requests()
	if len(counts) == 0 {
		return
	}
	var parts []string
	var total int64
	for _, s := range SortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%s=%d", s, counts[s]))
		total += counts[s]
	}
	log.Printf("[DEBUG] openstack API requests after %s: %d (%s)", what, total, strings.Join(parts, " "))
}

// requestCounter counts requests per service.
type requestCounter struct {
	mu sync.Mutex
	n  map[string]*atomic.Int64
}

func (rc *requestCounter) add(service string) {
	rc.mu.Lock()
	c, ok := rc.n[service]
	if !ok {
		if rc.n == nil {
			rc.n = map[string]*atomic.Int64{}
		}
		c = new(atomic.Int64)
		rc.n[service] = c
	}
	rc.mu.Unlock()
	c.Add(1)
}

func (rc *requestCounter) snapshot() map[string]int64 {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string]int64, len(rc.n))
	for k, v := range rc.n {
		out[k] = v.Load()
	}
	return out
}

// routes maps endpoint URL prefixes to service names, longest first.
type routes struct {
	mu       sync.RWMutex
	prefixes []string
	service  map[string]string
}

func (r *routes) add(prefix, service string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.service == nil {
		r.service = map[string]string{}
	}
	if _, ok := r.service[prefix]; ok {
		return
	}
	r.service[prefix] = service
	r.prefixes = append(r.prefixes, prefix)
	sort.Slice(r.prefixes, func(i, j int) bool { return len(r.prefixes[i]) > len(r.prefixes[j]) })
}

func (r *routes) lookup(url string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, p := range r.prefixes {
		if strings.HasPrefix(url, p) {
			return r.service[p]
		}
	}
	return Identity
}

// NewClientForTest builds a Client on an already authenticated provider
// client, for tests against fakes.
func NewClientForTest(pc *gophercloud.ProviderClient, t *Transport) *Client {
	return &Client{Provider: pc, transport: t}
}

var _ http.RoundTripper = (*Transport)(nil)

// Shared returns the value a family keeps per client under key, made by mk
// on first use: a coalescer of requests, a cache of lookups.
func (c *Client) Shared(key any, mk func() any) any {
	v, _ := c.shared.LoadOrStore(key, sync.OnceValue(mk))
	return v.(func() any)()
}
