package osfw

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/zclconf/go-cty/cty"

	"github.com/nuvola-pa/nuvola/plugins"
)

// ProviderBlock is the provider's configuration schema, with
// terraform-provider-openstack's argument names.
func ProviderBlock() *plugins.Block {
	str := func(desc string) *plugins.Attribute {
		return &plugins.Attribute{Type: cty.String, Optional: true, Description: desc}
	}
	secret := func(desc string) *plugins.Attribute {
		return &plugins.Attribute{Type: cty.String, Optional: true, Sensitive: true, Description: desc}
	}
	return &plugins.Block{
		Description: "The OpenStack cloud to manage: a clouds.yaml entry (cloud), OS_* environment variables, or the arguments here, which win over both.",
		Attributes: map[string]*plugins.Attribute{
			"cloud":                         str("A cloud of clouds.yaml (./clouds.yaml, ~/.config/openstack/, /etc/openstack/, or OS_CLIENT_CONFIG_FILE), with secure.yaml beside it. Defaults to OS_CLOUD."),
			"auth_url":                      str("The Identity endpoint (OS_AUTH_URL)."),
			"region":                        str("The region (OS_REGION_NAME)."),
			"user_name":                     str("OS_USERNAME."),
			"user_id":                       str("OS_USER_ID."),
			"password":                      secret("OS_PASSWORD."),
			"token":                         secret("A token to use instead of a password (OS_TOKEN)."),
			"tenant_id":                     str("The project ID (OS_PROJECT_ID)."),
			"tenant_name":                   str("The project name (OS_PROJECT_NAME)."),
			"user_domain_name":              str("OS_USER_DOMAIN_NAME."),
			"user_domain_id":                str("OS_USER_DOMAIN_ID."),
			"project_domain_name":           str("OS_PROJECT_DOMAIN_NAME."),
			"project_domain_id":             str("OS_PROJECT_DOMAIN_ID."),
			"domain_name":                   str("OS_DOMAIN_NAME: the domain of both user and project, or the scope."),
			"domain_id":                     str("OS_DOMAIN_ID."),
			"application_credential_id":     str("OS_APPLICATION_CREDENTIAL_ID."),
			"application_credential_name":   str("OS_APPLICATION_CREDENTIAL_NAME."),
			"application_credential_secret": secret("OS_APPLICATION_CREDENTIAL_SECRET."),
			"insecure":                      {Type: cty.Bool, Optional: true, Description: "Skip TLS verification (OS_INSECURE)."},
			"cacert_file":                   str("A CA bundle to verify the cloud's certificates (OS_CACERT)."),
			"cert":                          str("A client certificate (OS_CERT)."),
			"key":                           str("The client certificate's key (OS_KEY)."),
			"endpoint_type":                 str("public, internal or admin (OS_INTERFACE)."),
			"endpoint_overrides":            {Type: cty.Map(cty.String), Optional: true, Description: "Endpoints to use instead of the catalog's, by service (identity, network, volumev3, object-store, compute, image)."},
			"max_retries":                   {Type: cty.Number, Optional: true, Description: "How many times a request is retried after a rate limit or a transient error (default 5)."},
			"request_timeout":               {Type: cty.String, Optional: true, Description: "How long to wait for the answer to one request once it is sent, as a duration (default \"60s\"); a request that times out is retried when that is safe, and a create is looked for by its ownership mark first."},
		},
		BlockTypes: map[string]*plugins.NestedBlock{
			"default_tags": {Nesting: plugins.NestingSingle, Block: plugins.Block{
				Description: "Tags applied to every object that carries tags or metadata: ente, classification, migration, ...",
				Attributes: map[string]*plugins.Attribute{
					"tags": {Type: cty.Map(cty.String), Optional: true},
				},
			}},
		},
	}
}

// Configure authenticates from the provider's configuration, OS_*
// variables and clouds.yaml, as OpenStack's clients do.
func Configure(ctx context.Context, cfg *Data) (*Client, error) {
	return ConfigureWith(ctx, cfg, os.Getenv)
}

// ConfigureWith is Configure reading the environment through getenv.
func ConfigureWith(ctx context.Context, cfg *Data, getenv func(string) string) (*Client, error) {
	arg := func(name string, envs ...string) string {
		if s := cfg.String(name); s != "" {
			return s
		}
		for _, e := range envs {
			if v := getenv(e); v != "" {
				return v
			}
		}
		return ""
	}
	var (
		ao     gophercloud.AuthOptions
		eo     gophercloud.EndpointOpts
		tlsCfg *tls.Config
	)
	cloud := arg("cloud", "OS_CLOUD")
	if cloud != "" {
		opts := []clouds.ParseOption{clouds.WithCloudName(cloud)}
		if f := getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
			opts = append(opts, clouds.WithLocations(f))
		}
		if r := cfg.String("region"); r != "" {
			opts = append(opts, clouds.WithRegion(r))
		}
		var err error
		ao, eo, tlsCfg, err = clouds.Parse(opts...)
		if err != nil {
			return nil, AttrError("cloud", "cloud %q: %s", cloud, err)
		}
		// An argument written in the provider block wins over the
		// clouds.yaml entry, as in terraform-provider-openstack.
		if u := cfg.String("auth_url"); u != "" {
			ao.IdentityEndpoint = u
		}
	} else {
		ao = gophercloud.AuthOptions{
			IdentityEndpoint:            arg("auth_url", "OS_AUTH_URL"),
			Username:                    arg("user_name", "OS_USERNAME"),
			UserID:                      arg("user_id", "OS_USER_ID"),
			Password:                    arg("password", "OS_PASSWORD"),
			TokenID:                     arg("token", "OS_TOKEN", "OS_AUTH_TOKEN"),
			ApplicationCredentialID:     arg("application_credential_id", "OS_APPLICATION_CREDENTIAL_ID"),
			ApplicationCredentialName:   arg("application_credential_name", "OS_APPLICATION_CREDENTIAL_NAME"),
			ApplicationCredentialSecret: arg("application_credential_secret", "OS_APPLICATION_CREDENTIAL_SECRET"),
		}
		domainName, domainID := arg("domain_name", "OS_DOMAIN_NAME"), arg("domain_id", "OS_DOMAIN_ID")
		ao.DomainName = arg("user_domain_name", "OS_USER_DOMAIN_NAME")
		ao.DomainID = arg("user_domain_id", "OS_USER_DOMAIN_ID")
		if ao.DomainName == "" && ao.DomainID == "" {
			ao.DomainName, ao.DomainID = domainName, domainID
		}
		projectName := arg("tenant_name", "OS_PROJECT_NAME", "OS_TENANT_NAME")
		projectID := arg("tenant_id", "OS_PROJECT_ID", "OS_TENANT_ID")
		if ao.ApplicationCredentialID == "" && ao.ApplicationCredentialName == "" {
			switch {
			case projectID != "":
				ao.Scope = &gophercloud.AuthScope{ProjectID: projectID}
			case projectName != "":
				ao.Scope = &gophercloud.AuthScope{ProjectName: projectName,
					DomainName: arg("project_domain_name", "OS_PROJECT_DOMAIN_NAME"), DomainID: arg("project_domain_id", "OS_PROJECT_DOMAIN_ID")}
				if ao.Scope.DomainName == "" && ao.Scope.DomainID == "" {
					ao.Scope.DomainName, ao.Scope.DomainID = domainName, domainID
				}
			case domainName != "" || domainID != "":
				ao.Scope = &gophercloud.AuthScope{DomainName: domainName, DomainID: domainID}
			}
		}
		eo.Region = arg("region", "OS_REGION_NAME")
	}
	// Explicit arguments win over clouds.yaml too.
	if s := cfg.String("auth_url"); s != "" {
		ao.IdentityEndpoint = s
	}
	if s := cfg.String("user_name"); s != "" {
		ao.Username = s
	}
	if s := cfg.String("password"); s != "" {
		ao.Password = s
	}
	if s := cfg.String("token"); s != "" {
		ao.TokenID = s
	}
	// A project named here scopes the token to it, whatever the cloud
	// entry says: a provider alias per municipality's project.
	if id := cfg.String("tenant_id"); id != "" && cloud != "" {
		ao.TenantID, ao.TenantName = "", ""
		ao.Scope = &gophercloud.AuthScope{ProjectID: id}
	} else if name := cfg.String("tenant_name"); name != "" && cloud != "" {
		domain := cfg.String("project_domain_name")
		if domain == "" && ao.Scope != nil {
			domain = ao.Scope.DomainName
		}
		if domain == "" && cfg.String("project_domain_id") == "" {
			domain = "Default"
		}
		ao.TenantID, ao.TenantName = "", ""
		ao.Scope = &gophercloud.AuthScope{ProjectName: name, DomainName: domain, DomainID: cfg.String("project_domain_id")}
	}
	if ao.IdentityEndpoint == "" {
		return nil, AttrError("auth_url", "no cloud to talk to: set cloud (or OS_CLOUD) to a clouds.yaml entry, or auth_url (or OS_AUTH_URL) and credentials")
	}
	if ao.TokenID == "" && ao.ApplicationCredentialSecret == "" && ao.Password == "" {
		return nil, AttrError("password", "no credentials: set a password, an application credential or a token (or OS_PASSWORD, OS_APPLICATION_CREDENTIAL_SECRET, OS_TOKEN)")
	}
	ao.AllowReauth = ao.TokenID == ""
	if et := arg("endpoint_type", "OS_INTERFACE", "OS_ENDPOINT_TYPE"); et != "" {
		switch strings.TrimSuffix(strings.ToLower(et), "url") {
		case "internal":
			eo.Availability = gophercloud.AvailabilityInternal
		case "admin":
			eo.Availability = gophercloud.AvailabilityAdmin
		default:
			eo.Availability = gophercloud.AvailabilityPublic
		}
	}

	base := http.DefaultTransport.(*http.Transport).Clone()
	if tlsCfg != nil {
		base.TLSClientConfig = tlsCfg
	}
	insecure := cfg.Bool("insecure")
	if !cfg.Known("insecure") {
		insecure, _ = strconv.ParseBool(getenv("OS_INSECURE"))
	}
	cacert, cert, key := arg("cacert_file", "OS_CACERT"), arg("cert", "OS_CERT"), arg("key", "OS_KEY")
	if insecure || cacert != "" || cert != "" {
		tc := base.TLSClientConfig
		if tc == nil {
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tc.InsecureSkipVerify = insecure
		if cacert != "" {
			pem, err := os.ReadFile(cacert)
			if err != nil {
				return nil, AttrError("cacert_file", "reading the CA bundle: %s", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, AttrError("cacert_file", "%s holds no PEM certificate", cacert)
			}
			tc.RootCAs = pool
		}
		if cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, key)
			if err != nil {
				return nil, AttrError("cert", "loading the client certificate: %s", err)
			}
			tc.Certificates = []tls.Certificate{pair}
		}
		base.TLSClientConfig = tc
	}
	retries := 5
	if cfg.Known("max_retries") {
		retries = cfg.Int("max_retries")
	} else if v := getenv("OS_MAX_RETRIES"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			retries = n
		}
	}
	base.ResponseHeaderTimeout = 60 * time.Second
	if cfg.Known("request_timeout") {
		d, err := time.ParseDuration(cfg.String("request_timeout"))
		if err != nil || d <= 0 {
			return nil, AttrError("request_timeout", "%q is not a positive duration such as \"60s\"", cfg.String("request_timeout"))
		}
		base.ResponseHeaderTimeout = d
	}
	t := NewTransport(base, retries)

	pc, err := openstack.NewClient(ao.IdentityEndpoint)
	if err != nil {
		return nil, AttrError("auth_url", "%s", err)
	}
	pc.HTTPClient = http.Client{Transport: t}
	pc.UserAgent.Prepend("nuvola")
	t.route(strings.TrimSuffix(ao.IdentityEndpoint, "/"), Identity)
	if err := openstack.Authenticate(ctx, pc, ao); err != nil {
		return nil, fmt.Errorf("authenticating at %s: %w", ao.IdentityEndpoint, err)
	}
	c := &Client{Provider: pc, Endpoint: eo, transport: t, DefaultTags: map[string]string{}, RequestTimeout: base.ResponseHeaderTimeout}
	if r, ok := pc.GetAuthResult().(tokens.CreateResult); ok {
		if p, err := r.ExtractProject(); err == nil && p != nil {
			c.ProjectID = p.ID
		}
		// Count every request by the service whose endpoint it goes to,
		// the version discovery before a service client exists included.
		if cat, err := r.ExtractServiceCatalog(); err == nil {
			c.Catalog = cat
			for _, entry := range cat.Entries {
				service := entry.Type
				if service == "block-storage" || service == "volume" {
					service = BlockStorage
				}
				for _, ep := range entry.Endpoints {
					t.route(strings.TrimSuffix(ep.URL, "/"), service)
				}
			}
		}
	}
	c.Overrides = cfg.StringMap("endpoint_overrides")
	for _, tb := range cfg.Blocks("default_tags") {
		for k, v := range tb.StringMap("tags") {
			c.DefaultTags[k] = v
		}
	}
	return c, nil
}
