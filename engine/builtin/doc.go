// Package builtin is the provider built into the engine, as in OpenTofu:
// the "terraform" provider with the terraform_data resource type. It is
// served through the same plugins.Provider interface as any other provider.
//
// It may import plugins and third-party modules only.
package builtin
