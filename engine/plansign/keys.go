package plansign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// PublicKeyType starts a public key file's line.
	PublicKeyType = "nuvola-ed25519"
	// PrivateKeyType starts a private key file's line.
	PrivateKeyType = "nuvola-ed25519-private"
	// Algorithm is the signature algorithm recorded with each signature.
	Algorithm = "ed25519"
	// PublicKeySuffix names the public half of a key pair and the files of
	// a trusted keys directory.
	PublicKeySuffix = ".pub"
	// maxKeyFile bounds what is read of a key file.
	maxKeyFile  = 4096
	maxIdentity = 256
)

// PublicKey is a signer's public key and the identity its owner gave it.
type PublicKey struct {
	Key      ed25519.PublicKey
	Identity string
	// File is where the key was read from, for messages; empty for a key
	// made in memory.
	File string
}

// Fingerprint names the key: "SHA256:" and the unpadded base64 of the
// SHA-256 of the raw public key, in the style of ssh-keygen -l.
func (k PublicKey) Fingerprint() string { return Fingerprint(k.Key) }

// Fingerprint is PublicKey.Fingerprint for a bare key.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// PrivateKey is a signing key and the identity that its signatures claim.
type PrivateKey struct {
	Key      ed25519.PrivateKey
	Identity string
}

// Public returns the public half.
func (k *PrivateKey) Public() PublicKey {
	return PublicKey{Key: k.Key.Public().(ed25519.PublicKey), Identity: k.Identity}
}

// CheckIdentity reports whether id can name a signer: 1 to 256 printable
// characters, no leading or trailing space.
func CheckIdentity(id string) error {
	switch {
	case id == "":
		return errors.New("the signer identity is empty")
	case len(id) > maxIdentity:
		return fmt.Errorf("the signer identity is longer than %d bytes", maxIdentity)
	case !utf8.ValidString(id):
		return errors.New("the signer identity is not valid UTF-8")
	case strings.TrimSpace(id) != id:
		return errors.New("the signer identity starts or ends with white space")
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return errors.New("the signer identity holds a control character")
		}
	}
	return nil
}

// GenerateKey makes a key pair for identity, reading randomness from rand
// (crypto/rand.Reader when nil).
func GenerateKey(identity string, rand io.Reader) (*PrivateKey, error) {
	if err := CheckIdentity(identity); err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	return &PrivateKey{Key: priv, Identity: identity}, nil
}

// MarshalPublicKey is the public key file's content.
func MarshalPublicKey(k PublicKey) []byte {
	return []byte(PublicKeyType + " " + base64.StdEncoding.EncodeToString(k.Key) + " " + k.Identity + "\n")
}

// MarshalPrivateKey is the private key file's content; it holds the seed
// that the key is derived from.
func MarshalPrivateKey(k *PrivateKey) []byte {
	return []byte(PrivateKeyType + " " + base64.StdEncoding.EncodeToString(k.Key.Seed()) + " " + k.Identity + "\n")
}

// parseKeyLine splits "TYPE BASE64 IDENTITY" and decodes the key material.
// Its errors never quote the key material.
func parseKeyLine(data []byte, wantType string) (raw []byte, identity string, err error) {
	if len(data) > maxKeyFile {
		return nil, "", errors.New("not a nuvola key file: it is too large")
	}
	line := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if strings.ContainsAny(line, "\r\n") {
		return nil, "", errors.New("not a nuvola key file: a key file is one line")
	}
	typ, rest, _ := strings.Cut(line, " ")
	if typ != wantType {
		other := PrivateKeyType
		if wantType == PrivateKeyType {
			other = PublicKeyType
		}
		if typ == other {
			return nil, "", fmt.Errorf("this is a %s key file, not a %s one", other, wantType)
		}
		return nil, "", fmt.Errorf("not a nuvola key file: it does not start with %q", wantType)
	}
	b64, identity, _ := strings.Cut(rest, " ")
	raw, derr := base64.StdEncoding.DecodeString(b64)
	if derr != nil {
		return nil, "", errors.New("malformed key file: the key is not valid base64")
	}
	if err := CheckIdentity(identity); err != nil {
		return nil, "", fmt.Errorf("malformed key file: %w", err)
	}
	return raw, identity, nil
}

// ParsePublicKey reads a public key file's content.
func ParsePublicKey(data []byte) (PublicKey, error) {
	raw, id, err := parseKeyLine(data, PublicKeyType)
	if err != nil {
		return PublicKey{}, err
	}
	if len(raw) != ed25519.PublicKeySize {
		return PublicKey{}, fmt.Errorf("malformed key file: an ed25519 public key is %d bytes, not %d", ed25519.PublicKeySize, len(raw))
	}
	return PublicKey{Key: ed25519.PublicKey(raw), Identity: id}, nil
}

// ParsePrivateKey reads a private key file's content.
func ParsePrivateKey(data []byte) (*PrivateKey, error) {
	raw, id, err := parseKeyLine(data, PrivateKeyType)
	if err != nil {
		return nil, err
	}
	if len(raw) != ed25519.SeedSize {
		return nil, fmt.Errorf("malformed key file: an ed25519 private key seed is %d bytes", ed25519.SeedSize)
	}
	return &PrivateKey{Key: ed25519.NewKeyFromSeed(raw), Identity: id}, nil
}

// WriteKeyPair writes k as the private key file name (mode 0600) and the
// public key file name+".pub". It overwrites neither: if either exists it
// fails and leaves both as they were.
func WriteKeyPair(name string, k *PrivateKey) error {
	pubName := name + PublicKeySuffix
	for _, n := range []string{name, pubName} {
		if _, err := os.Lstat(n); err == nil {
			return fmt.Errorf("%s already exists; nuvola never overwrites a key file", n)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := writeNew(name, MarshalPrivateKey(k), 0o600); err != nil {
		return err
	}
	if err := writeNew(pubName, MarshalPublicKey(k.Public()), 0o644); err != nil {
		_ = os.Remove(name)
		return err
	}
	return nil
}

// writeNew creates path, failing if it exists, with exactly mode whatever
// the umask, and makes its content durable.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; nuvola never overwrites a key file", path)
		}
		return err
	}
	if err = f.Chmod(mode); err == nil {
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// ReadPrivateKeyFile reads a private key file. Like ssh, it refuses a file
// that users other than its owner can read or write: such a key can no
// longer prove who signed.
func ReadPrivateKeyFile(path string) (*PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("permissions %04o for %s are too open: a private key must be accessible to its owner only (chmod 600 %s)", perm, path, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ReadPublicKeyFile reads a public key file.
func ReadPublicKeyFile(path string) (PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return PublicKey{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return PublicKey{}, err
	}
	k, err := ParsePublicKey(data)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%s: %w", path, err)
	}
	k.File = path
	return k, nil
}

// Keyring is the set of trusted public keys, by fingerprint.
type Keyring struct {
	// Dir is the directory the keys were read from.
	Dir  string
	keys map[string]PublicKey
}

// NewKeyring holds the given keys; for tests and callers that do not keep
// keys in a directory.
func NewKeyring(keys ...PublicKey) (*Keyring, error) {
	r := &Keyring{keys: map[string]PublicKey{}}
	for _, k := range keys {
		if err := r.add(k); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Keyring) add(k PublicKey) error {
	fp := k.Fingerprint()
	if old, ok := r.keys[fp]; ok && old.Identity != k.Identity {
		return fmt.Errorf("the key %s is trusted twice under different identities (%q in %s, %q in %s)", fp, old.Identity, old.File, k.Identity, k.File)
	}
	r.keys[fp] = k
	return nil
}

// LoadKeyring reads every *.pub file of dir (not its subdirectories). A
// file that is not a valid public key is an error rather than skipped:
// whoever put it there meant to trust someone.
func LoadKeyring(dir string) (*Keyring, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the trusted keys directory: %w", err)
	}
	r := &Keyring{Dir: dir, keys: map[string]PublicKey{}}
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), PublicKeySuffix) || e.IsDir() {
			continue
		}
		k, err := ReadPublicKeyFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if err := r.add(k); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Len is the number of distinct trusted keys.
func (r *Keyring) Len() int { return len(r.keys) }

// Lookup returns the trusted key with the fingerprint.
func (r *Keyring) Lookup(fingerprint string) (PublicKey, bool) {
	k, ok := r.keys[fingerprint]
	return k, ok
}

// Keys lists the trusted keys by fingerprint.
func (r *Keyring) Keys() []PublicKey {
	out := make([]PublicKey, 0, len(r.keys))
	for _, k := range r.keys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Key, out[j].Key) < 0 })
	return out
}
