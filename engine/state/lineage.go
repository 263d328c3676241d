package state

import "github.com/google/uuid"

// NewLineage returns a fresh lineage: a random (version 4) UUID.
func NewLineage() string {
	return uuid.NewString()
}
