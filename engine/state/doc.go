// Package state owns the state model (what nuvola last knew about every
// remote object), its file codec, and the local backend that keeps it on
// disk.
//
// The local backend is built so that a crash or a killed process never
// leaves a half-written or lost state:
//
//   - the state file is replaced atomically (temporary file, fsync, rename,
//     directory fsync) and the previous version is kept as a backup;
//   - a run holds an operating system lock (flock) on a lock file for its
//     whole duration, so the kernel releases it when the process dies and a
//     stale lock cannot outlive its holder;
//   - while a run applies changes, every finished resource is appended to a
//     journal and fsync'd, so it is durable at once without rewriting the
//     whole state; the next Load replays a journal left behind by a crash.
//
// Beside the state it keeps the audit log's lines (Path+".audit.jsonl"),
// appended with O_APPEND and fsync; what a line holds is engine/audit's.
//
// It may import the standard library, third-party modules, engine/addrs
// and engine/internal/jsonscan only.
package state
