package plugins

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultStopGrace is how long a provider has to return after the host asked
// it to stop, before its process is killed.
const DefaultStopGrace = 5 * time.Second

// crashWait bounds how long a failed call waits for the plugin process to
// exit before deciding that the failure was no crash. A crashing process
// closes its connection a moment before it is reaped.
const crashWait = 3 * time.Second

// LaunchConfig says how to start a provider plugin process.
type LaunchConfig struct {
	// Name is the provider's name in messages ("ente", "openstack").
	Name string
	// Cmd starts the plugin: an external nuvola-provider-NAME, or the nuvola
	// binary itself with "provider serve NAME". Leave Stdout and Stderr
	// unset: go-plugin reads both.
	Cmd *exec.Cmd
	// Stderr receives every line the provider writes to its stderr or
	// stdout: the host's log. Nil discards them. They never reach the
	// user's terminal unless Stderr is the terminal.
	Stderr io.Writer
	// Logger receives go-plugin's own messages about the process (start,
	// exit) and the provider's log lines parsed by level. Nil discards
	// them; the raw lines reach Stderr either way.
	Logger hclog.Logger
	// CallTimeout bounds every call to the provider; 0 means no bound. A
	// call that overruns it is ended with the provider's Stop, which asks
	// every call in flight on that provider to stop, not only the late one.
	CallTimeout time.Duration
	// StopGrace is how long a call that overran CallTimeout, or whose
	// context ended, has to return after the provider was asked to stop;
	// then the process is killed. 0 means DefaultStopGrace.
	StopGrace time.Duration
	// StartTimeout bounds the start and handshake; 0 means go-plugin's
	// default of one minute. A deadline on Launch's context also bounds it.
	StartTimeout time.Duration
	// Checksum, when set ("sha256:<hex>", as FileSHA256 returns), is
	// checked against the executable right before it is started, so a
	// binary swapped after the lock file was verified is not run either.
	Checksum string
}

// Launch starts a provider plugin process, completes the handshake and
// returns the provider it serves. The process belongs to the returned
// Provider: its Close kills the process and waits for it to end, and is safe
// to call more than once. The client is managed, so CleanupClients also ends
// it if the host exits without closing it.
//
// A call whose process dies fails with the diagnostic "The provider NAME
// crashed", which quotes the end of the process's output (where a Go panic
// is), instead of a transport error. A call that overruns CallTimeout, or
// whose context ends, is asked to stop with the provider's Stop: if it
// returns within StopGrace its answer is kept (an overrun also gets an error
// diagnostic), otherwise the process is killed and the call fails with a
// diagnostic naming the provider. Once the process is gone every later call
// fails at once with the same diagnostic.
//
// Start cannot be interrupted half-way, so ctx is checked before and after
// it; its deadline also bounds the start.
func Launch(ctx context.Context, cfg LaunchConfig) (Provider, error) {
	if cfg.Cmd == nil {
		return nil, errors.New("plugins: LaunchConfig has no Cmd")
	}
	if cfg.Cmd.Stdout != nil || cfg.Cmd.Stderr != nil {
		return nil, errors.New("plugins: LaunchConfig.Cmd must leave Stdout and Stderr unset")
	}
	name := cfg.Name
	if name == "" {
		name = filepath.Base(cfg.Cmd.Path)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("the provider %s was not started: %w", name, err)
	}
	var secure *plugin.SecureConfig
	if cfg.Checksum != "" {
		sum, err := parseSHA256(cfg.Checksum)
		if err != nil {
			return nil, fmt.Errorf("the provider %s was not started: %w", name, err)
		}
		secure = &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()}
	}
	logger := cfg.Logger
	if logger == nil {
		// Level Off, not a null logger: go-plugin skips parsing the
		// provider's lines only for a logger that is switched off.
		logger = hclog.New(&hclog.LoggerOptions{Level: hclog.Off, Output: io.Discard})
	}
	startTimeout := cfg.StartTimeout
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); startTimeout == 0 || left < startTimeout {
			startTimeout = max(left, time.Millisecond)
		}
	}
	tail := newOutputTail(cfg.Stderr)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: VersionedPlugins,
		Cmd:              cfg.Cmd,
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Managed:          true,
		StartTimeout:     startTimeout,
		Logger:           logger,
		// The process's own stderr carries log.Printf output and, on a
		// crash, the Go runtime's panic report; after plugin.Serve the
		// provider's os.Stdout and os.Stderr arrive over the stdio stream.
		Stderr:          tail.writer(),
		SyncStdout:      tail.writer(),
		SyncStderr:      tail.writer(),
		GRPCDialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(noteTransportError)},
	})

	fail := func(err error) (Provider, error) {
		client.Kill()
		msg := fmt.Sprintf("the provider %s could not be started: %v", name, err)
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			msg = fmt.Sprintf("the provider %s was not started: the checksum of %s is not %s; run \"nuvola init -upgrade\" if the new binary is intended", name, cfg.Cmd.Path, cfg.Checksum)
		}
		if out := tail.excerpt(); out != "" {
			msg += "\n\nIts output ended with:\n" + out
		}
		return nil, errors.New(msg)
	}
	if _, err := client.Start(); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	rpc, err := client.Client()
	if err != nil {
		return fail(err)
	}
	// Not Dispense: its client would ask for the schema outside the
	// watchdog below.
	conn, ok := rpc.(*plugin.GRPCClient)
	if !ok {
		return fail(fmt.Errorf("the plugin speaks %T, not gRPC", rpc))
	}
	inner := newGRPCClient(conn.Conn)
	p := &launchedProvider{
		name:        name,
		client:      client,
		inner:       inner,
		tail:        tail,
		callTimeout: cfg.CallTimeout,
		grace:       cfg.StopGrace,
	}
	if p.grace <= 0 {
		p.grace = DefaultStopGrace
	}
	if rc := client.ReattachConfig(); rc != nil {
		p.pid = rc.Pid
	}
	inner.close = func() error {
		p.kill()
		return nil
	}
	// The schema says whether the provider checks plans, which decides
	// the type handed out. It is asked for under the same watchdog as
	// every call; if it cannot be had, the first call that needs it
	// reports why (a crash is remembered), so the start does not fail.
	p.guard(ctx, "GetSchema", "", func(ctx context.Context) { _, _ = inner.loadSchema(ctx) })
	caps := inner.capabilities()
	switch {
	case caps.GetPolicyChecker() && caps.GetOwnedResources():
		return &launchedPolicyOwnedProvider{launchedPolicyProvider{p}}, nil
	case caps.GetPolicyChecker():
		return &launchedPolicyProvider{p}, nil
	case caps.GetOwnedResources():
		return &launchedOwnedProvider{p}, nil
	}
	return p, nil
}

// CleanupClients kills every plugin process Launch started that is still
// running, and waits for them. The host calls it on its way out, including
// after a panic or a signal, so that no provider process outlives the
// command. Calling it again is harmless (go-plugin's Kill is idempotent),
// which matters to tests that run the command's main more than once.
func CleanupClients() {
	plugin.CleanupClients()
}

func parseSHA256(s string) ([]byte, error) {
	hexSum, ok := strings.CutPrefix(s, "sha256:")
	if !ok {
		return nil, fmt.Errorf("checksum %q is not of the form sha256:<hex>", s)
	}
	sum, err := hex.DecodeString(hexSum)
	if err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("checksum %q is not of the form sha256:<hex>", s)
	}
	return sum, nil
}

// launchedProvider is the Provider Launch returns: the gRPC client, guarded
// so that a dead or stuck process becomes a diagnostic.
type launchedProvider struct {
	name        string
	client      *plugin.Client
	inner       *grpcClient
	tail        *outputTail
	callTimeout time.Duration
	grace       time.Duration
	pid         int

	mu     sync.Mutex
	failed *Diagnostic // set once the process is gone or condemned

	calls watchdog // the calls in flight

	killMu    sync.Mutex
	closeOnce sync.Once
}

var _ Provider = (*launchedProvider)(nil)

// failure returns the diagnostic every call gets once the process is gone.
func (p *launchedProvider) failure() (Diagnostic, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed == nil {
		return Diagnostic{}, false
	}
	return *p.failed, true
}

// fail records why the process is gone; the first reason stays, since the
// later ones are its consequences.
func (p *launchedProvider) fail(d Diagnostic) Diagnostic {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed == nil {
		p.failed = &d
	}
	return *p.failed
}

// kill ends the process and waits for it. go-plugin's Kill is idempotent but
// not meant to run twice at once.
func (p *launchedProvider) kill() {
	p.killMu.Lock()
	defer p.killMu.Unlock()
	p.client.Kill()
}

func (p *launchedProvider) waitExited(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !p.client.Exited() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// inflight is one call to the plugin. The gRPC interceptor finds it in the
// call's context and notes whether the plugin answered at all.
type inflight struct {
	rpc, typeName string

	mu  sync.Mutex
	err error

	watch // how the watchdog sees it
}

type inflightKey struct{}

func (c *inflight) what() string {
	if c.typeName == "" {
		return c.rpc
	}
	return fmt.Sprintf("%s for %s", c.rpc, c.typeName)
}

func (c *inflight) transportErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// noteTransportError tells a provider's error diagnostic from a call that
// got no answer: the plugin answers every RPC it serves with a response,
// its errors inside, so an error here comes from the connection, the
// process, or gRPC itself.
func noteTransportError(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	if err != nil {
		noteCallError(ctx, err)
	}
	return err
}

// noteCallError records that the call whose context ctx is got no answer;
// a batched call, which no interceptor sees, reports it here itself.
func noteCallError(ctx context.Context, err error) {
	if c, ok := ctx.Value(inflightKey{}).(*inflight); ok {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
}

// guard makes one call under Launch's rules. It returns diagnostics that
// replace the response (the process is gone) or are added to it.
func (p *launchedProvider) guard(ctx context.Context, rpc, typeName string, call func(context.Context)) (replace bool, diags Diagnostics) {
	if d, ok := p.failure(); ok {
		return true, Diagnostics{d}
	}
	c := &inflight{rpc: rpc, typeName: typeName}
	if err := ctx.Err(); err != nil {
		return true, Diagnostics{{
			Severity: Error,
			Summary:  fmt.Sprintf("Call to the provider %s cancelled", p.name),
			Detail:   fmt.Sprintf("The operation ended (%v) before nuvola called %s.", err, c.what()),
		}}
	}
	// The call runs detached from ctx: when ctx ends, the provider is asked
	// to stop and given the grace to return, rather than being cut off
	// mid-change with nobody waiting for its answer.
	rpcCtx, cancelRPC := context.WithCancel(context.WithValue(context.WithoutCancel(ctx), inflightKey{}, c))
	defer cancelRPC()
	c.cancelRPC = cancelRPC
	watched := p.callTimeout > 0 || ctx.Done() != nil
	if watched {
		p.calls.begin(p, ctx, c)
	}
	call(rpcCtx)
	if watched {
		p.calls.end(c)
	}
	if err := c.transportErr(); err != nil {
		if d, ok := p.failure(); ok {
			return true, Diagnostics{d}
		}
		wait := time.Duration(0)
		if lostConnection(err) {
			wait = crashWait
		}
		if p.waitExited(wait) {
			d := p.fail(p.crashDiagnostic(c))
			p.kill()
			return true, Diagnostics{d}
		}
	}
	if watched && c.overran() {
		return false, Diagnostics{{
			Severity: Error,
			Summary:  fmt.Sprintf("The provider %s did not respond within %s", p.name, p.callTimeout),
			Detail: fmt.Sprintf("%s was still running after %s. nuvola asked the provider to stop, and it returned; "+
				"its answer is kept, but the operation is reported as failed.", c.what(), p.callTimeout),
		}}
	}
	return false, nil
}

// lostConnection reports an error that a dying process causes: only then is
// it worth waiting for the process to be reaped. An error such as a message
// over the size limit leaves the process running, and its caller should
// not wait.
func lostConnection(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Canceled, codes.Unknown, codes.Internal:
		return true
	}
	return false
}

func (p *launchedProvider) crashDiagnostic(c *inflight) Diagnostic {
	detail := fmt.Sprintf("The provider's process ended while nuvola was waiting for its answer to %s. "+
		"This is a bug in the provider; please report it to the provider's authors.", c.what())
	if out := p.tail.excerpt(); out != "" {
		detail += "\n\nThe provider's output ended with:\n" + out
	}
	return Diagnostic{Severity: Error, Summary: fmt.Sprintf("The provider %s crashed", p.name), Detail: detail}
}
