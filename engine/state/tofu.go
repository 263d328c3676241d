package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nuvola-pa/nuvola/engine/addrs"
)

// tofuState is the part of an OpenTofu/Terraform version 4 state that
// nuvola keeps; check results and other extras are dropped on import.
type tofuState struct {
	Version          int                   `json:"version"`
	TerraformVersion string                `json:"terraform_version"`
	Serial           uint64                `json:"serial"`
	Lineage          string                `json:"lineage"`
	Outputs          map[string]fileOutput `json:"outputs"`
	Resources        []tofuResource        `json:"resources"`
}

type tofuResource struct {
	fileResource
	Instances []tofuInstance `json:"instances"`
}

type tofuInstance struct {
	fileInstance
	AttributesFlat json.RawMessage `json:"attributes_flat"`
}

// ImportOpenTofu converts an OpenTofu or Terraform (version 4) state file
// into a nuvola state, keeping its lineage and serial so that the history
// continues. The result is not persisted.
func ImportOpenTofu(data []byte) (*State, error) {
	var ts tofuState
	if err := json.Unmarshal(data, &ts); err != nil {
		return nil, fmt.Errorf("the OpenTofu state is not valid JSON: %v", err)
	}
	if ts.Version != 4 {
		return nil, fmt.Errorf("cannot import an OpenTofu/Terraform state of version %d: only version 4 is supported (run a recent OpenTofu on it first)", ts.Version)
	}
	if ts.Lineage == "" {
		return nil, errors.New("cannot import the OpenTofu state: its lineage is missing")
	}
	s := &State{Serial: ts.Serial, Lineage: ts.Lineage, Resources: map[string]*Resource{}}
	var err error
	if s.Outputs, err = decodeOutputs(ts.Outputs); err != nil {
		return nil, fmt.Errorf("importing the OpenTofu state: %w", err)
	}
	frs := make([]fileResource, 0, len(ts.Resources))
	for _, tr := range ts.Resources {
		fr := tr.fileResource
		switch tr.Each {
		case "list":
			fr.Each = string(EachList)
		case "map":
			fr.Each = string(EachMap)
		case "":
		default:
			return nil, fmt.Errorf("importing the OpenTofu state: resource %s.%s has an unknown each %q", tr.Type, tr.Name, tr.Each)
		}
		fr.Instances = make([]fileInstance, 0, len(tr.Instances))
		for _, ti := range tr.Instances {
			if len(ti.Attributes) == 0 && len(bytes.TrimSpace(ti.AttributesFlat)) > 0 {
				return nil, fmt.Errorf("importing the OpenTofu state: resource %s.%s uses flat attributes from Terraform 0.11; refresh it with a recent OpenTofu first", tr.Type, tr.Name)
			}
			fr.Instances = append(fr.Instances, ti.fileInstance)
		}
		frs = append(frs, fr)
	}
	if err := decodeResources(s, frs, tofuModule, tofuDependency); err != nil {
		return nil, fmt.Errorf("importing the OpenTofu state: %w", err)
	}
	return s, nil
}

// OpenTofu quotes string keys with HCL escapes ("$${" for "${"), which
// addrs.ParseTargetStr reads; nuvola's own quoting is the fallback.
func tofuModule(s string) (addrs.ModuleInstance, error) {
	if s == "" {
		return addrs.RootModuleInstance, nil
	}
	if t, diags := addrs.ParseTargetStr(s); !diags.HasErrors() && t.Resource == nil {
		return t.Module, nil
	}
	return parseModuleInstance(s)
}

func tofuDependency(s string) (addrs.AbsResource, error) {
	if t, diags := addrs.ParseTargetStr(s); !diags.HasErrors() && t.Resource != nil && !t.HasKey {
		return t.Resource.Absolute(t.Module), nil
	}
	return parseAbsResource(s)
}
