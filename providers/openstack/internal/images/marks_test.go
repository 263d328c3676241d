package images

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const lineage = "1ea9e000-0000-4000-8000-00000000a11a"

// An image's mark is in its properties: sent with the create, never in
// the properties attribute, kept by updates of the properties; the image
// is found for its owner only and listed under its address. One whose
// create answer was lost, hidden or not, is found by its mark and gets its
// data then.
func TestImageOwnershipMark(t *testing.T) {
	owner := plugins.Owner{Address: `module.comune["prato"].openstack_images_image_v2.debian`, Lineage: lineage}
	markValue := lineage + ":" + plugins.OwnerAddressHash(owner.Address)
	wantProps := cty.MapVal(map[string]cty.Value{"os_distro": cty.StringVal("debian")})

	t.Run("marked", func(t *testing.T) {
		cloud := osfwtest.NewCloud(t)
		fake := newFakeGlance(cloud, t)
		p := cloud.Provider(t, Resources(), nil, nil)
		path, _ := writeDisk(t, 1<<20)
		creates := cloud.WatchCreates("POST", ip+"images")
		cfgMap := map[string]any{"name": "debian", "container_format": "bare", "disk_format": "raw", "local_file_path": path,
			"properties": map[string]string{"os_distro": "debian"}}
		cfg := osfwtest.Object(t, p, imageType, cfgMap)
		resp := osfwtest.ApplyOwned(t, p, imageType, cfg, owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		id := resp.NewState.GetAttr("id").AsString()

		require.Equal(t, 1, creates.Count())
		assert.Equal(t, markValue, creates.Body(0)[osfw.MarkOwnerKey], "the mark is in the create request")
		assert.Equal(t, owner.Address, creates.Body(0)[osfw.MarkAddressKey])
		assert.Equal(t, wantProps, resp.NewState.GetAttr("properties"), "the state never shows it")
		got := osfwtest.Read(t, p, imageType, resp.NewState)[0]
		assert.Equal(t, wantProps, got.GetAttr("properties"))
		osfwtest.NoChange(t, p, imageType, got, cfg)

		found := osfwtest.Find(t, p, imageType, owner)
		require.True(t, found.Found)
		assert.Equal(t, id, found.State.GetAttr("id").AsString())
		assert.Equal(t, wantProps, found.State.GetAttr("properties"))
		assert.False(t, osfwtest.Find(t, p, imageType, plugins.Owner{Address: owner.Address, Lineage: "another-lineage"}).Found)
		assert.Equal(t, []plugins.OwnedObject{{TypeName: imageType, ID: id, Address: owner.Address, Name: "debian"}},
			osfwtest.Owned(t, p, lineage, imageType))

		cfgMap["properties"] = map[string]string{"hw_disk_bus": "scsi"}
		osfwtest.Apply(t, p, imageType, got, osfwtest.Object(t, p, imageType, cfgMap))
		assert.Equal(t, "scsi", fake.images[id]["hw_disk_bus"])
		assert.NotContains(t, fake.images[id], "os_distro")
		assert.Equal(t, markValue, fake.images[id][osfw.MarkOwnerKey], "an update keeps the mark")
	})

	for name, hidden := range map[string]bool{"answer lost": false, "answer lost, hidden": true} {
		t.Run(name, func(t *testing.T) {
			cloud := osfwtest.NewCloud(t)
			fake := newFakeGlance(cloud, t)
			p := cloud.Provider(t, Resources(), nil, nil)
			path, sum := writeDisk(t, 1<<20)
			// A queued image of the same name, someone else's upload
			// in progress: the name cannot tell which is ours.
			fake.next = 1
			fake.images["img-1"] = map[string]any{"id": "img-1", "name": "debian", "status": "queued", "owner": osfwtest.ProjectID, "os_hidden": hidden}
			creates := cloud.WatchCreates("POST", ip+"images")
			creates.LoseNext()
			resp := osfwtest.ApplyOwned(t, p, imageType, osfwtest.Object(t, p, imageType, map[string]any{"name": "debian", "container_format": "bare",
				"disk_format": "raw", "local_file_path": path, "hidden": hidden}), owner)
			require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
			assert.Equal(t, 1, creates.Count(), "not sent again")
			assert.Len(t, fake.images, 2)
			id := resp.NewState.GetAttr("id").AsString()
			assert.Equal(t, "img-2", id)
			assert.Equal(t, "active", fake.images[id]["status"])
			assert.Equal(t, sum, resp.NewState.GetAttr("checksum").AsString(), "the data was sent to the image found")
			assert.Equal(t, "queued", fake.images["img-1"]["status"])
		})
	}
}

// An image found by its mark after a run stopped before sending its data
// is queued: the plan makes it again.
func TestQueuedImageAdoptedIsReplaced(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	fake := newFakeGlance(cloud, t)
	p := cloud.Provider(t, Resources(), nil, nil)
	owner := plugins.Owner{Address: "openstack_images_image_v2.vuota", Lineage: lineage}
	fake.next = 1
	fake.images["img-1"] = map[string]any{"id": "img-1", "name": "vuota", "status": "queued", "owner": osfwtest.ProjectID,
		"container_format": "bare", "disk_format": "raw", "visibility": "private", "tags": []any{},
		osfw.MarkOwnerKey: lineage + ":" + plugins.OwnerAddressHash(owner.Address), osfw.MarkAddressKey: owner.Address}
	found := osfwtest.Find(t, p, imageType, owner)
	require.True(t, found.Found)
	assert.Equal(t, "queued", found.State.GetAttr("status").AsString())
	path, _ := writeDisk(t, 1<<10)
	pr := osfwtest.Plan(t, p, imageType, found.State, osfwtest.Object(t, p, imageType, map[string]any{"name": "vuota",
		"container_format": "bare", "disk_format": "raw", "local_file_path": path}))
	require.False(t, pr.Diagnostics.HasErrors(), "%v", pr.Diagnostics.Err())
	assert.Contains(t, pr.RequiresReplace, cty.GetAttrPath("status"))
}
