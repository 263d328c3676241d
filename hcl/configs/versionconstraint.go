package configs

import (
	"strings"

	version "github.com/hashicorp/go-version"
)

// ParseVersionConstraint parses a version constraint as OpenTofu's
// configurations write them, wildcards included: "~> 3.x" and "3.*" mean
// any 3.y.z, as they do for the registry.
func ParseVersionConstraint(s string) (version.Constraints, error) {
	parts := strings.Split(s, ",")
	for i, part := range parts {
		parts[i] = expandWildcard(strings.TrimSpace(part))
	}
	return version.NewConstraint(strings.Join(parts, ", "))
}

// expandWildcard rewrites one constraint whose version has a wildcard
// segment (x, X or *) into one go-version reads.
func expandWildcard(c string) string {
	op := ""
	for _, o := range []string{"~>", ">=", "<=", "!=", ">", "<", "="} {
		if strings.HasPrefix(c, o) {
			op, c = o, strings.TrimSpace(c[len(o):])
			break
		}
	}
	segs := strings.Split(c, ".")
	wild := -1
	for i, seg := range segs {
		if seg == "x" || seg == "X" || seg == "*" {
			wild = i
			break
		}
	}
	if wild < 0 {
		return strings.TrimSpace(op + " " + c)
	}
	kept := strings.Join(segs[:wild], ".")
	if kept == "" {
		return ">= 0.0.0"
	}
	switch op {
	case "", "=", "~>":
		// Any version within the fixed segments: a major only for "3.x",
		// a major and minor for "3.1.x".
		if wild == 1 {
			return ">= " + kept + ", < " + nextMajor(kept)
		}
		return "~> " + kept + ".0"
	default:
		return op + " " + kept
	}
}

func nextMajor(major string) string {
	n := 0
	for _, r := range major {
		if r < '0' || r > '9' {
			return major
		}
		n = n*10 + int(r-'0')
	}
	return itoa(n+1) + ".0.0"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
