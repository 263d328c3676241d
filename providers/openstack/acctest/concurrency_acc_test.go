package acctest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/quotasets"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/stretchr/testify/require"
)

// Workers is the concurrency of the concurrency test: OpenTofu's default
// -parallelism.
const Workers = 10

// parallel runs jobs on Workers goroutines and returns every error.
func parallel(jobs []func() error) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	ch := make(chan func() error)
	for range Workers {
		wg.Go(func() {
			for job := range ch {
				if err := job(); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	return errs
}

// TestAccConcurrency creates and deletes 20 projects, 10 networks, 100
// security group rules (in 10 groups) and 10 volumes with 10 concurrent
// workers, as a provisioner does: no request may fail, nothing may be left.
func TestAccConcurrency(t *testing.T) {
	t.Parallel()
	e := New(t)
	ctx := e.Context()
	admin := e.Admin()
	ic := e.Client(admin.Identity)

	// A project of its own with room for 100 rules and 10 volumes beyond the defaults.
	home, err := projects.Create(ctx, ic, projects.CreateOpts{Name: e.Name("home"), Description: "concurrency test"}).Extract()
	require.NoError(t, err)
	require.NoError(t, roles.Assign(ctx, ic, roleID(t, e, "admin"), roles.AssignOpts{UserID: admin.UserID, ProjectID: home.ID}).ExtractErr())
	anc, abc := e.Client(admin.Network), e.Client(admin.BlockStorage)
	many := 1000
	_, err = quotas.Update(ctx, anc, home.ID, quotas.UpdateOpts{Network: &many, Subnet: &many, Port: &many,
		SecurityGroup: &many, SecurityGroupRule: &many}).Extract()
	require.NoError(t, err)
	_, err = quotasets.Update(ctx, abc, home.ID, quotasets.UpdateOpts{Volumes: &many, Gigabytes: &many}).Extract()
	require.NoError(t, err)
	c, err := ConnectWith(ctx, "concurrency", admin.ScopedTo(home.ID), admin.Endpoint)
	require.NoError(t, err)
	e.Track(c)
	nc, bc := e.Client(c.Network), e.Client(c.BlockStorage)

	var (
		mu      sync.Mutex
		projIDs []string
		netIDs  []string
		sgIDs   []string
		volIDs  []string
		ruleIDs []string
	)
	keep := func(list *[]string, id string) {
		mu.Lock()
		*list = append(*list, id)
		mu.Unlock()
	}
	stage := func(name string, jobs []func() error) {
		t.Helper()
		start := time.Now()
		errs := parallel(jobs)
		t.Logf("%-40s %3d requests, %d workers: %v", name, len(jobs), Workers, time.Since(start).Round(time.Millisecond))
		for _, err := range errs {
			t.Errorf("%s: %v", name, err)
		}
		if len(errs) > 0 {
			t.FailNow()
		}
	}

	var jobs []func() error
	for i := range 20 {
		jobs = append(jobs, func() error {
			p, err := projects.Create(ctx, ic, projects.CreateOpts{Name: e.Name(fmt.Sprintf("project-%02d", i))}).Extract()
			if err != nil {
				return fmt.Errorf("create project %d: %w", i, err)
			}
			keep(&projIDs, p.ID)
			return nil
		})
	}
	for i := range 10 {
		jobs = append(jobs, func() error {
			n, err := networks.Create(ctx, nc, networks.CreateOpts{Name: e.Name(fmt.Sprintf("net-%02d", i))}).Extract()
			if err != nil {
				return fmt.Errorf("create network %d: %w", i, err)
			}
			keep(&netIDs, n.ID)
			return nil
		}, func() error {
			g, err := groups.Create(ctx, nc, groups.CreateOpts{Name: e.Name(fmt.Sprintf("sg-%02d", i))}).Extract()
			if err != nil {
				return fmt.Errorf("create security group %d: %w", i, err)
			}
			keep(&sgIDs, g.ID)
			return nil
		}, func() error {
			v, err := volumes.Create(ctx, bc, volumes.CreateOpts{Name: e.Name(fmt.Sprintf("vol-%02d", i)), Size: 1}, nil).Extract()
			if err != nil {
				return fmt.Errorf("create volume %d: %w", i, err)
			}
			keep(&volIDs, v.ID)
			if err := volumes.WaitForStatus(ctx, bc, v.ID, "available"); err != nil {
				return fmt.Errorf("volume %d available: %w", i, err)
			}
			return nil
		})
	}
	stage("create projects, networks, groups, volumes", jobs)

	jobs = nil
	for _, sg := range sgIDs {
		for port := range 10 {
			jobs = append(jobs, func() error {
				r, err := rules.Create(ctx, nc, rules.CreateOpts{SecGroupID: sg, Direction: rules.DirIngress,
					EtherType: rules.EtherType4, Protocol: rules.ProtocolTCP, PortRangeMin: 8000 + port,
					PortRangeMax: 8000 + port, RemoteIPPrefix: "198.51.100.0/24"}).Extract()
				if err != nil {
					return fmt.Errorf("create rule %s/%d: %w", sg, port, err)
				}
				keep(&ruleIDs, r.ID)
				return nil
			})
		}
	}
	stage("create security group rules", jobs)

	left, err := Leftovers(ctx, admin, e.Clouds(), e.Prefix)
	require.NoError(t, err)
	require.Len(t, left, 1+20+10+10+10, "objects with the prefix after creation: %v", left)

	jobs = nil
	for _, id := range ruleIDs {
		jobs = append(jobs, func() error { return wrap("delete rule", rules.Delete(ctx, nc, id).ExtractErr()) })
	}
	stage("delete security group rules", jobs)

	jobs = nil
	for _, id := range projIDs {
		jobs = append(jobs, func() error { return wrap("delete project", projects.Delete(ctx, ic, id).ExtractErr()) })
	}
	for _, id := range netIDs {
		jobs = append(jobs, func() error { return wrap("delete network", networks.Delete(ctx, nc, id).ExtractErr()) })
	}
	for _, id := range sgIDs {
		jobs = append(jobs, func() error { return wrap("delete security group", groups.Delete(ctx, nc, id).ExtractErr()) })
	}
	for _, id := range volIDs {
		jobs = append(jobs, func() error {
			if err := volumes.Delete(ctx, bc, id, nil).ExtractErr(); err != nil {
				return wrap("delete volume", err)
			}
			return WaitFor(ctx, 500*time.Millisecond, func() (bool, error) {
				_, err := volumes.Get(ctx, bc, id).Extract()
				if err != nil && !notFound(err) {
					return false, wrap("volume get", err)
				}
				return notFound(err), nil
			})
		})
	}
	stage("delete projects, networks, groups, volumes", jobs)

	// the home project's default security group, then the project
	pages, err := groups.List(anc, groups.ListOpts{ProjectID: home.ID}).AllPages(ctx)
	require.NoError(t, err)
	sgs, err := groups.ExtractGroups(pages)
	require.NoError(t, err)
	for _, g := range sgs {
		require.NoError(t, groups.Delete(ctx, anc, g.ID).ExtractErr())
	}
	require.NoError(t, projects.Delete(ctx, ic, home.ID).ExtractErr())

	left, err = Leftovers(ctx, admin, []*Cloud{admin}, e.Prefix)
	require.NoError(t, err)
	require.Empty(t, left, "left behind")
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
