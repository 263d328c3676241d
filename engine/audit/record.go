package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Version is the record format version Append writes and Decode reads.
const Version = 1

// Outcomes of a command and of each resource change.
const (
	OutcomeOK     = "ok"
	OutcomeError  = "error"
	OutcomeNotRun = "not-run"
)

// hashDomain starts the hashed bytes of every record, so a record hash is
// never a hash of anything else.
const hashDomain = "nuvola-audit-record-v1\n"

// Genesis is the "prev" of a log's first record.
var Genesis = func() string {
	sum := sha256.Sum256([]byte("nuvola-audit-genesis-v1"))
	return "sha256:" + hex.EncodeToString(sum[:])
}()

// Record is one command that changed the state.
type Record struct {
	// Version is the record format version.
	Version int `json:"v"`
	// Seq numbers the records of a log from 1.
	Seq uint64 `json:"seq"`
	// Time is when the record was written, at the end of the command.
	Time time.Time `json:"time"`
	Who  Who       `json:"who"`
	// Dir is the working directory.
	Dir string `json:"dir,omitempty"`
	// Command is the nuvola command, e.g. "apply" or "state rm".
	Command string `json:"command"`
	// Args are the command's arguments after the command words, with
	// secret values replaced.
	Args []string `json:"args"`
	// Outcome is OutcomeOK or OutcomeError.
	Outcome string `json:"outcome"`
	// Error summarises what went wrong when Outcome is OutcomeError.
	Error string `json:"error,omitempty"`
	// Note explains anything else an auditor should know, such as a state
	// recovered from the journal of an interrupted run.
	Note string `json:"note,omitempty"`
	// Plan is the plan carried out, for apply and destroy.
	Plan      *PlanRef   `json:"plan,omitempty"`
	Resources []Resource `json:"resources"`
	// StateBefore is the state the command found, StateAfter the one it
	// left.
	StateBefore StateRef `json:"state_before"`
	StateAfter  StateRef `json:"state_after"`
	// Prev is the hash of the record before, Genesis for the first.
	Prev string `json:"prev"`
	// Hash is this record's hash; see Record.ComputeHash.
	Hash string `json:"hash,omitempty"`
}

// Who ran the command.
type Who struct {
	// User and Host are the operating system user and the machine.
	User string `json:"user"`
	Host string `json:"host"`
	// OpenStack is the cloud identity the command used, when known.
	OpenStack *OpenStackIdentity `json:"openstack,omitempty"`
}

// OpenStackIdentity is the OpenStack user and project of a run.
type OpenStackIdentity struct {
	Cloud   string `json:"cloud,omitempty"`
	User    string `json:"user,omitempty"`
	Project string `json:"project,omitempty"`
	// Source says where the identity was learned: "configuration" (what
	// the environment and clouds.yaml ask for) or "token" (what Keystone
	// confirmed).
	Source string `json:"source"`
}

// PlanRef identifies the plan a command carried out.
type PlanRef struct {
	// Digest is the plan file digest, "sha256:<hex>".
	Digest string `json:"digest"`
	// Mode is "normal", "destroy" or "refresh-only".
	Mode string `json:"mode"`
	// Saved is set when the plan came from a plan file rather than being
	// made by the same command.
	Saved bool `json:"saved"`
	// RequiredSignatures is the number of approvals apply insisted on.
	RequiredSignatures int            `json:"required_signatures,omitempty"`
	Signatures         []SignatureRef `json:"signatures,omitempty"`
}

// SignatureRef is one signature of the plan.
type SignatureRef struct {
	Identity       string    `json:"identity"`
	KeyFingerprint string    `json:"key_fingerprint"`
	Time           time.Time `json:"time"`
	// Status is the verdict when apply checked signatures: "valid",
	// "untrusted" or "invalid".
	Status string `json:"status,omitempty"`
}

// Resource is what a command did to one resource instance object.
type Resource struct {
	Addr string `json:"addr"`
	// Deposed is set for a change to a deposed object.
	Deposed string `json:"deposed,omitempty"`
	// Action is the planned action ("create", "update", "delete",
	// "delete-then-create", ...) or the state operation ("import",
	// "state-rm", "state-mv").
	Action string `json:"action"`
	// To is the new address of a moved instance.
	To string `json:"to,omitempty"`
	// Ente is the public body the object belongs to, from its tags or
	// metadata when the command ran.
	Ente    string `json:"ente,omitempty"`
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// StateRef identifies a version of the state file.
type StateRef struct {
	Lineage string `json:"lineage,omitempty"`
	Serial  uint64 `json:"serial"`
	// Digest is "sha256:<hex>" of the state file's bytes, empty when there
	// was no state file.
	Digest string `json:"digest,omitempty"`
}

// Same reports whether two references name the same state file content.
func (s StateRef) Same(o StateRef) bool {
	return s.Digest == o.Digest && s.Serial == o.Serial && s.Lineage == o.Lineage
}

func (s StateRef) String() string {
	if s.Digest == "" {
		return "no state file"
	}
	return fmt.Sprintf("serial %d (%s)", s.Serial, s.Digest)
}

// DigestBytes is the digest of a file's content as records hold it.
func DigestBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// canonical is the record's encoding without its hash: the bytes the hash
// covers.
func (r *Record) canonical() ([]byte, error) {
	c := *r
	c.Hash = ""
	return json.Marshal(&c)
}

// ComputeHash is the hash the record must carry: SHA-256 over a domain
// separator and the canonical encoding, which includes Prev and so chains
// the record to the one before.
func (r *Record) ComputeHash() (string, error) {
	enc, err := r.canonical()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	io.WriteString(h, hashDomain)
	h.Write(enc)
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// Encode is the record's line, without the newline.
func (r *Record) Encode() ([]byte, error) { return json.Marshal(r) }

// ErrNotCanonical means a line parses as a record but is not the exact
// encoding of it that the writer produces: it was edited.
var ErrNotCanonical = errors.New("the record is not in the form nuvola writes (edited by hand?)")

// Decode reads one line (without its newline) as a record. It accepts only
// the exact encoding Encode produces, so that no edit can leave the hashed
// content unchanged. It does not check the hash or the chain.
func Decode(line []byte) (*Record, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a valid record: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a valid record: unexpected data after the record")
	}
	if r.Version != Version {
		return nil, fmt.Errorf("unsupported record version %d (this nuvola reads version %d)", r.Version, Version)
	}
	enc, err := r.Encode()
	if err != nil {
		return nil, fmt.Errorf("not a valid record: %v", err)
	}
	if !bytes.Equal(enc, line) {
		return nil, ErrNotCanonical
	}
	return &r, nil
}

// checkLineHash reports whether r, decoded from line, carries the hash of
// its content. Decode has checked that line is r's exact encoding, in
// which "hash" is the last member, so the canonical bytes are the line
// without it and need not be encoded again.
func (r *Record) checkLineHash(line []byte) error {
	if r.Hash == "" {
		return errors.New("the record has no hash")
	}
	suffix := `,"hash":"` + r.Hash + `"}`
	if !bytes.HasSuffix(line, []byte(suffix)) {
		return errors.New("the record's hash is not where nuvola writes it")
	}
	h := sha256.New()
	io.WriteString(h, hashDomain)
	h.Write(line[:len(line)-len(suffix)])
	h.Write([]byte{'}'})
	if r.Hash != "sha256:"+hex.EncodeToString(h.Sum(nil)) {
		return errors.New("the record does not match its hash: it was changed after it was written")
	}
	return nil
}
