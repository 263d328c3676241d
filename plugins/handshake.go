package plugins

import (
	"context"
	"errors"
	"os"
	"runtime/debug"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
)

// ProtocolVersion is the plugin protocol this package speaks: the gRPC
// service in plugins/internal/proto. A change that an older peer cannot
// ignore gets a new version, and VersionedPlugins offers both for a while.
const ProtocolVersion = 1

// ProviderPluginName is the name a plugin process serves its provider under.
const ProviderPluginName = "provider"

// Handshake is what host and plugin check before they talk. The cookie is no
// security measure: it makes a provider binary started by hand say that it
// is a plugin instead of waiting for a host that is not there.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "NUVOLA_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "62e1821323c253198d1afca753dd73321b98d330009acdac",
}

// VersionedPlugins is what a host can dispense from a plugin process, by
// protocol version. Its GRPCProviderPlugin has no Provider: the host only
// makes clients.
var VersionedPlugins = map[int]plugin.PluginSet{
	ProtocolVersion: {ProviderPluginName: &GRPCProviderPlugin{}},
}

// maxMessageSize bounds one gRPC message each way. gRPC's default of 4 MiB
// is too small for a ReadResources batch of a large project or the schema
// of a large provider.
const maxMessageSize = 256 << 20

// pluginGCPercent is the GOGC of a plugin process that was given none.
const pluginGCPercent = 400

// Serve runs a provider plugin: the main function of a provider binary (or
// of `nuvola provider serve NAME`) calls it and it returns when the host
// ends the plugin. newProvider is called once, when the host connects.
// TLS needs nothing here: with AutoMTLS the host hands the plugin its
// certificate when it starts the process.
func Serve(newProvider func() Provider) {
	if os.Getenv("GOGC") == "" {
		// A plugin keeps little alive (the schema and the calls in
		// flight) but allocates a few kilobytes for every call, so with
		// the default the collector runs every few megabytes, and a
		// large plan spends as much time collecting as calling. A few
		// tens of megabytes more halve the plugin's CPU time.
		debug.SetGCPercent(pluginGCPercent)
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{
			ProtocolVersion: {ProviderPluginName: &GRPCProviderPlugin{Provider: newProvider}},
		},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return plugin.DefaultGRPCServer(append(opts, grpc.MaxRecvMsgSize(maxMessageSize)))
		},
	})
}

// GRPCProviderPlugin carries a Provider over go-plugin's gRPC transport: it
// registers the provider with the plugin's gRPC server, and on the host it
// makes the client.
type GRPCProviderPlugin struct {
	// The net/rpc transport is not supported; gRPC is the only protocol.
	plugin.NetRPCUnsupportedPlugin

	// Provider makes the provider a plugin process serves. It is called
	// once, when the host connects; nil on the host.
	Provider func() Provider
}

var _ plugin.GRPCPlugin = (*GRPCProviderPlugin)(nil)

// GRPCServer registers the provider with the plugin's gRPC server.
func (p *GRPCProviderPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Provider == nil {
		return errors.New("plugins: GRPCProviderPlugin has no Provider to serve")
	}
	prov := p.Provider()
	if prov == nil {
		return errors.New("plugins: the provider factory returned nil")
	}
	proto.RegisterProviderServer(s, newGRPCServer(prov))
	return nil
}

// GRPCClient returns a Provider whose methods call the plugin (see
// NewGRPCClientFromConn). Its Close does not end the plugin: whoever
// started the plugin process owns it.
func (p *GRPCProviderPlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return NewGRPCClientFromConn(ctx, c), nil
}
