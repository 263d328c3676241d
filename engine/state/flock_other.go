//go:build !unix

package state

import (
	"errors"
	"os"
)

var errNoFlock = errors.New("state locking is only supported on Unix-like systems")

func tryFlock(*os.File) (bool, error) { return false, errNoFlock }

func funlock(*os.File) error { return errNoFlock }
