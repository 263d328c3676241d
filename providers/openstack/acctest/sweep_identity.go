package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

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

// SweepRolesAtEnd deletes e's roles when t ends, before the Env's own
// sweep, and fails t if any is left.
func (e *Env) SweepRolesAtEnd(t testing.TB) {
	t.Cleanup(func() {
		admin, err := e.cloud(AdminCloudName())
		if err != nil {
			t.Errorf("sweep roles %s: %v", e.Prefix, err)
			return
		}
		if err := SweepRoles(e.ctx, admin, e.Prefix); err != nil {
			t.Errorf("sweep roles %s: %v", e.Prefix, err)
		}
		if left, err := listRoles(e.ctx, admin, e.Prefix); err != nil || len(left) > 0 {
			t.Errorf("roles left behind after the sweep: %v %v", left, err)
		}
	})
}
