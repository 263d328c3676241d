package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
)

// SweepRoles deletes the Keystone roles whose name starts with prefix (the
// global ones and those of the default domain); Sweep leaves roles alone.
func SweepRoles(ctx context.Context, admin *Cloud, prefix string) error {
	if !strings.HasPrefix(prefix, "acc-") || len(prefix) < 8 {
		return fmt.Errorf("refusing to sweep with prefix %q", prefix)
	}
	list, err := listRoles(ctx, admin, prefix)
	if err != nil {
		return err
	}
	ic, err := admin.Identity()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range list {
		del(&errs, "role "+r.Name, roles.Delete(ctx, ic, r.ID).ExtractErr())
	}
	return errors.Join(errs...)
}

func listRoles(ctx context.Context, admin *Cloud, prefix string) ([]roles.Role, error) {
	ic, err := admin.Identity()
	if err != nil {
		return nil, err
	}
	var out []roles.Role
	for _, dom := range []string{"", "default"} {
		pages, err := roles.List(ic, roles.ListOpts{DomainID: dom}).AllPages(ctx)
		if err != nil {
			return nil, fmt.Errorf("list roles: %w", err)
		}
		all, err := roles.ExtractRoles(pages)
		if err != nil {
			return nil, err
		}
		for _, r := range all {
			if strings.HasPrefix(r.Name, prefix) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// SweepDomains disables and deletes the Keystone domains whose name
// starts with prefix; Keystone deletes their projects, users and groups
// with them.
func SweepDomains(ctx context.Context, admin *Cloud, prefix string) error {
	if !strings.HasPrefix(prefix, "acc-") || len(prefix) < 8 {
		return fmt.Errorf("refusing to sweep with prefix %q", prefix)
	}
	ic, err := admin.Identity()
	if err != nil {
		return err
	}
	list, err := listDomains(ctx, ic, prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range list {
		if d.Enabled {
			_, err := domains.Update(ctx, ic, d.ID, domains.UpdateOpts{Enabled: new(bool)}).Extract()
			del(&errs, "disable domain "+d.Name, err)
		}
		del(&errs, "domain "+d.Name, domains.Delete(ctx, ic, d.ID).ExtractErr())
	}
	return errors.Join(errs...)
}

func listDomains(ctx context.Context, ic *gophercloud.ServiceClient, prefix string) ([]domains.Domain, error) {
	pages, err := domains.List(ic, domains.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	all, err := domains.ExtractDomains(pages)
	var out []domains.Domain
	for _, d := range all {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, d)
		}
	}
	return out, err
}

// SweepIdentityAtEnd deletes e's roles and domains when t ends, before the
// Env's own sweep (which covers neither), and fails t if any is left.
func (e *Env) SweepIdentityAtEnd(t testing.TB) {
	t.Cleanup(func() {
		admin, err := e.cloud(AdminCloudName())
		if err != nil {
			t.Errorf("sweep %s: %v", e.Prefix, err)
			return
		}
		if err := SweepRoles(e.ctx, admin, e.Prefix); err != nil {
			t.Errorf("sweep roles %s: %v", e.Prefix, err)
		}
		if err := SweepDomains(e.ctx, admin, e.Prefix); err != nil {
			t.Errorf("sweep domains %s: %v", e.Prefix, err)
		}
		if left, err := listRoles(e.ctx, admin, e.Prefix); err != nil || len(left) > 0 {
			t.Errorf("roles left behind after the sweep: %v %v", left, err)
		}
		ic, err := admin.Identity()
		if err == nil {
			if left, err := listDomains(e.ctx, ic, e.Prefix); err != nil || len(left) > 0 {
				t.Errorf("domains left behind after the sweep: %v %v", left, err)
			}
		}
	})
}
