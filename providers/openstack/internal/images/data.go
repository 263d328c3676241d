package images

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// ImageData is the openstack_images_image_v2 data source: one image found
// by name (or name_regex), visibility, owner, tags, properties, sizes;
// most_recent picks the newest of several.
func ImageData() *osfw.DataSource {
	opt := func(ty cty.Type) *plugins.Attribute { return &plugins.Attribute{Type: ty, Optional: true} }
	comp := func(ty cty.Type) *plugins.Attribute { return &plugins.Attribute{Type: ty, Computed: true} }
	return &osfw.DataSource{
		Type:        imageType,
		Description: "Looks up one Glance image.",
		Block: &plugins.Block{Attributes: map[string]*plugins.Attribute{
			"region":           {Type: cty.String, Optional: true, Computed: true},
			"name":             opt(cty.String),
			"name_regex":       opt(cty.String),
			"visibility":       opt(cty.String),
			"member_status":    opt(cty.String),
			"owner":            {Type: cty.String, Optional: true, Computed: true},
			"size_min":         opt(cty.Number),
			"size_max":         opt(cty.Number),
			"sort_key":         opt(cty.String),
			"sort_direction":   opt(cty.String),
			"sort":             opt(cty.String),
			"tag":              opt(cty.String),
			"tags":             {Type: cty.Set(cty.String), Optional: true, Computed: true},
			"most_recent":      opt(cty.Bool),
			"properties":       {Type: cty.Map(cty.String), Optional: true, Computed: true},
			"hidden":           opt(cty.Bool),
			"container_format": {Type: cty.String, Optional: true, Computed: true},
			"disk_format":      {Type: cty.String, Optional: true, Computed: true},
			"checksum":         comp(cty.String),
			"created_at":       comp(cty.String),
			"updated_at":       comp(cty.String),
			"file":             comp(cty.String),
			"metadata":         comp(cty.Map(cty.String)),
			"min_disk_gb":      comp(cty.Number),
			"min_ram_mb":       comp(cty.Number),
			"protected":        comp(cty.Bool),
			"schema":           comp(cty.String),
			"size_bytes":       comp(cty.Number),
		}},
		Read: readImageData,
	}
}

func readImageData(ctx context.Context, c *osfw.Client, d *osfw.Data) error {
	sc, err := c.Service(osfw.Image)
	if err != nil {
		return err
	}
	q := url.Values{}
	for attr, param := range map[string]string{"name": "name", "visibility": "visibility", "member_status": "member_status",
		"owner": "owner", "container_format": "container_format", "disk_format": "disk_format", "sort": "sort",
		"sort_key": "sort_key", "sort_direction": "sort_dir"} {
		if d.Known(attr) {
			q.Set(param, d.String(attr))
		}
	}
	if d.Known("size_min") {
		q.Set("size_min", strconv.Itoa(d.Int("size_min")))
	}
	if d.Known("size_max") {
		q.Set("size_max", strconv.Itoa(d.Int("size_max")))
	}
	for _, t := range d.StringList("tags") {
		q.Add("tag", t)
	}
	if t := d.String("tag"); t != "" {
		q.Add("tag", t)
	}
	if d.Known("hidden") {
		q.Set("os_hidden", strconv.FormatBool(d.Bool("hidden")))
	}
	list, err := listImages(ctx, sc, q)
	if err != nil {
		return err
	}
	var re *regexp.Regexp
	if r := d.String("name_regex"); r != "" {
		if re, err = regexp.Compile(r); err != nil {
			return osfw.AttrError("name_regex", "invalid regular expression: %s", err)
		}
	}
	want := d.StringMap("properties")
	var match []image
	for _, im := range list {
		if re != nil && !re.MatchString(im.str("name")) {
			continue
		}
		props := im.userProperties()
		ok := true
		for k, v := range want {
			if props[k] != v {
				ok = false
			}
		}
		if ok {
			match = append(match, im)
		}
	}
	switch {
	case len(match) == 0:
		return fmt.Errorf("no image matches the search; change the arguments")
	case len(match) > 1 && !d.Bool("most_recent"):
		return fmt.Errorf("%d images match the search; narrow it or set most_recent = true", len(match))
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].str("created_at") > match[j].str("created_at") })
	im := match[0]
	d.SetID(im.str("id"))
	d.Set("name", im.str("name"))
	d.Set("owner", im.str("owner"))
	d.Set("container_format", im.str("container_format"))
	d.Set("disk_format", im.str("disk_format"))
	d.Set("checksum", im.str("checksum"))
	d.Set("created_at", im.str("created_at"))
	d.Set("updated_at", im.str("updated_at"))
	d.Set("file", im.str("file"))
	d.Set("schema", im.str("schema"))
	d.Set("min_disk_gb", im.num("min_disk"))
	d.Set("min_ram_mb", im.num("min_ram"))
	d.Set("protected", im.boolean("protected"))
	d.Set("size_bytes", im.num("size"))
	d.Set("metadata", map[string]string{})
	d.Set("properties", im.userProperties())
	var tags []string
	if l, ok := im["tags"].([]any); ok {
		for _, t := range l {
			if s, ok := t.(string); ok {
				tags = append(tags, s)
			}
		}
	}
	d.Set("tags", append([]string{}, tags...))
	d.Set("region", c.Endpoint.Region)
	return nil
}
