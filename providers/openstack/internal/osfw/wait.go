package osfw

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Poll is one look at an object's status while waiting.
type Poll struct {
	Status string
	// Fault is the API's explanation of an error status (a server's
	// fault message, a volume's migration error).
	Fault string
	// Gone: the object no longer exists (a 404).
	Gone bool
}

// Wait polls refresh until the status is one of target (or, with target
// "deleted", until the object is gone), failing at once on an error status
// (any status in failure, "error" and "ERROR" always) with the API's fault
// message, or when timeout passes. The interval grows from 100ms to 5s.
func Wait(ctx context.Context, what string, timeout time.Duration, target []string, failure []string, refresh func(ctx context.Context) (Poll, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	interval := 100 * time.Millisecond
	last := ""
	for {
		p, err := refresh(ctx)
		switch {
		case err != nil && IsNotFound(err):
			p = Poll{Gone: true}
		case err != nil:
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", what, waitErr(ctx, timeout, last))
			}
			return err
		}
		if p.Gone {
			if slices.Contains(target, "deleted") {
				return nil
			}
			return fmt.Errorf("%s: the object disappeared while nuvola waited for it to become %s", what, strings.Join(target, " or "))
		}
		last = p.Status
		if slices.Contains(target, p.Status) {
			return nil
		}
		if strings.EqualFold(p.Status, "error") || strings.HasPrefix(strings.ToLower(p.Status), "error_") || slices.Contains(failure, p.Status) {
			if p.Fault != "" {
				return fmt.Errorf("%s: the object went into status %s: %s", what, p.Status, p.Fault)
			}
			return fmt.Errorf("%s: the object went into status %s", what, p.Status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, waitErr(ctx, timeout, last))
		case <-time.After(interval):
		}
		interval = min(interval*3/2, 5*time.Second)
	}
}

func waitErr(ctx context.Context, timeout time.Duration, last string) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %s (last status %q); raise the resource's timeouts block if the cloud is slow", timeout, last)
	}
	return ctx.Err()
}
