// Package openstacktest serves tests outside the openstack provider that
// need it configured without a cloud: a fake Identity service on 127.0.0.1
// that issues tokens with a full catalog, so the provider configures and
// plans new objects while every other API call fails plainly.
//
// It may import the provider's own packages and the standard library.
package openstacktest

import (
	"testing"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

// Env starts a fake Identity service, closed when the test ends, and
// returns the OS_* variables that point the provider at it.
func Env(t testing.TB) map[string]string {
	c := osfwtest.NewCloud(t)
	return map[string]string{
		"OS_AUTH_URL":            c.Server.URL + osfwtest.IdentityPath,
		"OS_USERNAME":            "tester",
		"OS_PASSWORD":            "secret",
		"OS_PROJECT_NAME":        "comune-test",
		"OS_USER_DOMAIN_NAME":    "Default",
		"OS_PROJECT_DOMAIN_NAME": "Default",
		"OS_REGION_NAME":         "RegionOne",
		"OS_CLOUD":               "",
	}
}
