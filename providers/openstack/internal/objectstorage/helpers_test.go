package objectstorage

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

func destroyReq(t *testing.T, p plugins.Provider, typ string, prior cty.Value) plugins.ApplyResourceChangeRequest {
	b := osfwtest.Schema(p, typ)
	return plugins.ApplyResourceChangeRequest{TypeName: typ, PriorState: prior, PlannedState: cty.NullVal(b.ImpliedType()), Config: cty.NullVal(b.ImpliedType())}
}

func importReq(typ, id string) plugins.ImportResourceStateRequest {
	return plugins.ImportResourceStateRequest{TypeName: typ, ID: id}
}
