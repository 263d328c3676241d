package sdk

import (
	"fmt"
	"os"

	"github.com/nuvola-pa/nuvola/plugins"
)

// ServeOption adjusts Serve.
type ServeOption func(*serveConfig)

type serveConfig struct {
	version string
}

// WithVersion gives the provider's version: the binary run by hand as
// `nuvola-provider-NAME -version` prints it and exits, which lets people and
// tools ask a binary what it is without starting it as a plugin.
func WithVersion(v string) ServeOption {
	return func(c *serveConfig) { c.version = v }
}

// Serve runs the provider as a plugin: call it from main. It returns when
// the host ends the plugin. newProvider is called once, when the host
// connects.
func Serve(newProvider func() plugins.Provider, opts ...ServeOption) {
	var cfg serveConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.version != "" && len(os.Args) == 2 && (os.Args[1] == "-version" || os.Args[1] == "--version") {
		fmt.Println(cfg.version)
		return
	}
	plugins.Serve(newProvider)
}
