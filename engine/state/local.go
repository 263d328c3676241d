package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultPath is the state file used when none is configured, relative to
// the working directory.
const DefaultPath = "nuvola.tfstate"

// Local keeps the state in a file on the local filesystem, next to its
// backup, lock, journal and audit log files (Path plus ".backup", ".lock",
// ".lock.info", ".journal" and ".audit.jsonl").
//
// Load, Persist and OpenJournal expect the caller to hold the lock; Local
// does not take it itself because a command holds it across all three.
type Local struct {
	// Path is the state file.
	Path string

	mu      sync.Mutex
	journal *Journal
}

// NewLocal returns the backend for the state file at path, or at
// DefaultPath when path is empty.
func NewLocal(path string) *Local {
	if path == "" {
		path = DefaultPath
	}
	return &Local{Path: path}
}

func (l *Local) backupPath() string   { return l.Path + ".backup" }
func (l *Local) lockPath() string     { return l.Path + ".lock" }
func (l *Local) lockInfoPath() string { return l.Path + ".lock.info" }
func (l *Local) journalPath() string  { return l.Path + ".journal" }

// Recovery says what Load took from a journal left by an interrupted run.
type Recovery struct {
	// Records is how many journal records were applied.
	Records int
	// Note explains anything noteworthy, such as a corrupt record that
	// stopped the replay.
	Note string
}

// Load reads the state. A missing file gives an empty state with a fresh
// lineage (not written until Persist). A journal left by an interrupted
// run against this very state is replayed onto it, and the returned
// Recovery says so; it is nil when the journal held nothing to recover and
// nothing damaged. The journal stays until the next Persist, because until
// then it is the only durable copy of what it recovered.
func (l *Local) Load() (*State, *Recovery, error) {
	data, err := os.ReadFile(l.Path)
	var s *State
	exists := true
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s, exists = New(), false
	case err != nil:
		return nil, nil, fmt.Errorf("reading the state: %w", err)
	default:
		if s, err = Decode(data); err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", l.Path, err)
		}
	}
	rec, err := l.recoverJournal(s, exists)
	if err != nil {
		return nil, nil, err
	}
	return s, rec, nil
}

// Persist writes s as the new state file, with s.Serial bumped by one. The
// old file is never modified: a crash leaves either the old or the new
// version, and the old one is kept as the backup. A journal is cleared
// only once the new file is durable, since until then it is what holds
// the changes; an open journal is restarted against the new serial
// instead, so no Append may run while Persist does (the caller already
// serializes changes to s, which is not safe for concurrent use).
func (l *Local) Persist(s *State) error {
	if s == nil {
		return errors.New("cannot persist a nil state")
	}
	s.Serial++
	file, err := encodeFile(s)
	if err != nil {
		s.Serial--
		return err
	}
	// Written as it is encoded, so that persisting a large state does not
	// need the whole file in memory at the end of a run, when memory use
	// peaks.
	renamed, err := l.writeAtomic(func(w io.Writer) error { return writeFileState(w, file) })
	if err != nil {
		if !renamed {
			s.Serial--
		}
		return fmt.Errorf("writing the state to %s: %w", l.Path, err)
	}
	l.mu.Lock()
	j := l.journal
	l.mu.Unlock()
	if j != nil {
		// Appends may follow this Persist, so the open journal starts
		// over against the new serial instead of vanishing under it.
		return j.restart(s.Lineage, s.Serial)
	}
	if err := os.Remove(l.journalPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the journal: %w", err)
	}
	return nil
}

// writeAtomic replaces the state file; renamed reports whether the new
// file took its place even if a later step failed.
func (l *Local) writeAtomic(write func(io.Writer) error) (renamed bool, err error) {
	dir := filepath.Dir(l.Path)
	base := filepath.Base(l.Path)
	mode := os.FileMode(0o600) // state holds secrets; only an existing file's mode is kept
	prev, statErr := os.Stat(l.Path)
	switch {
	case statErr == nil:
		mode = prev.Mode().Perm()
	case !errors.Is(statErr, fs.ErrNotExist):
		return false, statErr
	}
	tmp, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return false, err
	}
	tmpName := tmp.Name()
	defer func() {
		if !renamed {
			_ = os.Remove(tmpName)
		}
	}()
	if err = write(tmp); err == nil {
		if err = tmp.Chmod(mode); err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	if statErr == nil {
		if err := l.backup(dir, base); err != nil {
			return false, fmt.Errorf("keeping the backup: %w", err)
		}
	}
	if err := os.Rename(tmpName, l.Path); err != nil {
		return false, err
	}
	return true, syncDir(dir)
}

// backup makes Path+".backup" the current file. A hard link costs no copy
// and the old file's data is already durable; the final directory fsync
// makes the new name durable together with the new state.
func (l *Local) backup(dir, base string) error {
	tmpName := filepath.Join(dir, fmt.Sprintf("%s.backup.tmp-%d-%d", base, os.Getpid(), rand.Uint64()))
	if err := os.Link(l.Path, tmpName); err != nil {
		// Some filesystems have no hard links.
		if err := copyFile(l.Path, tmpName); err != nil {
			_ = os.Remove(tmpName)
			return err
		}
	}
	if err := os.Rename(tmpName, l.backupPath()); err != nil {
		_ = os.Remove(tmpName)
		return err
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, in); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes renames and new names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// LockInfo describes the holder of the state lock; it is written next to
// the lock so that a blocked run can say who holds it.
type LockInfo struct {
	ID        string    `json:"ID"`
	Operation string    `json:"Operation"`
	Who       string    `json:"Who"`
	Version   string    `json:"Version"`
	Path      string    `json:"Path"`
	Created   time.Time `json:"Created"`
	PID       int       `json:"PID"`
}

// ErrLocked is the reason in a LockError when another run holds the lock.
var ErrLocked = errors.New("the state is locked by another run")

// LockError is returned when the lock could not be taken; Info is the
// holder's, when it could be read.
type LockError struct {
	Info *LockInfo
	Err  error
}

func (e *LockError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Error acquiring the state lock: %v\n\n", e.Err)
	if i := e.Info; i != nil {
		b.WriteString("Lock Info:\n")
		fmt.Fprintf(&b, "  ID:        %s\n", i.ID)
		fmt.Fprintf(&b, "  Path:      %s\n", i.Path)
		fmt.Fprintf(&b, "  Operation: %s\n", i.Operation)
		fmt.Fprintf(&b, "  Who:       %s\n", i.Who)
		fmt.Fprintf(&b, "  Version:   %s\n", i.Version)
		fmt.Fprintf(&b, "  Created:   %s\n", i.Created.UTC().Format("2006-01-02 15:04:05.999999999 -0700 MST"))
		fmt.Fprintf(&b, "  PID:       %d\n", i.PID)
		b.WriteString("\n")
	}
	b.WriteString("nuvola locks the state so that two runs never write it at the same time.\n" +
		"The lock is released as soon as its holder exits; wait for it, or retry with a lock timeout.")
	return b.String()
}

func (e *LockError) Unwrap() error { return e.Err }

// Lock takes the state lock for the duration of a command and returns the
// function that releases it. The lock is an flock on Path+".lock", so the
// kernel drops it when the process dies however it dies: no stale lock can
// survive its holder. With timeout > 0 it waits that long (or until ctx is
// done) for another holder to finish; otherwise it fails at once. Either
// way a failure is a *LockError naming the holder.
//
// Missing fields of info are filled in (ID, Path, Who, Created, PID).
func (l *Local) Lock(ctx context.Context, info LockInfo, timeout time.Duration) (unlock func() error, err error) {
	// Go opens files close-on-exec, so provider plugins started while the
	// lock is held do not inherit it and cannot keep it past our exit.
	f, err := os.OpenFile(l.lockPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		ok, err := tryFlock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", l.lockPath(), err)
		}
		if ok {
			break
		}
		remaining := time.Until(deadline)
		if timeout <= 0 || remaining <= 0 {
			f.Close()
			reason := ErrLocked
			if timeout > 0 {
				reason = fmt.Errorf("%w (gave up after %s)", ErrLocked, timeout)
			}
			return nil, &LockError{Info: l.readLockInfo(), Err: reason}
		}
		// Jitter keeps several waiters from polling in lockstep.
		delay := 100*time.Millisecond + rand.N(150*time.Millisecond)
		delay = min(delay, remaining)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, &LockError{Info: l.readLockInfo(), Err: fmt.Errorf("%w while waiting: %w", ErrLocked, ctx.Err())}
		case <-t.C:
		}
	}
	l.fillLockInfo(&info)
	if err := writeLockInfo(l.lockInfoPath(), &info); err != nil {
		_ = funlock(f)
		f.Close()
		return nil, fmt.Errorf("writing the lock info: %w", err)
	}
	var once sync.Once
	var unlockErr error
	return func() error {
		once.Do(func() {
			// The info goes first: once the flock is released another run
			// may write its own, which must not be removed.
			if err := os.Remove(l.lockInfoPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
				unlockErr = err
			}
			// The lock file itself stays: removing it would let a waiter
			// that opened the old inode and a newcomer that creates a new
			// one both hold "the" lock.
			if err := funlock(f); err != nil && unlockErr == nil {
				unlockErr = err
			}
			if err := f.Close(); err != nil && unlockErr == nil {
				unlockErr = err
			}
		})
		return unlockErr
	}, nil
}

func (l *Local) fillLockInfo(info *LockInfo) {
	if info.ID == "" {
		info.ID = NewLineage()
	}
	if info.Path == "" {
		info.Path = l.Path
	}
	if info.Created.IsZero() {
		info.Created = time.Now().UTC()
	}
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.Who == "" {
		name := "unknown"
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		host, _ := os.Hostname()
		info.Who = name + "@" + host
	}
}

// writeLockInfo replaces the info file by rename, so a blocked run never
// reads half of it.
func writeLockInfo(path string, info *LockInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		// Other users blocked by the lock need to read who holds it.
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// readLockInfo returns the holder's info, or nil when there is none yet
// (the holder is between taking the lock and writing it) or it is
// unreadable.
func (l *Local) readLockInfo() *LockInfo {
	data, err := os.ReadFile(l.lockInfoPath())
	if err != nil {
		return nil
	}
	var info LockInfo
	if json.Unmarshal(data, &info) != nil {
		return nil
	}
	return &info
}
