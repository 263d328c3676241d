// Package jsonscan holds the JSON token grammar shared by the engine's
// hand-written decoders (stored objects, the state file): white space and
// numbers, which both must read exactly as encoding/json does.
//
// It imports the standard library only.
package jsonscan
