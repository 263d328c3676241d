package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servergroups"
)

// SweepCompute deletes the Nova objects whose name starts with prefix that
// Sweep leaves alone: key pairs (of each given cloud's user), server
// groups of every project, and flavors.
func SweepCompute(ctx context.Context, admin *Cloud, accounts []*Cloud, prefix string) error {
	if !strings.HasPrefix(prefix, "acc-") || len(prefix) < 8 {
		return fmt.Errorf("refusing to sweep with prefix %q", prefix)
	}
	var errs []error
	for _, c := range append([]*Cloud{admin}, accounts...) {
		cc, err := c.Compute()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pages, err := keypairs.List(cc, nil).AllPages(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("list key pairs of %s: %w", c.Name, err))
			continue
		}
		kps, _ := keypairs.ExtractKeyPairs(pages)
		for _, k := range kps {
			if strings.HasPrefix(k.Name, prefix) {
				del(&errs, "key pair "+k.Name, keypairs.Delete(ctx, cc, k.Name, nil).ExtractErr())
			}
		}
	}
	cc, err := admin.Compute()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	pages, err := servergroups.List(cc, servergroups.ListOpts{AllProjects: true}).AllPages(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("list server groups: %w", err))
	} else {
		groups, _ := servergroups.ExtractServerGroups(pages)
		for _, g := range groups {
			if strings.HasPrefix(g.Name, prefix) {
				del(&errs, "server group "+g.Name, servergroups.Delete(ctx, cc, g.ID).ExtractErr())
			}
		}
	}
	pages, err = flavors.ListDetail(cc, flavors.ListOpts{AccessType: flavors.AllAccess}).AllPages(ctx)
	if err != nil {
		errs = append(errs, fmt.Errorf("list flavors: %w", err))
	} else {
		fl, _ := flavors.ExtractFlavors(pages)
		for _, f := range fl {
			if strings.HasPrefix(f.Name, prefix) {
				del(&errs, "flavor "+f.Name, flavors.Delete(ctx, cc, f.ID).ExtractErr())
			}
		}
	}
	return errors.Join(errs...)
}

// sweepComputeAtEnd has the test's Nova objects swept when it ends (before
// the Env's own sweep, which does not know them).
func sweepComputeAtEnd(t *testing.T, e *Env) {
	t.Cleanup(func() {
		if err := SweepCompute(e.Context(), e.Admin(), e.Clouds(), e.Prefix); err != nil {
			t.Errorf("sweep compute %s: %v", e.Prefix, err)
		}
	})
}
