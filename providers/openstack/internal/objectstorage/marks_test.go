package objectstorage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

const lineage = "c0ffee00-0000-4000-8000-0000000051f7"

// A container's mark is in its metadata: sent with the PUT that makes it,
// never in metadata or all_metadata, kept by updates of the metadata; the
// container is found for its owner only and listed under its address.
func TestContainerOwnershipMark(t *testing.T) {
	owner := plugins.Owner{Address: `module.comune["prato"].openstack_objectstorage_container_v1.atti`, Lineage: lineage}
	wantMD := cty.MapVal(map[string]cty.Value{"uso": cty.StringVal("albo")})
	wantAll := cty.MapVal(map[string]cty.Value{"uso": cty.StringVal("albo"), "ente": cty.StringVal("c_a662")})

	t.Run("marked", func(t *testing.T) {
		cloud := osfwtest.NewCloud(t)
		fake := newFakeSwift(t, cloud)
		p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})
		creates := cloud.WatchCreates("PUT", "/atti")
		cfg := object(t, p, contType, map[string]any{"name": "atti", "metadata": map[string]string{"uso": "albo"}})
		resp := osfwtest.ApplyOwned(t, p, contType, cfg, owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())

		require.Equal(t, 1, creates.Count())
		sent := creates.Header(0)
		assert.Equal(t, lineage+":"+plugins.OwnerAddressHash(owner.Address), sent.Get("X-Container-Meta-"+osfw.MarkOwnerKey), "the mark is in the create request")
		assert.Equal(t, owner.Address, sent.Get("X-Container-Meta-"+osfw.MarkAddressKey))
		assert.Equal(t, "albo", sent.Get("X-Container-Meta-Uso"))
		assert.Equal(t, wantMD, resp.NewState.GetAttr("metadata"), "the state never shows it")
		assert.Equal(t, wantAll, resp.NewState.GetAttr("all_metadata"))
		got := osfwtest.Read(t, p, contType, resp.NewState)[0]
		assert.Equal(t, wantMD, got.GetAttr("metadata"))
		assert.Equal(t, wantAll, got.GetAttr("all_metadata"))
		osfwtest.NoChange(t, p, contType, got, cfg)

		found := osfwtest.Find(t, p, contType, owner)
		require.True(t, found.Found)
		assert.Equal(t, "atti", found.State.GetAttr("id").AsString())
		assert.Equal(t, wantAll, found.State.GetAttr("all_metadata"))
		assert.False(t, osfwtest.Find(t, p, contType, plugins.Owner{Address: owner.Address, Lineage: "another-lineage"}).Found)
		assert.Equal(t, []plugins.OwnedObject{{TypeName: contType, ID: "atti", Address: owner.Address, Name: "atti"}},
			osfwtest.Owned(t, p, lineage, contType))

		cfg2 := object(t, p, contType, map[string]any{"name": "atti", "metadata": map[string]string{"uso": "archivio"}})
		osfwtest.Apply(t, p, contType, got, cfg2)
		h := fake.containers["atti"].headers
		assert.Equal(t, "archivio", h.Get("X-Container-Meta-Uso"))
		assert.Equal(t, owner.Address, h.Get("X-Container-Meta-"+osfw.MarkAddressKey), "an update keeps the mark")
		assert.Len(t, osfwtest.Owned(t, p, lineage, contType), 1)
	})

	t.Run("answer lost", func(t *testing.T) {
		cloud := osfwtest.NewCloud(t)
		fake := newFakeSwift(t, cloud)
		p := cloud.Provider(t, Resources(), nil, map[string]string{"ente": "c_a662"})
		creates := cloud.WatchCreates("PUT", "/atti")
		creates.LoseNext()
		resp := osfwtest.ApplyOwned(t, p, contType, object(t, p, contType, map[string]any{"name": "atti", "metadata": map[string]string{"uso": "albo"}}), owner)
		require.False(t, resp.Diagnostics.HasErrors(), "%v", resp.Diagnostics.Err())
		// A PUT may be sent again (it is idempotent); one container.
		assert.GreaterOrEqual(t, creates.Count(), 1)
		assert.Len(t, fake.containers, 1)
		assert.Equal(t, "atti", resp.NewState.GetAttr("id").AsString())
		got := osfwtest.Read(t, p, contType, resp.NewState)[0]
		assert.True(t, got.RawEquals(resp.NewState), "no drift after the adoption:\n%#v\n%#v", got, resp.NewState)
	})
}
