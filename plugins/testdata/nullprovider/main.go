// Command nullprovider serves the built-in null provider as an external
// plugin, so that the plugin boundary's benchmarks compare the very same
// provider through the plugin and in-process.
package main

import (
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/plugins/sdk"
	"github.com/nuvola-pa/nuvola/providers/null"
)

func main() {
	sdk.Serve(func() plugins.Provider { return null.New() })
}
