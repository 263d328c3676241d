package report

import (
	"fmt"
	"strings"
)

// Lang is the language of the report's labels.
type Lang string

// The languages the report is written in.
const (
	English Lang = "en"
	Italian Lang = "it"
)

// ParseLang reads a -lang value: "it" or "en", or a locale name such as
// it_IT.UTF-8.
func ParseLang(s string) (Lang, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(l, "it"):
		return Italian, nil
	case strings.HasPrefix(l, "en"):
		return English, nil
	}
	return "", fmt.Errorf("unsupported language %q: use \"it\" or \"en\"", s)
}

// LangFromEnv picks the language as the locale says: the first of LC_ALL,
// LC_MESSAGES and LANG that is set (POSIX's order); Italian for an it*
// locale, English otherwise.
func LangFromEnv(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "it") {
				return Italian
			}
			return English
		}
	}
	return English
}

func (l Lang) catalog() map[string]string {
	if l == Italian {
		return italian
	}
	return english
}
