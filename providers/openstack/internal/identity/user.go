package identity

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// userOptions are the user options the schema has as booleans.
var userOptions = []users.Option{
	users.IgnoreChangePasswordUponFirstUse,
	users.IgnorePasswordExpiry,
	users.IgnoreLockoutFailureAttempts,
	users.MultiFactorAuthEnabled,
}

// User is openstack_identity_user_v3.
func User() *osfw.Resource {
	attrs := map[string]*plugins.Attribute{
		"region":             regionAttr(),
		"name":               {Type: cty.String, Optional: true},
		"description":        {Type: cty.String, Optional: true},
		"domain_id":          {Type: cty.String, Optional: true, Computed: true},
		"default_project_id": {Type: cty.String, Optional: true, Computed: true},
		"enabled":            {Type: cty.Bool, Optional: true, Default: cty.True},
		"password":           {Type: cty.String, Optional: true, Sensitive: true, Description: "The user's password; Keystone never shows it back."},
		"extra":              {Type: cty.Map(cty.String), Optional: true, Description: "Free-form attributes of the user."},
	}
	for _, o := range userOptions {
		attrs[string(o)] = &plugins.Attribute{Type: cty.Bool, Optional: true}
	}
	return &osfw.Resource{
		Type:        "openstack_identity_user_v3",
		Description: "A Keystone user.",
		Block: &plugins.Block{
			Attributes: attrs,
			BlockTypes: map[string]*plugins.NestedBlock{
				"multi_factor_auth_rule": {Nesting: plugins.NestingList, Block: plugins.Block{
					Description: "A list of authentication methods that together log the user in.",
					Attributes: map[string]*plugins.Attribute{
						"rule": {Type: cty.List(cty.String), Required: true},
					},
				}},
			},
		},
		Create:     createUser,
		Read:       readUser,
		ReadMany:   readUsers,
		Update:     updateUser,
		Delete:     deleteUser,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarked("users"),
		Find:       findUser,
	}
}

func mfaRules(d *osfw.Data) []any {
	var out []any
	for _, b := range d.Blocks("multi_factor_auth_rule") {
		var rule []any
		for _, s := range b.StringList("rule") {
			rule = append(rule, s)
		}
		out = append(out, rule)
	}
	return out
}

func createUser(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	opts := users.CreateOpts{
		Name: d.String("name"), Description: d.String("description"), DomainID: d.String("domain_id"),
		DefaultProjectID: d.String("default_project_id"), Enabled: d.BoolPtr("enabled"),
		Extra: extraMap(d), Password: d.String("password"),
	}
	options := map[users.Option]any{}
	for _, o := range userOptions {
		if d.Known(string(o)) {
			options[o] = d.Bool(string(o))
		}
	}
	if rules := mfaRules(d); len(rules) > 0 {
		options[users.MultiFactorAuthRules] = rules
	}
	if len(options) > 0 {
		opts.Options = options
	}
	u, err := users.Create(ctx, sc, opts).Extract()
	if err != nil {
		return err
	}
	d.SetID(u.ID)
	return nil
}

func setUser(d *osfw.Data, u *users.User) {
	d.SetID(u.ID)
	d.Set("name", u.Name)
	d.Set("description", u.Description)
	d.Set("domain_id", u.DomainID)
	d.Set("default_project_id", u.DefaultProjectID)
	d.Set("enabled", u.Enabled)
	d.Set("extra", extraStrings(u.Extra))
	for _, o := range userOptions {
		if v, ok := u.Options[string(o)].(bool); ok {
			d.Set(string(o), v)
		}
	}
	// No rule is an empty list, as a configuration without the block has.
	var blocks []map[string]any
	rules, _ := u.Options[string(users.MultiFactorAuthRules)].([]any)
	for _, r := range rules {
		list, _ := r.([]any)
		methods := []string{}
		for _, m := range list {
			if s, ok := m.(string); ok {
				methods = append(methods, s)
			}
		}
		blocks = append(blocks, map[string]any{"rule": methods})
	}
	d.SetBlocks("multi_factor_auth_rule", blocks)
}

func readUser(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	u, err := users.Get(ctx, sc, d.ID()).Extract()
	if err != nil {
		return err
	}
	setUser(d, u)
	d.Set("region", c.Endpoint.Region)
	return nil
}

// readUsers refreshes many users with one list request (of their domain
// when they share one).
func readUsers(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	q := url.Values{}
	if dom := sameDomain(ds); dom != "" {
		q.Set("domain_id", dom)
	}
	all, _, err := listAll[users.User](ctx, sc, "users", q, "users")
	if err != nil {
		if osfw.StatusOf(err) == 403 {
			return readEach(ctx, c, ds, readUser)
		}
		return err
	}
	return refreshFromList(ctx, c, ds, all, func(u *users.User) string { return u.ID }, setUser, readUser)
}

func updateUser(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	var opts users.UpdateOpts
	changed := false
	if d.HasChange("name") {
		opts.Name, changed = d.String("name"), true
	}
	if d.HasChange("description") {
		opts.Description, changed = ptr(d.String("description")), true
	}
	if d.HasChange("domain_id") && d.Known("domain_id") {
		opts.DomainID, changed = d.String("domain_id"), true
	}
	if d.HasChange("default_project_id") && d.Known("default_project_id") {
		opts.DefaultProjectID, changed = d.String("default_project_id"), true
	}
	if d.HasChange("enabled") {
		opts.Enabled, changed = ptr(d.Bool("enabled")), true
	}
	if d.HasChange("extra") {
		opts.Extra, changed = extraChange(d), true
	}
	options := map[users.Option]any{}
	for _, o := range userOptions {
		if d.HasChange(string(o)) {
			if d.Known(string(o)) {
				options[o] = d.Bool(string(o))
			} else {
				options[o] = nil
			}
		}
	}
	if d.HasChange("multi_factor_auth_rule") {
		if rules := mfaRules(d); len(rules) > 0 {
			options[users.MultiFactorAuthRules] = rules
		} else {
			options[users.MultiFactorAuthRules] = nil
		}
	}
	if len(options) > 0 {
		opts.Options, changed = options, true
	}
	if d.HasChange("password") && d.String("password") != "" {
		opts.Password, changed = d.String("password"), true
	}
	if !changed {
		return nil
	}
	_, err = users.Update(ctx, sc, d.ID(), opts).Extract()
	return err
}

func deleteUser(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	return users.Delete(ctx, sc, d.ID()).ExtractErr()
}

// findUser looks for the user by name in its domain.
func findUser(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	name := d.String("name")
	if name == "" {
		return false, nil
	}
	sc, err := identity(c)
	if err != nil {
		return false, err
	}
	q := url.Values{"name": {name}}
	if dom := d.String("domain_id"); dom != "" {
		q.Set("domain_id", dom)
	}
	all, _, err := listAll[users.User](ctx, sc, "users", q, "users")
	if err != nil || len(all) != 1 {
		return false, err
	}
	d.SetID(all[0].ID)
	return true, nil
}
