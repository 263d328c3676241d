package engine

import (
	"context"

	"github.com/nuvola-pa/nuvola/engine/addrs"
	"github.com/nuvola-pa/nuvola/plugins"
)

// SchemaCache looks up resource type schemas by the provider configuration
// address recorded in plans and state, starting providers as needed.
type SchemaCache struct {
	provs *providers
}

// NewSchemaCache returns a cache over the given providers; Close it.
func NewSchemaCache(f ProviderFactories) *SchemaCache {
	return &SchemaCache{provs: newProviders(f)}
}

// ResourceTypeSchema returns the schema or nil when it cannot be found.
func (s *SchemaCache) ResourceTypeSchema(provider string, mode addrs.ResourceMode, typ string) *plugins.Schema {
	src, ok := providerSourceOf(provider)
	if !ok {
		return nil
	}
	sc, err := s.provs.resourceSchema(context.Background(), src, mode, typ)
	if err != nil {
		return nil
	}
	return sc
}

// Close ends the providers started for schemas.
func (s *SchemaCache) Close() { s.provs.close() }
