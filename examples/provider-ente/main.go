// Command nuvola-provider-ente is an example external provider for nuvola:
// it registers public bodies (enti) by their IPA code. It keeps nothing
// remotely, so it runs anywhere; it exists to show a provider written
// against plugins and plugins/sdk only. See README.md.
package main

import (
	"github.com/nuvola-pa/nuvola/plugins"
	"github.com/nuvola-pa/nuvola/plugins/sdk"
)

// version is what `nuvola-provider-ente -version` prints.
const version = "0.1.0"

func main() {
	sdk.Serve(func() plugins.Provider { return New() }, sdk.WithVersion(version))
}
