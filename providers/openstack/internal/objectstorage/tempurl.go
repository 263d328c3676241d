package objectstorage

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// TempURL is openstack_objectstorage_tempurl_v1.
func TempURL() *osfw.Resource {
	return &osfw.Resource{
		Type: "openstack_objectstorage_tempurl_v1",
		Description: "A Swift temporary URL for an object, signed with the container's or the account's temp URL key " +
			"(when neither has one, a random account key is set). With regenerate, an expired URL is made again.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":     {Type: cty.String, Optional: true, Computed: true, ForceNew: true, Description: "The region; the provider's when unset."},
			"container":  {Type: cty.String, Required: true, ForceNew: true},
			"object":     {Type: cty.String, Required: true, ForceNew: true},
			"method":     {Type: cty.String, Optional: true, ForceNew: true, Default: cty.StringVal("get"), Description: "get, head, put, post or delete."},
			"ttl":        {Type: cty.Number, Required: true, ForceNew: true, Description: "How many seconds the URL is valid."},
			"split":      {Type: cty.String, Optional: true, ForceNew: true, Description: "Where the signed path starts in the object's URL; /v1/ when unset."},
			"key":        {Type: cty.String, Optional: true, ForceNew: true, Sensitive: true, Description: "The key to sign with; the container's or the account's temp URL key when unset."},
			"digest":     {Type: cty.String, Optional: true, ForceNew: true, Default: cty.StringVal("sha1"), Description: "sha1, sha256 or sha512."},
			"regenerate": {Type: cty.Bool, Optional: true, ForceNew: true, Description: "Make a new URL when this one has expired."},
			"url":        {Type: cty.String, Computed: true, Sensitive: true, Description: "The temporary URL."},
		}},
		Create:   createTempURL,
		Read:     readTempURL,
		Delete:   func(context.Context, *osfw.Client, *osfw.Data) error { return nil },
		Import:   importTempURL,
		Validate: validateTempURL,
		Plan:     planRegion,
	}
}

func validateTempURL(d *osfw.Data) plugins.Diagnostics {
	var diags plugins.Diagnostics
	if m := d.Get("method"); m.IsKnown() && !m.IsNull() {
		switch strings.ToLower(m.AsString()) {
		case "get", "head", "put", "post", "delete":
		default:
			diags = diags.Errorf(cty.GetAttrPath("method"), "Invalid method", "method must be get, head, put, post or delete, not %q.", m.AsString())
		}
	}
	if g := d.Get("digest"); g.IsKnown() && !g.IsNull() {
		switch g.AsString() {
		case "sha1", "sha256", "sha512":
		default:
			diags = diags.Errorf(cty.GetAttrPath("digest"), "Invalid digest", "digest must be sha1, sha256 or sha512, not %q.", g.AsString())
		}
	}
	return diags
}

// keyLocks serialises the setting of an account's temp URL key, so that
// two URLs made at once do not each set a different key.
var keyLocks sync.Map

// tempURLKey is the key to sign with: the configured one, the container's,
// the account's, or a new random account key.
func tempURLKey(ctx context.Context, sc *gophercloud.ServiceClient, d *osfw.Data) (string, error) {
	if k := d.String("key"); k != "" {
		return k, nil
	}
	h, err := headContainer(ctx, sc, d.String("container"))
	if err != nil {
		return "", err
	}
	if k := h.Get("X-Container-Meta-Temp-Url-Key"); k != "" {
		return k, nil
	}
	mu, _ := keyLocks.LoadOrStore(sc.ServiceURL(), &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	resp, err := request(ctx, sc, http.MethodHead, sc.ServiceURL(), nil, 200, 204)
	if err != nil {
		return "", err
	}
	if k := resp.Header.Get("X-Account-Meta-Temp-Url-Key"); k != "" {
		return k, nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b[:])
	if _, err := request(ctx, sc, http.MethodPost, sc.ServiceURL(), map[string]string{"X-Account-Meta-Temp-URL-Key": key}, 204, 202); err != nil {
		return "", err
	}
	return key, nil
}

func createTempURL(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := swift(c)
	if err != nil {
		return err
	}
	key, err := tempURLKey(ctx, sc, d)
	if err != nil {
		return err
	}
	u, err := objects.CreateTempURL(ctx, sc, d.String("container"), d.String("object"), objects.CreateTempURLOpts{
		Method:     objects.HTTPMethod(strings.ToUpper(d.String("method"))),
		TTL:        d.Int("ttl"),
		Split:      d.String("split"),
		TempURLKey: key,
		Digest:     d.String("digest"),
	})
	if err != nil {
		return err
	}
	sum := md5.Sum([]byte(u))
	d.SetID(hex.EncodeToString(sum[:]))
	d.Set("url", u)
	setRegion(d, c)
	return nil
}

// readTempURL makes no request: a temporary URL is no object of the
// cloud. An expired URL is gone when it should be regenerated.
func readTempURL(_ context.Context, c *osfw.Client, d *osfw.Data) error {
	u, err := url.Parse(d.String("url"))
	if err != nil {
		return err
	}
	expiry, err := strconv.ParseInt(u.Query().Get("temp_url_expires"), 10, 64)
	if err != nil {
		return errors.New("the temporary URL has no valid temp_url_expires")
	}
	if d.Bool("regenerate") && expiry < time.Now().Unix() {
		d.MarkGone()
		return nil
	}
	setRegion(d, c)
	return nil
}

func importTempURL(context.Context, *osfw.Client, *osfw.Data) error {
	return errors.New("a temporary URL cannot be imported: declare it and apply to make one")
}
