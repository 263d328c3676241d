package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ExecutablePrefix starts the file name of every external provider: the
// provider "ente" is the executable nuvola-provider-ente.
const ExecutablePrefix = "nuvola-provider-"

// PluginPathEnv names the environment variable with extra plugin
// directories, separated by os.PathListSeparator.
const PluginPathEnv = "NUVOLA_PLUGIN_PATH"

// ErrProviderNotFound is wrapped by FindExternal's error when no directory
// holds the provider.
var ErrProviderNotFound = errors.New("provider executable not found")

// ExecutableName is the file name of the external provider name on this
// system.
func ExecutableName(name string) string {
	if runtime.GOOS == "windows" {
		return ExecutablePrefix + name + ".exe"
	}
	return ExecutablePrefix + name
}

// SearchDirs lists where external providers are looked for, in order:
// .nuvola/plugins under workDir, each directory of NUVOLA_PLUGIN_PATH in
// environ (relative ones taken from workDir), then .nuvola/plugins in the
// home directory named by environ. Directories repeat only once. environ
// is passed in, rather than read, so a command and its tests decide what
// the environment is.
func SearchDirs(workDir string, environ []string) []string {
	env := envMap(environ)
	var dirs []string
	seen := map[string]bool{}
	add := func(d string) {
		if d == "" {
			return
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(workDir, d)
		}
		d = filepath.Clean(d)
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	add(filepath.Join(".nuvola", "plugins"))
	for _, d := range filepath.SplitList(env[PluginPathEnv]) {
		add(d)
	}
	home := env["HOME"]
	if runtime.GOOS == "windows" && env["USERPROFILE"] != "" {
		home = env["USERPROFILE"]
	}
	if home != "" {
		add(filepath.Join(home, ".nuvola", "plugins"))
	}
	return dirs
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			// Later entries win, as with os/exec.
			m[k] = v
		}
	}
	return m
}

// FindExternal returns the path of the executable nuvola-provider-NAME in
// the first of dirs that holds one. A file of that name that is a directory
// or not executable is skipped, and named in the error if nothing else is
// found.
func FindExternal(name string, dirs []string) (string, error) {
	if err := checkProviderName(name); err != nil {
		return "", err
	}
	file := ExecutableName(name)
	var unusable []string
	for _, d := range dirs {
		p := filepath.Join(d, file)
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
			unusable = append(unusable, p)
			continue
		}
		return p, nil
	}
	msg := fmt.Sprintf("no executable %s for the provider %q in %s", file, name, strings.Join(dirs, ", "))
	if len(dirs) == 0 {
		msg = fmt.Sprintf("no executable %s for the provider %q: no plugin directories to look in", file, name)
	}
	if len(unusable) > 0 {
		msg += fmt.Sprintf(" (%s exists but is not an executable file)", strings.Join(unusable, ", "))
	}
	return "", fmt.Errorf("%w: %s", ErrProviderNotFound, msg)
}

// checkProviderName rejects names that would make the file name a path.
func checkProviderName(name string) error {
	if name == "" {
		return errors.New("empty provider name")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("invalid provider name %q: only lower-case letters, digits, '-' and '_' are allowed", name)
		}
	}
	return nil
}

// FileSHA256 returns the checksum of a file as the lock file records it:
// "sha256:" and the lower-case hex digest.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
