package osfw_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw"
	"github.com/nuvola-pa/nuvola/providers/openstack/internal/osfw/osfwtest"
)

func configData(attrs map[string]any) *osfw.Data {
	b := osfw.ProviderBlock()
	d := osfw.NewData(b, cty.NullVal(b.ImpliedType()))
	for k, v := range attrs {
		d.Set(k, v)
	}
	return d
}

// A cloud of clouds.yaml authenticates as the entry says; tenant_id or
// tenant_name given as arguments scope the token to another project.
func TestConfigureFromCloudsYAML(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	dir := t.TempDir()
	clouds := filepath.Join(dir, "clouds.yaml")
	require.NoError(t, os.WriteFile(clouds, []byte(`clouds:
  regione:
    auth:
      auth_url: `+cloud.Server.URL+osfwtest.IdentityPath+`
      username: operatore
      project_name: servizi
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secure.yaml"), []byte("clouds:\n  regione:\n    auth:\n      password: s3greto\n"), 0o600))
	env := map[string]string{"OS_CLIENT_CONFIG_FILE": clouds}
	getenv := func(k string) string { return env[k] }

	c, err := osfw.ConfigureWith(context.Background(), configData(map[string]any{"cloud": "regione"}), getenv)
	require.NoError(t, err)
	assert.Equal(t, osfwtest.ProjectID, c.ProjectID)
	assert.Equal(t, "RegionOne", c.Endpoint.Region)
	req := cloud.TokenRequests()[0]["auth"].(map[string]any)
	user := req["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any)
	assert.Equal(t, "operatore", user["name"])
	assert.Equal(t, "s3greto", user["password"], "the password comes from secure.yaml")
	assert.Equal(t, "servizi", req["scope"].(map[string]any)["project"].(map[string]any)["name"])

	_, err = osfw.ConfigureWith(context.Background(), configData(map[string]any{"cloud": "regione", "tenant_id": "p-comune"}), getenv)
	require.NoError(t, err)
	req = cloud.TokenRequests()[1]["auth"].(map[string]any)
	assert.Equal(t, map[string]any{"id": "p-comune"}, req["scope"].(map[string]any)["project"])

	// OS_CLOUD names the cloud when the configuration does not.
	env["OS_CLOUD"] = "regione"
	_, err = osfw.ConfigureWith(context.Background(), configData(nil), getenv)
	require.NoError(t, err)

	// A cloud that is not there is an error on the cloud argument.
	_, err = osfw.ConfigureWith(context.Background(), configData(map[string]any{"cloud": "altrove"}), getenv)
	require.ErrorContains(t, err, `cloud "altrove"`)
}

// OS_* variables configure the provider when no cloud is named; the
// configuration's arguments win over them.
func TestConfigureFromEnvironment(t *testing.T) {
	cloud := osfwtest.NewCloud(t)
	env := map[string]string{
		"OS_AUTH_URL": cloud.Server.URL + osfwtest.IdentityPath, "OS_USERNAME": "env-user", "OS_PASSWORD": "env-pass",
		"OS_PROJECT_NAME": "servizi", "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default", "OS_REGION_NAME": "RegionOne",
	}
	c, err := osfw.ConfigureWith(context.Background(), configData(map[string]any{"user_name": "arg-user"}), func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "RegionOne", c.Endpoint.Region)
	user := cloud.TokenRequests()[0]["auth"].(map[string]any)["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any)
	assert.Equal(t, "arg-user", user["name"])
	assert.Equal(t, "env-pass", user["password"])

	// Application credentials need no project.
	env2 := map[string]string{"OS_AUTH_URL": env["OS_AUTH_URL"], "OS_APPLICATION_CREDENTIAL_ID": "ac1", "OS_APPLICATION_CREDENTIAL_SECRET": "sekret"}
	_, err = osfw.ConfigureWith(context.Background(), configData(nil), func(k string) string { return env2[k] })
	require.NoError(t, err)
	ac := cloud.TokenRequests()[1]["auth"].(map[string]any)["identity"].(map[string]any)["application_credential"].(map[string]any)
	assert.Equal(t, "ac1", ac["id"])

	// Nothing to go on: a clear error.
	_, err = osfw.ConfigureWith(context.Background(), configData(nil), func(string) string { return "" })
	require.ErrorContains(t, err, "no cloud to talk to")
}
