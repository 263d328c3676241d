package plan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/engine/state"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"
)

func TestMarshalStateJSONRedactsSecrets(t *testing.T) {
	s := state.New()
	addr := addrs.Resource{Mode: addrs.ManagedResourceMode, Type: "null_resource", Name: "a"}.Absolute(addrs.RootModuleInstance).Instance(addrs.NoKey)
	s.SetCurrent(addr, &state.Object{AttrsJSON: json.RawMessage(`{"id":"1","triggers":{"pw":"hunter2"}}`),
		SensitivePaths: []cty.Path{cty.GetAttrPath("triggers")}}, `provider["registry.opentofu.org/hashicorp/null"]`)
	s.Outputs["pw"] = &state.OutputValue{Value: cty.StringVal("hunter2"), Sensitive: true}
	out, err := MarshalStateJSON(s, nil)
	require.NoError(t, err)
	require.False(t, strings.Contains(string(out), "hunter2"), string(out))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(out, &doc))
	require.Contains(t, doc, "values")
}
