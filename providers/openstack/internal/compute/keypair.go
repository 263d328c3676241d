package compute

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// keypair is a Nova key pair.
type keypair struct {
	Name        string `json:"name"`
	PublicKey   string `json:"public_key"`
	PrivateKey  string `json:"private_key"`
	Fingerprint string `json:"fingerprint"`
	UserID      string `json:"user_id"`
}

// Keypair is openstack_compute_keypair_v2. The key pair's ID is its name.
// Without public_key, Nova generates the key (microversions before 2.92)
// and private_key holds its private half.
//
// A key pair has nothing to hold an ownership mark (name, key, type), and
// needs none: its name is unique per user, so after a lost create answer
// the key pair of that name is the one made, when it has the configured
// public key (findKeypair).
func Keypair() *osfw.Resource {
	return &osfw.Resource{
		Type:        "openstack_compute_keypair_v2",
		Description: "A Nova key pair.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      region(),
			"name":        {Type: str, Required: true, ForceNew: true},
			"public_key":  fnCStr(),
			"value_specs": {Type: strMap, Optional: true, ForceNew: true},
			"user_id":     fnCStr(),
			"private_key": {Type: str, Computed: true, Sensitive: true},
			"fingerprint": compStr(),
		}},
		Create:   createKeypair,
		Read:     readKeypair,
		ReadMany: readKeypairs,
		Delete: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			sc, err := nova(c, "")
			if err != nil {
				return err
			}
			return call(ctx, sc, http.MethodDelete, sc.ServiceURL("os-keypairs", d.ID())+userQuery(d), nil, nil, http.StatusAccepted, http.StatusNoContent)
		},
		Find: findKeypair,
	}
}

// findKeypair looks for the key pair a create whose answer was lost made:
// the user's key pair of that name, when its public key is the one
// configured (another key is someone else's). A key Nova generated cannot
// be adopted: its private key was only in the lost answer, and a key pair
// without it would be useless; that is an error saying what to do.
func findKeypair(ctx context.Context, c *osfw.Client, d *osfw.Data) (bool, error) {
	sc, err := nova(c, "")
	if err != nil {
		return false, err
	}
	name := d.String("name")
	var out struct {
		Keypair keypair `json:"keypair"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("os-keypairs", name)+userQuery(d), nil, &out, http.StatusOK); err != nil {
		if osfw.IsNotFound(err) {
			return false, nil
		}
		return false, err
	}
	pk := d.String("public_key")
	if pk == "" {
		return false, fmt.Errorf("key pair %s exists, but the private key Nova generated for it was only in the answer that was lost: delete the key pair and apply again, or give public_key", name)
	}
	if strings.TrimSpace(out.Keypair.PublicKey) != strings.TrimSpace(pk) {
		return false, nil
	}
	d.SetID(name)
	return true, nil
}

func userQuery(d *osfw.Data) string {
	if u := d.String("user_id"); u != "" {
		return query("user_id", u)
	}
	return ""
}

func createKeypair(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	body := map[string]any{"name": d.String("name")}
	if pk := d.String("public_key"); pk != "" {
		body["public_key"] = pk
	}
	if u := d.String("user_id"); u != "" {
		body["user_id"] = u
	}
	for k, v := range d.StringMap("value_specs") {
		body[k] = v
	}
	var out struct {
		Keypair keypair `json:"keypair"`
	}
	if err := call(ctx, sc, http.MethodPost, sc.ServiceURL("os-keypairs"), map[string]any{"keypair": body}, &out, http.StatusOK, http.StatusCreated); err != nil {
		return err
	}
	d.SetID(out.Keypair.Name)
	d.Set("private_key", out.Keypair.PrivateKey)
	return nil
}

func setKeypair(d *osfw.Data, k *keypair, c *osfw.Client) {
	d.SetID(k.Name)
	d.Set("name", k.Name)
	d.Set("public_key", k.PublicKey)
	d.Set("fingerprint", k.Fingerprint)
	if k.UserID != "" {
		d.Set("user_id", k.UserID)
	} else if !d.Known("user_id") {
		d.Set("user_id", "")
	}
	if !d.Known("private_key") {
		d.Set("private_key", "")
	}
	d.Set("region", c.Endpoint.Region)
}

func readKeypair(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := nova(c, "")
	if err != nil {
		return err
	}
	var out struct {
		Keypair keypair `json:"keypair"`
	}
	if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("os-keypairs", d.ID())+userQuery(d), nil, &out, http.StatusOK); err != nil {
		return err
	}
	setKeypair(d, &out.Keypair, c)
	return nil
}

// listKeypairs lists the caller's key pairs (paged).
func listKeypairs(ctx context.Context, c *osfw.Client) (map[string]*keypair, error) {
	sc, err := nova(c, "")
	if err != nil {
		return nil, err
	}
	out := map[string]*keypair{}
	err = eachPage(ctx, sc, sc.ServiceURL("os-keypairs"), "keypairs_links", func(p pagination.Page) error {
		var body struct {
			Keypairs []struct {
				Keypair keypair `json:"keypair"`
			} `json:"keypairs"`
		}
		if err := p.(linkedPage).ExtractInto(&body); err != nil {
			return err
		}
		for i := range body.Keypairs {
			k := body.Keypairs[i].Keypair
			out[k.Name] = &k
		}
		return nil
	})
	return out, err
}

// readKeypairs refreshes key pairs with one list of the caller's; one the
// list lacks (another user's, or gone) is read alone.
func readKeypairs(ctx context.Context, c *osfw.Client, ds []*osfw.Data) error {
	all, err := listKeypairs(ctx, c)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if k := all[d.ID()]; k != nil && (d.String("user_id") == "" || d.String("user_id") == userOf(c)) {
			setKeypair(d, k, c)
			continue
		}
		if err := readKeypair(ctx, c, d); err != nil {
			if osfw.IsNotFound(err) {
				d.MarkGone()
				continue
			}
			return err
		}
	}
	return nil
}

// KeypairData is the openstack_compute_keypair_v2 data source.
func KeypairData() *osfw.DataSource {
	return &osfw.DataSource{
		Type:        "openstack_compute_keypair_v2",
		Description: "Looks up a key pair by name.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":      optCStr(),
			"name":        {Type: str, Required: true},
			"user_id":     optCStr(),
			"public_key":  compStr(),
			"fingerprint": compStr(),
		}},
		Read: func(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
			sc, err := nova(c, "")
			if err != nil {
				return err
			}
			var out struct {
				Keypair keypair `json:"keypair"`
			}
			if err := call(ctx, sc, http.MethodGet, sc.ServiceURL("os-keypairs", d.String("name"))+userQuery(d), nil, &out, http.StatusOK); err != nil {
				if osfw.IsNotFound(err) {
					return fmt.Errorf("no key pair named %q", d.String("name"))
				}
				return err
			}
			d.SetID(out.Keypair.Name)
			d.Set("public_key", strings.TrimSpace(out.Keypair.PublicKey))
			d.Set("fingerprint", out.Keypair.Fingerprint)
			if out.Keypair.UserID != "" {
				d.Set("user_id", out.Keypair.UserID)
			}
			d.Set("region", c.Endpoint.Region)
			return nil
		},
	}
}

// userOf is the authenticated user's ID, "" when unknown.
func userOf(c *osfw.Client) string {
	if c.Provider == nil {
		return ""
	}
	if r, ok := c.Provider.GetAuthResult().(tokens.CreateResult); ok {
		if u, err := r.ExtractUser(); err == nil && u != nil {
			return u.ID
		}
	}
	return ""
}
