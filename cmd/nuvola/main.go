package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/nuvola-pa/nuvola/engine"
	"github.com/nuvola-pa/nuvola/plugins"
)

// Exit codes, as OpenTofu uses them.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
	exitFmt     = 3
)

type command struct {
	synopsis string
	run      func(m *meta, args []string) int
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"init":      {"Prepare your working directory for other commands", cmdInit},
		"validate":  {"Check whether the configuration is valid", cmdValidate},
		"plan":      {"Show changes required by the current configuration", cmdPlan},
		"apply":     {"Create or update infrastructure", cmdApply},
		"destroy":   {"Destroy previously-created infrastructure", cmdDestroy},
		"fmt":       {"Reformat your configuration in the standard style", cmdFmt},
		"show":      {"Show the current state or a saved plan", cmdShow},
		"output":    {"Show output values from your root module", cmdOutput},
		"graph":     {"Generate a Graphviz graph of the steps in an operation", cmdGraph},
		"state":     {"Advanced state management", cmdState},
		"import":    {"Associate existing infrastructure with a nuvola resource", cmdImport},
		"providers": {"Show the providers required for this configuration", cmdProviders},
		"version":   {"Show the current nuvola version", cmdVersion},
		"keygen":    {"Make a key pair for signing saved plans", cmdKeygen},
		"audit":     {"Show or check the audit log of state changes", cmdAudit},
		"provider":  {"", cmdProvider},
		"baseline":  {"Check plans against the security baselines", cmdBaseline},
	}
}

func main() {
	tuneGC()
	ctx, stop := interruptible(os.Args[1:], os.Stderr)
	// NUVOLA_CPUPROFILE writes a pprof CPU profile of the command, for
	// performance work on large configurations.
	if path := os.Getenv("NUVOLA_CPUPROFILE"); path != "" {
		if len(os.Args) > 1 && os.Args[1] == "provider" {
			// A built-in provider's process profiles itself beside the
			// command's profile instead of overwriting it.
			path = fmt.Sprintf("%s.provider.%d", path, os.Getpid())
		}
		if f, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(f)
			defer f.Close()
		}
	}
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	// No provider process may outlive the command, whatever happened.
	plugins.CleanupClients()
	pprof.StopCPUProfile()
	// NUVOLA_MEMPROFILE writes a pprof heap profile when the command ends:
	// what was allocated over the whole run, and what is still live. The
	// profile counts what the last collection saw, so one runs first.
	if path := os.Getenv("NUVOLA_MEMPROFILE"); path != "" {
		runtime.GC()
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			_ = f.Close()
		}
	}
	stop()
	os.Exit(code)
}

// interruptible returns the command's context, cancelled by the first
// interrupt (Ctrl-C) or SIGTERM: the operation stops starting work, asks
// the providers to stop what they are doing and records what finished. A
// second one ends the command at once, as a crash would: what finished is
// already in the state's journal, and provider processes are ended first.
// A built-in provider's process (nuvola provider serve) only has its
// context cancelled: the command that started it decides when it ends.
func interruptible(args []string, stderr io.Writer) (context.Context, func()) {
	if len(args) > 0 && args[0] == "provider" {
		return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprint(stderr, "\nInterrupt received.\nPlease wait for nuvola to exit or data loss may occur.\nGracefully shutting down...\n")
		cancel()
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprint(stderr, "\nTwo interrupts received. Exiting immediately. Note that data loss may have occurred.\n")
		plugins.CleanupClients()
		os.Exit(exitError)
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel()
		})
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	m := &meta{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		switch {
		case strings.HasPrefix(a, "-chdir="):
			if err := os.Chdir(strings.TrimPrefix(a, "-chdir=")); err != nil {
				fmt.Fprintf(stderr, "Error handling -chdir option: %s\n", err)
				return exitError
			}
		case a == "-version" || a == "--version" || a == "-v":
			args = append([]string{"version"}, args[1:]...)
			continue
		case a == "-help" || a == "--help" || a == "-h":
			usage(stdout)
			return exitOK
		default:
			fmt.Fprintf(stderr, "Unknown global option %s\n", a)
			return exitError
		}
		args = args[1:]
	}
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "nuvola has no command named %q.\n\nTo see all of nuvola's top-level commands, run:\n  nuvola -help\n", args[0])
		return exitError
	}
	defer m.discardPrestarted()
	m.cmdline = args
	return cmd.run(m, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: nuvola [global options] <subcommand> [args]\n\n")
	fmt.Fprintf(w, "A declarative provisioner for OpenStack clouds, speaking OpenTofu's language.\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if commands[n].synopsis == "" {
			continue // internal: provider plugins
		}
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].synopsis)
	}
	fmt.Fprintf(w, "\nGlobal options:\n  -chdir=DIR  Switch to a different working directory before executing the given subcommand.\n  -help       Show this help output.\n  -version    An alias for the \"version\" subcommand.\n")
}

func cmdVersion(m *meta, args []string) int {
	fs := m.flags("version")
	jsonOut := fs.Bool("json", false, "")
	if !m.parse(fs, args) {
		return exitError
	}
	if *jsonOut {
		fmt.Fprintf(m.stdout, "{\n  \"nuvola_version\": %q,\n  \"language_version\": %q\n}\n", engine.Version, engine.LanguageVersion)
		return exitOK
	}
	fmt.Fprintf(m.stdout, "nuvola v%s\n", engine.Version)
	return exitOK
}
