package acctest

import (
	"strings"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
)

// Unmarked is a description as the API returns it, less the ownership mark
// the provider appends to what it creates.
func Unmarked(desc string) string {
	d, _ := osfw.SplitDescriptionMark(desc)
	return d
}

// UnmarkedMeta is metadata as the API returns it, less the ownership mark's
// keys.
func UnmarkedMeta(md map[string]string) map[string]string {
	out := make(map[string]string, len(md))
	for k, v := range md {
		if strings.EqualFold(k, osfw.MarkOwnerKey) || strings.EqualFold(k, osfw.MarkAddressKey) {
			continue
		}
		out[k] = v
	}
	return out
}
