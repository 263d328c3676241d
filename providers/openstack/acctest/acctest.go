package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// Environment variables read by the harness.
const (
	// EnvAcc turns acceptance tests on ("1"); unset, they skip.
	EnvAcc = "NUVOLA_ACC"
	// EnvDevcloudDir is the devcloud's directory (scripts/devcloud's default below).
	EnvDevcloudDir = "NUVOLA_DEVCLOUD_DIR"
	// DefaultDevcloudDir is where scripts/devcloud keeps everything, clouds.yaml included.
	DefaultDevcloudDir = "/var/tmp/nuvola-devcloud"
)

// The devcloud's clouds: an admin and two unprivileged projects.
const (
	CloudAdmin = "devcloud"
	CloudDemo  = "devcloud-demo"
	CloudAlt   = "devcloud-alt"
)

// Enabled reports whether acceptance tests should run.
func Enabled() bool {
	v := os.Getenv(EnvAcc)
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// SkipUnlessEnabled skips t unless NUVOLA_ACC is set.
func SkipUnlessEnabled(t testing.TB) {
	t.Helper()
	if !Enabled() {
		t.Skipf("acceptance test: set %s=1 and bring a cloud up (scripts/devcloud up)", EnvAcc)
	}
}

// DevcloudDir is the devcloud's directory.
func DevcloudDir() string {
	if d := os.Getenv(EnvDevcloudDir); d != "" {
		return d
	}
	return DefaultDevcloudDir
}

// CloudsFile is the clouds.yaml the harness reads: OS_CLIENT_CONFIG_FILE,
// else the devcloud's when it exists, else "" (gophercloud's own search:
// ./clouds.yaml, ~/.config/openstack, /etc/openstack).
func CloudsFile() string {
	if f := os.Getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
		return f
	}
	f := filepath.Join(DevcloudDir(), "clouds.yaml")
	if _, err := os.Stat(f); err == nil {
		return f
	}
	return ""
}

// AdminCloudName is OS_CLOUD, else the devcloud's admin cloud.
func AdminCloudName() string {
	if c := os.Getenv("OS_CLOUD"); c != "" {
		return c
	}
	return CloudAdmin
}

// Cloud is one authenticated cloud of clouds.yaml.
type Cloud struct {
	Name     string
	Auth     gophercloud.AuthOptions
	Endpoint gophercloud.EndpointOpts
	Provider *gophercloud.ProviderClient
	// UserID and ProjectID of the authenticated token.
	UserID, ProjectID string
}

// Connect reads cloud name from clouds.yaml (see CloudsFile) and authenticates.
func Connect(ctx context.Context, name string) (*Cloud, error) {
	opts := []clouds.ParseOption{clouds.WithCloudName(name)}
	if f := CloudsFile(); f != "" {
		opts = append(opts, clouds.WithLocations(f))
	}
	ao, eo, tlsConfig, err := clouds.Parse(opts...)
	if err != nil {
		return nil, fmt.Errorf("cloud %q: %w", name, err)
	}
	ao.AllowReauth = true
	pc, err := config.NewProviderClient(ctx, ao, config.WithTLSConfig(tlsConfig))
	if err != nil {
		return nil, fmt.Errorf("cloud %q: authenticate: %w", name, err)
	}
	return newCloud(name, ao, eo, pc), nil
}

// ConnectWith authenticates with ao (a project scope of one's own, an
// application credential) against the endpoints of eo; name labels it.
func ConnectWith(ctx context.Context, name string, ao gophercloud.AuthOptions, eo gophercloud.EndpointOpts) (*Cloud, error) {
	pc, err := openstack.AuthenticatedClient(ctx, ao)
	if err != nil {
		return nil, fmt.Errorf("%s: authenticate: %w", name, err)
	}
	return newCloud(name, ao, eo, pc), nil
}

// ScopedTo returns c's password options scoped to the project with the given ID.
func (c *Cloud) ScopedTo(projectID string) gophercloud.AuthOptions {
	ao := c.Auth
	ao.TenantID, ao.TenantName = "", ""
	ao.Scope = &gophercloud.AuthScope{ProjectID: projectID}
	return ao
}

func newCloud(name string, ao gophercloud.AuthOptions, eo gophercloud.EndpointOpts, pc *gophercloud.ProviderClient) *Cloud {
	c := &Cloud{Name: name, Auth: ao, Endpoint: eo, Provider: pc}
	if r, ok := pc.GetAuthResult().(tokens.CreateResult); ok {
		if u, err := r.ExtractUser(); err == nil {
			c.UserID = u.ID
		}
		if p, err := r.ExtractProject(); err == nil && p != nil {
			c.ProjectID = p.ID
		}
	}
	return c
}

// Identity is the cloud's identity v3 client.
func (c *Cloud) Identity() (*gophercloud.ServiceClient, error) {
	return openstack.NewIdentityV3(c.Provider, c.Endpoint)
}

// Network is the cloud's networking v2 client.
func (c *Cloud) Network() (*gophercloud.ServiceClient, error) {
	return openstack.NewNetworkV2(c.Provider, c.Endpoint)
}

// Compute is the cloud's compute v2.1 client.
func (c *Cloud) Compute() (*gophercloud.ServiceClient, error) {
	return openstack.NewComputeV2(c.Provider, c.Endpoint)
}

// BlockStorage is the cloud's block storage v3 client.
func (c *Cloud) BlockStorage() (*gophercloud.ServiceClient, error) {
	return openstack.NewBlockStorageV3(c.Provider, c.Endpoint)
}

// Image is the cloud's image v2 client.
func (c *Cloud) Image() (*gophercloud.ServiceClient, error) {
	return openstack.NewImageV2(c.Provider, c.Endpoint)
}

// ObjectStorage is the cloud's object storage v1 client (its project's account).
func (c *Cloud) ObjectStorage() (*gophercloud.ServiceClient, error) {
	return openstack.NewObjectStorageV1(c.Provider, c.Endpoint)
}

// NewPrefix returns a fresh random name prefix, "acc-<8 hex>-".
func NewPrefix() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "acc-" + hex.EncodeToString(b[:]) + "-"
}

// Env is one acceptance test's view of the cloud: its name prefix, its
// clouds, and the sweep that runs when the test ends.
type Env struct {
	t      testing.TB
	Prefix string
	ctx    context.Context

	mu     sync.Mutex
	clouds map[string]*Cloud
}

// Timeout bounds one test's calls, sweep included.
const Timeout = 15 * time.Minute

// New skips t unless NUVOLA_ACC is set, then returns its Env. When t ends,
// every object whose name starts with the Env's prefix is deleted, in every
// service and project, and the test fails if any is left.
func New(t testing.TB) *Env {
	t.Helper()
	SkipUnlessEnabled(t)
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	e := &Env{t: t, Prefix: NewPrefix(), ctx: ctx, clouds: map[string]*Cloud{}}
	t.Logf("name prefix %s", e.Prefix)
	t.Cleanup(func() {
		defer cancel()
		admin, err := e.cloud(AdminCloudName())
		if err != nil {
			t.Errorf("sweep %s: %v", e.Prefix, err)
			return
		}
		if err := Sweep(ctx, admin, e.Clouds(), e.Prefix); err != nil {
			t.Errorf("sweep %s: %v", e.Prefix, err)
		}
		left, err := Leftovers(ctx, admin, e.Clouds(), e.Prefix)
		if err != nil {
			t.Errorf("listing leftovers of %s: %v", e.Prefix, err)
		}
		if len(left) > 0 {
			t.Errorf("left behind after the sweep: %s", strings.Join(left, ", "))
		}
	})
	return e
}

// Context is the test's context (cancelled after the sweep, not before it).
func (e *Env) Context() context.Context { return e.ctx }

// Name returns the test's prefix followed by s.
func (e *Env) Name(s string) string { return e.Prefix + s }

func (e *Env) cloud(name string) (*Cloud, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.clouds[name]; ok {
		return c, nil
	}
	c, err := Connect(e.ctx, name)
	if err != nil {
		return nil, err
	}
	e.clouds[name] = c
	return c, nil
}

// Cloud returns the named cloud of clouds.yaml, authenticated; the test fails
// at once when it cannot.
func (e *Env) Cloud(name string) *Cloud {
	e.t.Helper()
	c, err := e.cloud(name)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// Admin returns the admin cloud (OS_CLOUD, else devcloud).
func (e *Env) Admin() *Cloud {
	e.t.Helper()
	return e.Cloud(AdminCloudName())
}

// Track adds a cloud authenticated by the test itself (a new project, an
// application credential) to those whose Swift accounts the sweep visits.
func (e *Env) Track(c *Cloud) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clouds[c.Name] = c
}

// Clouds returns the clouds the test used so far.
func (e *Env) Clouds() []*Cloud {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*Cloud, 0, len(e.clouds))
	for _, c := range e.clouds {
		out = append(out, c)
	}
	return out
}

// Client returns a service client made by fn or fails the test.
func (e *Env) Client(fn func() (*gophercloud.ServiceClient, error)) *gophercloud.ServiceClient {
	e.t.Helper()
	sc, err := fn()
	if err != nil {
		e.t.Fatal(err)
	}
	return sc
}

// WaitFor polls cond every interval until it reports done, returns an
// error, or ctx ends.
func WaitFor(ctx context.Context, interval time.Duration, cond func() (bool, error)) error {
	for {
		done, err := cond()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
