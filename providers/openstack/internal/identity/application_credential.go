package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// ApplicationCredential is openstack_identity_application_credential_v3: a
// credential of the provider's own user, scoped to its project. Keystone
// cannot change one: every argument forces a new credential.
//
// Its ownership mark is in the description. Keystone shows the secret only
// in the create's answer, so nuvola makes the secret itself: a credential
// whose answer is lost is found by its mark and adopted with the secret
// the request carried. One an earlier run made (its name then taken: a
// 409) holds a secret nobody recorded: it is deleted and made again
// (Remake), never adopted without its secret.
func ApplicationCredential() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_identity_application_credential_v3",
		Description: "An application credential of the authenticated user, on the token's project.",
		Block: &plugins.Block{
			Attributes: map[string]*plugins.Attribute{
				"region":       regionAttr(),
				"name":         {Type: cty.String, Required: true, ForceNew: true},
				"description":  {Type: cty.String, Optional: true, ForceNew: true},
				"unrestricted": {Type: cty.Bool, Optional: true, Default: cty.False, ForceNew: true, Description: "Whether the credential may create or delete other credentials and trusts."},
				"secret": {Type: cty.String, Optional: true, Computed: true, Sensitive: true, ForceNew: true,
					Description: "The secret; a random one when not given. Keystone shows it only at creation: an imported credential has none."},
				"project_id": {Type: cty.String, Computed: true},
				"roles":      {Type: cty.Set(cty.String), Optional: true, Computed: true, ForceNew: true, Description: "Names of the roles the credential carries; all the user's roles on the project by default."},
				"expires_at": {Type: cty.String, Optional: true, ForceNew: true, Description: "When the credential expires, RFC 3339."},
			},
			BlockTypes: map[string]*plugins.NestedBlock{
				"access_rules": {Nesting: plugins.NestingSet, Block: plugins.Block{
					Description: "API calls the credential is limited to.",
					Attributes: map[string]*plugins.Attribute{
						"id":      {Type: cty.String, Optional: true, Computed: true},
						"path":    {Type: cty.String, Optional: true, Computed: true},
						"method":  {Type: cty.String, Optional: true, Computed: true},
						"service": {Type: cty.String, Optional: true, Computed: true},
					},
				}},
			},
		},
		Validate: validateAppCred,
		Plan:     planAppCred,
		Create:   createAppCred,
		Read:     readAppCred,
		ReadMany: readAppCreds,
		// Nothing changes in place: every argument is force_new, and
		// planAppCred replaces the credential when its access rules
		// change (the rules' IDs, which configurations leave out, would
		// otherwise read as changes).
		Update:     func(context.Context, *osfw.Client, *osfw.Data) error { return nil },
		Delete:     deleteAppCred,
		Find:       findAppCred,
		Mark:       osfw.MarkDescription,
		ListMarked: listMarkedAppCreds,
		Remake:     remakeAppCred,
	}
}

// listMarkedAppCreds lists the user's credentials with the descriptions
// that hold ownership marks (nuvola makes credentials of its own user
// only).
func listMarkedAppCreds(ctx context.Context, c *osfw.Client) ([]osfw.Marked, error) {
	sc, err := identity(c)
	if err != nil {
		return nil, err
	}
	uid, err := currentUserID(ctx, c)
	if err != nil {
		return nil, err
	}
	all, _, err := listAll[applicationcredentials.ApplicationCredential](ctx, sc, "users/"+uid+"/application_credentials", nil, "application_credentials")
	if err != nil {
		return nil, err
	}
	out := make([]osfw.Marked, 0, len(all))
	for _, ac := range all {
		out = append(out, osfw.Marked{ID: ac.ID, Name: ac.Name, Description: ac.Description})
	}
	return out, nil
}

// remakeAppCred replaces a credential an earlier run made, whose secret
// was never recorded, with a new one of the same name (and the secret
// this run chose, or the configured one).
func remakeAppCred(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	if err := deleteAppCred(ctx, c, d); err != nil {
		return fmt.Errorf("deleting application credential %s, made by an earlier run that did not record its secret: %w", d.ID(), err)
	}
	d.SetID("")
	return createAppCred(ctx, c, d)
}

var accessRuleMethods = map[string]bool{"POST": true, "GET": true, "HEAD": true, "PATCH": true, "PUT": true, "DELETE": true}

func validateAppCred(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	if s := d.String("expires_at"); s != "" {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			diags = diags.Errorf(cty.GetAttrPath("expires_at"), "Invalid time", "%q is not an RFC 3339 time such as \"2027-01-31T23:59:59Z\".", s)
		}
	}
	for _, r := range d.Blocks("access_rules") {
		if m := r.String("method"); m != "" && !accessRuleMethods[m] {
			diags = diags.Errorf(cty.GetAttrPath("access_rules"), "Invalid method", "%q is not one of POST, GET, HEAD, PATCH, PUT, DELETE.", m)
		}
	}
	return diags
}

// planAppCred gives each configured access rule its ID: the one it has
// (rules have no other identity: path, method and service match it),
// else unknown until Keystone makes it.
func planAppCred(_ context.Context, _ *osfw.Client, p *osfw.PlanData) error {
	v := p.Planned.Get("access_rules")
	defer func() {
		if p.Prior != nil && !p.Planned.Get("access_rules").RawEquals(p.Prior.Get("access_rules")) {
			p.RequiresReplace = append(p.RequiresReplace, cty.GetAttrPath("access_rules"))
		}
	}()
	if v.IsNull() || !v.IsWhollyKnown() || v.LengthInt() == 0 {
		return nil
	}
	type key struct{ path, method, service string }
	keyOf := func(o cty.Value) key {
		str := func(n string) string {
			a := o.GetAttr(n)
			if a.IsNull() || !a.IsKnown() {
				return ""
			}
			return a.AsString()
		}
		return key{str("path"), str("method"), str("service")}
	}
	prior := map[key]cty.Value{}
	if p.Prior != nil {
		if pv := p.Prior.Get("access_rules"); !pv.IsNull() && pv.IsKnown() {
			for _, o := range pv.AsValueSlice() {
				prior[keyOf(o)] = o
			}
		}
	}
	var out []cty.Value
	for _, o := range v.AsValueSlice() {
		if !o.GetAttr("id").IsNull() {
			out = append(out, o)
			continue
		}
		if po, ok := prior[keyOf(o)]; ok {
			out = append(out, po)
			continue
		}
		m := o.AsValueMap()
		m["id"] = cty.UnknownVal(cty.String)
		for _, n := range []string{"path", "method", "service"} {
			if m[n].IsNull() {
				m[n] = cty.UnknownVal(cty.String)
			}
		}
		out = append(out, cty.ObjectVal(m))
	}
	p.Planned.Set("access_rules", cty.SetVal(out))
	return nil
}

func createAppCred(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	uid, err := currentUserID(ctx, c)
	if err != nil {
		return err
	}
	secret := d.String("secret")
	if secret == "" {
		// Made here rather than by Keystone so that a credential whose
		// creation answer is lost can be adopted with its secret.
		if secret, err = newSecret(); err != nil {
			return err
		}
		d.Set("secret", secret)
	}
	opts := applicationcredentials.CreateOpts{
		Name: d.String("name"), Description: d.String("description"), Unrestricted: d.Bool("unrestricted"),
		Secret: secret,
	}
	for _, r := range d.StringList("roles") {
		opts.Roles = append(opts.Roles, applicationcredentials.Role{Name: r})
	}
	for _, r := range d.Blocks("access_rules") {
		opts.AccessRules = append(opts.AccessRules, applicationcredentials.AccessRule{
			ID: r.String("id"), Path: r.String("path"), Method: r.String("method"), Service: r.String("service")})
	}
	if s := d.String("expires_at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return osfw.AttrError("expires_at", "%q is not an RFC 3339 time", s)
		}
		t = t.UTC()
		opts.ExpiresAt = &t
	}
	ac, err := applicationcredentials.Create(ctx, sc, uid, opts).Extract()
	if err != nil {
		return err
	}
	d.SetID(ac.ID)
	if ac.Secret != "" {
		d.Set("secret", ac.Secret)
	}
	return nil
}

// newSecret is a random application credential secret, as long as those
// Keystone makes.
func newSecret() (string, error) {
	var b [64]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func setAppCred(c *osfw.Client, d *osfw.Data, ac *applicationcredentials.ApplicationCredential) {
	d.SetID(ac.ID)
	d.Set("name", ac.Name)
	d.Set("description", ac.Description)
	d.Set("unrestricted", ac.Unrestricted)
	d.Set("project_id", ac.ProjectID)
	names := []string{}
	for _, r := range ac.Roles {
		names = append(names, r.Name)
	}
	d.Set("roles", names)
	var rules []map[string]any
	for _, r := range ac.AccessRules {
		rules = append(rules, map[string]any{"id": r.ID, "path": r.Path, "method": r.Method, "service": r.Service})
	}
	// No block in a configuration is an empty set, never null.
	d.SetBlocks("access_rules", rules)
	if ac.ExpiresAt.IsZero() {
		d.Set("expires_at", nil)
	} else {
		d.Set("expires_at", ac.ExpiresAt.UTC().Format(time.RFC3339))
	}
	d.Set("region", c.Endpoint.Region)
}

func readAppCred(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	uid, err := currentUserID(ctx, c)
	if err != nil {
		return err
	}
	ac, err := applicationcredentials.Get(ctx, sc, uid, d.ID()).Extract()
	if err != nil {
		return err
	}
	setAppCred(c, d, ac)
	return nil
}

// readAppCreds refreshes the user's credentials with one list request.
func readAppCreds(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	uid, err := currentUserID(ctx, c)
	if err != nil {
		return err
	}
	all, _, err := listAll[applicationcredentials.ApplicationCredential](ctx, sc, "users/"+uid+"/application_credentials", nil, "application_credentials")
	if err != nil {
		return err
	}
	byID := map[string]*applicationcredentials.ApplicationCredential{}
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	// The list is the user's whole set: what it lacks is gone.
	for _, d := range ds {
		if ac, ok := byID[d.ID()]; ok {
			setAppCred(c, d, ac)
		} else {
			d.MarkGone()
		}
	}
	return nil
}

func deleteAppCred(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := identity(c)
	if err != nil {
		return err
	}
	uid, err := currentUserID(ctx, c)
	if err != nil {
		return err
	}
	if err := applicationcredentials.Delete(ctx, sc, uid, d.ID()).ExtractErr(); err != nil && !osfw.IsNotFound(err) {
		return err
	}
	// Access rules outlive the credential; drop those no other one uses
	// (Keystone refuses to delete a rule still in use).
	for _, r := range d.Blocks("access_rules") {
		if id := r.String("id"); id != "" {
			err := applicationcredentials.DeleteAccessRule(ctx, sc, uid, id).ExtractErr()
			if err != nil && !osfw.IsNotFound(err) && osfw.StatusOf(err) != 403 && osfw.StatusOf(err) != 409 {
				return err
			}
		}
	}
	return nil
}

// findAppCred looks for the user's credential with the planned name
// (names are unique per user).
func findAppCred(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	sc, err := identity(c)
	if err != nil {
		return false, err
	}
	uid, err := currentUserID(ctx, c)
	if err != nil {
		return false, err
	}
	all, _, err := listAll[applicationcredentials.ApplicationCredential](ctx, sc, "users/"+uid+"/application_credentials",
		url.Values{"name": {d.String("name")}}, "application_credentials")
	if err != nil || len(all) != 1 {
		return false, err
	}
	d.SetID(all[0].ID)
	return true, nil
}
