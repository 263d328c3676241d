package engine

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/nuvola-pa/nuvola/"

// TestDependencyRule keeps the architecture's import rule: cmd may import
// everything; engine imports hcl and plugins; providers import plugins;
// hcl and plugins import only third-party modules; the engine never sees
// gophercloud or gRPC.
func TestDependencyRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", module+"...").Output()
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	allowed := map[string][]string{
		"engine":    {"engine", "hcl", "plugins"},
		"hcl":       {"hcl"},
		"plugins":   {"plugins"},
		"providers": {"providers", "plugins"},
	}
	forbidden := []string{"github.com/gophercloud/", "google.golang.org/grpc", "github.com/hashicorp/go-plugin"}
	checked := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		require.NoError(t, dec.Decode(&p))
		rel := strings.TrimPrefix(p.ImportPath, module)
		top := strings.SplitN(rel, "/", 2)[0]
		ok, ruled := allowed[top]
		if !ruled {
			continue
		}
		checked++
		for _, imp := range p.Imports {
			if top == "engine" || top == "hcl" {
				for _, f := range forbidden {
					require.False(t, strings.HasPrefix(imp, f), "%s imports %s", p.ImportPath, imp)
				}
			}
			if !strings.HasPrefix(imp, module) {
				continue
			}
			impTop := strings.SplitN(strings.TrimPrefix(imp, module), "/", 2)[0]
			allowedHere := false
			for _, a := range ok {
				if impTop == a {
					allowedHere = true
				}
			}
			// plugins/internal is the wire protocol: only plugins uses it.
			if strings.Contains(imp, "/plugins/internal") && top != "plugins" {
				allowedHere = false
			}
			require.True(t, allowedHere, "%s may not import %s", p.ImportPath, imp)
		}
	}
	require.Greater(t, checked, 5)
}
