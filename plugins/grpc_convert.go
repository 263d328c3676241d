package plugins

import (
	"bytes"
	"fmt"

	"github.com/nuvola-pa/nuvola/plugins/internal/convert"
	"github.com/nuvola-pa/nuvola/plugins/internal/proto"
	"github.com/zclconf/go-cty/cty"
)

// Each RPC has four conversions: request to and from proto (an error means
// the request cannot be sent or understood), and response to and from proto
// (a value that cannot be converted becomes an error diagnostic in the
// response, and the rest of the response still arrives).

// responseDiags appends a conversion error to a response's diagnostics.
func responseDiags(diags Diagnostics, err error) Diagnostics {
	if err == nil {
		return diags
	}
	return append(diags, errorDiagnostic("Invalid value in provider response", err))
}

// getSchemaResponseToProto encodes the provider's schemas. A schema that
// cannot be encoded is left out, with an error diagnostic naming it.
func getSchemaResponseToProto(resp GetSchemaResponse) *proto.GetSchema_Response {
	ret := &proto.GetSchema_Response{}
	diags := resp.Diagnostics
	bad := func(what string, err error) {
		diags = append(diags, Diagnostic{
			Severity: Error,
			Summary:  "Invalid provider schema",
			Detail:   fmt.Sprintf("The schema of %s cannot be sent to nuvola: %s.", what, err),
		})
	}
	if s, err := schemaToProto(resp.Provider); err != nil {
		bad("the provider configuration", err)
	} else {
		ret.Provider = s
	}
	if len(resp.ResourceTypes) > 0 {
		ret.ResourceTypes = make(map[string]*proto.Schema, len(resp.ResourceTypes))
		for _, name := range sortedKeys(resp.ResourceTypes) {
			s, err := schemaToProto(resp.ResourceTypes[name])
			if err != nil {
				bad("resource type "+name, err)
				continue
			}
			ret.ResourceTypes[name] = s
		}
	}
	if len(resp.DataSources) > 0 {
		ret.DataSources = make(map[string]*proto.Schema, len(resp.DataSources))
		for _, name := range sortedKeys(resp.DataSources) {
			s, err := schemaToProto(resp.DataSources[name])
			if err != nil {
				bad("data source "+name, err)
				continue
			}
			ret.DataSources[name] = s
		}
	}
	ret.Diagnostics = diagnosticsToProto(diags)
	return ret
}

// getSchemaResponseFromProto decodes the provider's schemas. A schema that
// cannot be decoded is left out, with an error diagnostic naming it.
func getSchemaResponseFromProto(resp *proto.GetSchema_Response) GetSchemaResponse {
	ret := GetSchemaResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
	bad := func(what string, err error) {
		ret.Diagnostics = append(ret.Diagnostics, Diagnostic{
			Severity: Error,
			Summary:  "Invalid provider schema",
			Detail:   fmt.Sprintf("The provider sent a schema of %s that nuvola cannot read: %s.", what, err),
		})
	}
	if s, err := schemaFromProto(resp.GetProvider()); err != nil {
		bad("the provider configuration", err)
	} else {
		ret.Provider = s
	}
	if rts := resp.GetResourceTypes(); len(rts) > 0 {
		ret.ResourceTypes = make(map[string]Schema, len(rts))
		for _, name := range sortedKeys(rts) {
			s, err := schemaFromProto(rts[name])
			if err != nil {
				bad("resource type "+name, err)
				continue
			}
			ret.ResourceTypes[name] = s
		}
	}
	if dss := resp.GetDataSources(); len(dss) > 0 {
		ret.DataSources = make(map[string]Schema, len(dss))
		for _, name := range sortedKeys(dss) {
			s, err := schemaFromProto(dss[name])
			if err != nil {
				bad("data source "+name, err)
				continue
			}
			ret.DataSources[name] = s
		}
	}
	return ret
}

// validateProviderConfigRequestToProto encodes the request.
func validateProviderConfigRequestToProto(s *convert.Schemas, req ValidateProviderConfigRequest) (*proto.ValidateProviderConfig_Request, error) {
	var c convert.Values
	ret := &proto.ValidateProviderConfig_Request{Config: c.Enc("config", req.Config, s.Provider())}
	return ret, c.Err
}

// validateProviderConfigRequestFromProto decodes the request.
func validateProviderConfigRequestFromProto(s *convert.Schemas, req *proto.ValidateProviderConfig_Request) (ValidateProviderConfigRequest, error) {
	var c convert.Values
	ret := ValidateProviderConfigRequest{Config: c.Dec("config", req.GetConfig(), s.Provider())}
	return ret, c.Err
}

// validateProviderConfigResponseToProto encodes the response.
func validateProviderConfigResponseToProto(resp ValidateProviderConfigResponse) *proto.ValidateProviderConfig_Response {
	return &proto.ValidateProviderConfig_Response{Diagnostics: diagnosticsToProto(resp.Diagnostics)}
}

// validateProviderConfigResponseFromProto decodes the response.
func validateProviderConfigResponseFromProto(resp *proto.ValidateProviderConfig_Response) ValidateProviderConfigResponse {
	return ValidateProviderConfigResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
}

// validateResourceConfigRequestToProto encodes the request.
func validateResourceConfigRequestToProto(s *convert.Schemas, req ValidateResourceConfigRequest) (*proto.ValidateResourceConfig_Request, error) {
	var c convert.Values
	ret := &proto.ValidateResourceConfig_Request{
		TypeName: req.TypeName,
		Config:   c.Enc("config", req.Config, s.ResourceType(req.TypeName)),
	}
	return ret, c.Err
}

// validateResourceConfigRequestFromProto decodes the request.
func validateResourceConfigRequestFromProto(s *convert.Schemas, req *proto.ValidateResourceConfig_Request) (ValidateResourceConfigRequest, error) {
	var c convert.Values
	ret := ValidateResourceConfigRequest{
		TypeName: req.GetTypeName(),
		Config:   c.Dec("config", req.GetConfig(), s.ResourceType(req.GetTypeName())),
	}
	return ret, c.Err
}

// validateResourceConfigResponseToProto encodes the response.
func validateResourceConfigResponseToProto(resp ValidateResourceConfigResponse) *proto.ValidateResourceConfig_Response {
	return &proto.ValidateResourceConfig_Response{Diagnostics: diagnosticsToProto(resp.Diagnostics)}
}

// validateResourceConfigResponseFromProto decodes the response.
func validateResourceConfigResponseFromProto(resp *proto.ValidateResourceConfig_Response) ValidateResourceConfigResponse {
	return ValidateResourceConfigResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
}

// validateDataSourceConfigRequestToProto encodes the request.
func validateDataSourceConfigRequestToProto(s *convert.Schemas, req ValidateDataSourceConfigRequest) (*proto.ValidateDataSourceConfig_Request, error) {
	var c convert.Values
	ret := &proto.ValidateDataSourceConfig_Request{
		TypeName: req.TypeName,
		Config:   c.Enc("config", req.Config, s.DataSource(req.TypeName)),
	}
	return ret, c.Err
}

// validateDataSourceConfigRequestFromProto decodes the request.
func validateDataSourceConfigRequestFromProto(s *convert.Schemas, req *proto.ValidateDataSourceConfig_Request) (ValidateDataSourceConfigRequest, error) {
	var c convert.Values
	ret := ValidateDataSourceConfigRequest{
		TypeName: req.GetTypeName(),
		Config:   c.Dec("config", req.GetConfig(), s.DataSource(req.GetTypeName())),
	}
	return ret, c.Err
}

// validateDataSourceConfigResponseToProto encodes the response.
func validateDataSourceConfigResponseToProto(resp ValidateDataSourceConfigResponse) *proto.ValidateDataSourceConfig_Response {
	return &proto.ValidateDataSourceConfig_Response{Diagnostics: diagnosticsToProto(resp.Diagnostics)}
}

// validateDataSourceConfigResponseFromProto decodes the response.
func validateDataSourceConfigResponseFromProto(resp *proto.ValidateDataSourceConfig_Response) ValidateDataSourceConfigResponse {
	return ValidateDataSourceConfigResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
}

// configureProviderRequestToProto encodes the request.
func configureProviderRequestToProto(s *convert.Schemas, req ConfigureProviderRequest) (*proto.ConfigureProvider_Request, error) {
	var c convert.Values
	ret := &proto.ConfigureProvider_Request{
		Config:           c.Enc("config", req.Config, s.Provider()),
		TerraformVersion: req.TerraformVersion,
	}
	return ret, c.Err
}

// configureProviderRequestFromProto decodes the request.
func configureProviderRequestFromProto(s *convert.Schemas, req *proto.ConfigureProvider_Request) (ConfigureProviderRequest, error) {
	var c convert.Values
	ret := ConfigureProviderRequest{
		Config:           c.Dec("config", req.GetConfig(), s.Provider()),
		TerraformVersion: req.GetTerraformVersion(),
	}
	return ret, c.Err
}

// configureProviderResponseToProto encodes the response.
func configureProviderResponseToProto(resp ConfigureProviderResponse) *proto.ConfigureProvider_Response {
	return &proto.ConfigureProvider_Response{Diagnostics: diagnosticsToProto(resp.Diagnostics)}
}

// configureProviderResponseFromProto decodes the response.
func configureProviderResponseFromProto(resp *proto.ConfigureProvider_Response) ConfigureProviderResponse {
	return ConfigureProviderResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
}

// upgradeResourceStateRequestToProto encodes the request. It has no values
// to encode, so it cannot fail.
func upgradeResourceStateRequestToProto(req UpgradeResourceStateRequest) *proto.UpgradeResourceState_Request {
	return &proto.UpgradeResourceState_Request{TypeName: req.TypeName, Version: req.Version, RawJson: req.RawJSON}
}

// upgradeResourceStateRequestFromProto decodes the request.
func upgradeResourceStateRequestFromProto(req *proto.UpgradeResourceState_Request) UpgradeResourceStateRequest {
	return UpgradeResourceStateRequest{TypeName: req.GetTypeName(), Version: req.GetVersion(), RawJSON: req.GetRawJson()}
}

// upgradeResourceStateResponseToProto encodes the response of an upgrade
// of an object of typeName.
func upgradeResourceStateResponseToProto(s *convert.Schemas, typeName string, resp UpgradeResourceStateResponse) *proto.UpgradeResourceState_Response {
	var c convert.Values
	ret := &proto.UpgradeResourceState_Response{UpgradedState: c.Enc("upgraded_state", resp.UpgradedState, s.ResourceType(typeName))}
	ret.Diagnostics = diagnosticsToProto(responseDiags(resp.Diagnostics, c.Err))
	return ret
}

// upgradeResourceStateResponseFromProto decodes the response.
func upgradeResourceStateResponseFromProto(s *convert.Schemas, typeName string, resp *proto.UpgradeResourceState_Response) UpgradeResourceStateResponse {
	var c convert.Values
	ret := UpgradeResourceStateResponse{UpgradedState: c.Dec("upgraded_state", resp.GetUpgradedState(), s.ResourceType(typeName))}
	ret.Diagnostics = responseDiags(diagnosticsFromProto(resp.GetDiagnostics()), c.Err)
	return ret
}

// readResourceRequestToProto encodes the request.
func readResourceRequestToProto(s *convert.Schemas, req ReadResourceRequest) (*proto.ReadResource_Request, error) {
	var c convert.Values
	ret := readResourceObjectToProto(&c, s, req.TypeName, req)
	return ret, c.Err
}

// readResourceObjectToProto encodes one object to read. The provider may
// answer that it is unchanged instead of sending it back, unless it has
// marks: the answer would then carry it without them.
func readResourceObjectToProto(c *convert.Values, s *convert.Schemas, typeName string, req ReadResourceRequest) *proto.ReadResource_Request {
	prior, marked := c.EncKept("prior_state", req.PriorState, s.ResourceType(typeName))
	return &proto.ReadResource_Request{
		TypeName:      req.TypeName,
		PriorState:    prior,
		Private:       req.Private,
		ProviderMeta:  c.Enc("provider_meta", req.ProviderMeta, convert.Dynamic),
		OmitUnchanged: !marked,
	}
}

// readResourceRequestFromProto decodes the request.
func readResourceRequestFromProto(s *convert.Schemas, req *proto.ReadResource_Request) (ReadResourceRequest, error) {
	var c convert.Values
	ret := readResourceObjectFromProto(&c, s, req.GetTypeName(), req)
	return ret, c.Err
}

func readResourceObjectFromProto(c *convert.Values, s *convert.Schemas, typeName string, req *proto.ReadResource_Request) ReadResourceRequest {
	return ReadResourceRequest{
		TypeName:     req.GetTypeName(),
		PriorState:   c.Dec("prior_state", req.GetPriorState(), s.ResourceType(typeName)),
		Private:      req.GetPrivate(),
		ProviderMeta: c.Dec("provider_meta", req.GetProviderMeta(), convert.Dynamic),
	}
}

// readResourceResponseToProto encodes the response to req, a read of an
// object of typeName that decoded to prior. An object the provider hands
// back as it was given is not even encoded.
func readResourceResponseToProto(s *convert.Schemas, typeName string, req *proto.ReadResource_Request, prior cty.Value, resp ReadResourceResponse) *proto.ReadResource_Response {
	var c convert.Values
	ret := &proto.ReadResource_Response{Private: resp.Private}
	if req.GetOmitUnchanged() && convert.Same(resp.NewState, prior) {
		ret.Unchanged = true
	} else {
		ret.NewState = c.Enc("new_state", resp.NewState, s.ResourceType(typeName))
		if req.GetOmitUnchanged() && c.Err == nil && sameEncoding(ret.NewState, req.GetPriorState()) {
			ret.NewState, ret.Unchanged = nil, true
		}
	}
	ret.Diagnostics = diagnosticsToProto(responseDiags(resp.Diagnostics, c.Err))
	return ret
}

// readResourceResponseFromProto decodes the response to req, a read of an
// object of typeName.
func readResourceResponseFromProto(s *convert.Schemas, typeName string, req ReadResourceRequest, preq *proto.ReadResource_Request, resp *proto.ReadResource_Response) ReadResourceResponse {
	var c convert.Values
	ret := ReadResourceResponse{Private: resp.GetPrivate()}
	if resp.GetUnchanged() && preq.GetOmitUnchanged() {
		ret.NewState, ret.Unchanged = req.PriorState, true
	} else {
		ret.NewState = c.Dec("new_state", resp.GetNewState(), s.ResourceType(typeName))
	}
	ret.Diagnostics = responseDiags(diagnosticsFromProto(resp.GetDiagnostics()), c.Err)
	return ret
}

// sameEncoding reports whether two values encode alike, which is whether
// they are equal but for marks, which do not travel. It is cheaper than
// comparing the values: cty's comparison of two maps normalises every key
// and walks every element for marks.
func sameEncoding(a, b *proto.DynamicValue) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return bytes.Equal(a.GetMsgpack(), b.GetMsgpack())
}

// batchTypeName is the type an object of a ReadResources batch is encoded
// against: its own when it names one, else the batch's.
func batchTypeName(batch, object string) string {
	if object != "" {
		return object
	}
	return batch
}

// readResourcesRequestToProto encodes the request.
func readResourcesRequestToProto(s *convert.Schemas, req ReadResourcesRequest) (*proto.ReadResources_Request, error) {
	var c convert.Values
	ret := &proto.ReadResources_Request{TypeName: req.TypeName}
	if len(req.Objects) > 0 {
		ret.Objects = make([]*proto.ReadResource_Request, len(req.Objects))
		for i, o := range req.Objects {
			ret.Objects[i] = readResourceObjectToProto(&c, s, batchTypeName(req.TypeName, o.TypeName), o)
			if c.Err != nil {
				return nil, fmt.Errorf("object %d: %w", i, c.Err)
			}
		}
	}
	return ret, nil
}

// readResourcesRequestFromProto decodes the request.
func readResourcesRequestFromProto(s *convert.Schemas, req *proto.ReadResources_Request) (ReadResourcesRequest, error) {
	var c convert.Values
	ret := ReadResourcesRequest{TypeName: req.GetTypeName()}
	if objs := req.GetObjects(); len(objs) > 0 {
		ret.Objects = make([]ReadResourceRequest, len(objs))
		for i, o := range objs {
			ret.Objects[i] = readResourceObjectFromProto(&c, s, batchTypeName(ret.TypeName, o.GetTypeName()), o)
			if c.Err != nil {
				return ReadResourcesRequest{}, fmt.Errorf("object %d: %w", i, c.Err)
			}
		}
	}
	return ret, nil
}

// readResourcesResponseToProto encodes the response to req, which preq
// decodes to. Each result is encoded against the type of the object it
// answers; a result beyond the requested objects uses the batch's type.
func readResourcesResponseToProto(s *convert.Schemas, preq *proto.ReadResources_Request, req ReadResourcesRequest, resp ReadResourcesResponse) *proto.ReadResources_Response {
	ret := &proto.ReadResources_Response{Diagnostics: diagnosticsToProto(resp.Diagnostics)}
	if len(resp.Results) > 0 {
		ret.Results = make([]*proto.ReadResource_Response, len(resp.Results))
		for i, r := range resp.Results {
			var object *proto.ReadResource_Request
			prior := cty.NilVal
			if i < len(req.Objects) {
				object, prior = preq.GetObjects()[i], req.Objects[i].PriorState
			}
			ret.Results[i] = readResourceResponseToProto(s, resultTypeName(req, i), object, prior, r)
		}
	}
	return ret
}

// readResourcesResponseFromProto decodes the response to req, sent as preq.
func readResourcesResponseFromProto(s *convert.Schemas, req ReadResourcesRequest, preq *proto.ReadResources_Request, resp *proto.ReadResources_Response) ReadResourcesResponse {
	ret := ReadResourcesResponse{Diagnostics: diagnosticsFromProto(resp.GetDiagnostics())}
	if results := resp.GetResults(); len(results) > 0 {
		ret.Results = make([]ReadResourceResponse, len(results))
		for i, r := range results {
			var object ReadResourceRequest
			var pobject *proto.ReadResource_Request
			if i < len(req.Objects) {
				object, pobject = req.Objects[i], preq.GetObjects()[i]
			}
			ret.Results[i] = readResourceResponseFromProto(s, resultTypeName(req, i), object, pobject, r)
		}
	}
	return ret
}

func resultTypeName(req ReadResourcesRequest, i int) string {
	if i < len(req.Objects) {
		return batchTypeName(req.TypeName, req.Objects[i].TypeName)
	}
	return req.TypeName
}

// planResourceChangeRequestToProto encodes the request. The provider may
// answer that it plans the proposed state instead of sending it back,
// unless that has marks: the answer would then carry it without them.
// When samePrior, a proposed state equal to the prior state is not sent
// twice.
func planResourceChangeRequestToProto(s *convert.Schemas, req PlanResourceChangeRequest, samePrior bool) (*proto.PlanResourceChange_Request, error) {
	var c convert.Values
	ty := s.ResourceType(req.TypeName)
	ret := &proto.PlanResourceChange_Request{TypeName: req.TypeName, PriorPrivate: req.PriorPrivate}
	var proposedMarked bool
	ret.PriorState, _ = c.EncKept("prior_state", req.PriorState, ty)
	ret.ProposedNewState, proposedMarked = c.EncMarked("proposed_new_state", req.ProposedNewState, ty)
	if samePrior && c.Err == nil && sameEncoding(ret.ProposedNewState, ret.PriorState) {
		ret.ProposedNewState, ret.ProposedIsPrior = nil, true
	}
	ret.Config = c.Enc("config", req.Config, ty)
	ret.OmitProposed = !proposedMarked
	return ret, c.Err
}

// planResourceChangeRequestFromProto decodes the request.
func planResourceChangeRequestFromProto(s *convert.Schemas, req *proto.PlanResourceChange_Request) (PlanResourceChangeRequest, error) {
	var c convert.Values
	ty := s.ResourceType(req.GetTypeName())
	ret := PlanResourceChangeRequest{
		TypeName:     req.GetTypeName(),
		PriorState:   c.Dec("prior_state", req.GetPriorState(), ty),
		Config:       c.Dec("config", req.GetConfig(), ty),
		PriorPrivate: req.GetPriorPrivate(),
	}
	if req.GetProposedIsPrior() {
		ret.ProposedNewState = ret.PriorState
	} else {
		ret.ProposedNewState = c.Dec("proposed_new_state", req.GetProposedNewState(), ty)
	}
	return ret, c.Err
}

// planResourceChangeResponseToProto encodes the response to req (preq as
// sent).
func planResourceChangeResponseToProto(s *convert.Schemas, preq *proto.PlanResourceChange_Request, req PlanResourceChangeRequest, resp PlanResourceChangeResponse) *proto.PlanResourceChange_Response {
	var c convert.Values
	ret := &proto.PlanResourceChange_Response{
		RequiresReplace: convert.PathsToProto(resp.RequiresReplace),
		PlannedPrivate:  resp.PlannedPrivate,
	}
	if preq.GetOmitProposed() && convert.Same(resp.PlannedState, req.ProposedNewState) {
		// The proposed state, handed back as it is.
		ret.PlannedIsProposed = true
	} else {
		ret.PlannedState = c.Enc("planned_state", resp.PlannedState, s.ResourceType(req.TypeName))
		proposed := preq.GetProposedNewState()
		if preq.GetProposedIsPrior() {
			proposed = preq.GetPriorState()
		}
		if preq.GetOmitProposed() && c.Err == nil && sameEncoding(ret.PlannedState, proposed) {
			ret.PlannedState, ret.PlannedIsProposed = nil, true
		}
	}
	ret.Diagnostics = diagnosticsToProto(responseDiags(resp.Diagnostics, c.Err))
	return ret
}

// planResourceChangeResponseFromProto decodes the response to req, sent as
// preq.
func planResourceChangeResponseFromProto(s *convert.Schemas, req PlanResourceChangeRequest, preq *proto.PlanResourceChange_Request, resp *proto.PlanResourceChange_Response) PlanResourceChangeResponse {
	var c convert.Values
	ret := PlanResourceChangeResponse{
		RequiresReplace: convert.PathsFromProto(resp.GetRequiresReplace()),
		PlannedPrivate:  resp.GetPlannedPrivate(),
	}
	if resp.GetPlannedIsProposed() && preq.GetOmitProposed() {
		ret.PlannedState = req.ProposedNewState
	} else {
		ret.PlannedState = c.Dec("planned_state", resp.GetPlannedState(), s.ResourceType(req.TypeName))
	}
	ret.Diagnostics = responseDiags(diagnosticsFromProto(resp.GetDiagnostics()), c.Err)
	return ret
}

// applyResourceChangeRequestToProto encodes the request.
func applyResourceChangeRequestToProto(s *convert.Schemas, req ApplyResourceChangeRequest) (*proto.ApplyResourceChange_Request, error) {
	var c convert.Values
	ty := s.ResourceType(req.TypeName)
	ret := &proto.ApplyResourceChange_Request{
		TypeName:       req.TypeName,
		PriorState:     c.Enc("prior_state", req.PriorState, ty),
		PlannedState:   c.Enc("planned_state", req.PlannedState, ty),
		Config:         c.Enc("config", req.Config, ty),
		PlannedPrivate: req.PlannedPrivate,
	}
	if o := req.Owner; o != nil {
		ret.Owner = &proto.Owner{Address: o.Address, Lineage: o.Lineage}
	}
	return ret, c.Err
}

// applyResourceChangeRequestFromProto decodes the request.
func applyResourceChangeRequestFromProto(s *convert.Schemas, req *proto.ApplyResourceChange_Request) (ApplyResourceChangeRequest, error) {
	var c convert.Values
	ty := s.ResourceType(req.GetTypeName())
	ret := ApplyResourceChangeRequest{
		TypeName:       req.GetTypeName(),
		PriorState:     c.Dec("prior_state", req.GetPriorState(), ty),
		PlannedState:   c.Dec("planned_state", req.GetPlannedState(), ty),
		Config:         c.Dec("config", req.GetConfig(), ty),
		PlannedPrivate: req.GetPlannedPrivate(),
	}
	if o := req.GetOwner(); o != nil {
		ret.Owner = &Owner{Address: o.GetAddress(), Lineage: o.GetLineage()}
	}
	return ret, c.Err
}

// applyResourceChangeResponseToProto encodes the response of an apply to an
// object of typeName.
func applyResourceChangeResponseToProto(s *convert.Schemas, typeName string, resp ApplyResourceChangeResponse) *proto.ApplyResourceChange_Response {
	var c convert.Values
	ret := &proto.ApplyResourceChange_Response{
		NewState: c.Enc("new_state", resp.NewState, s.ResourceType(typeName)),
		Private:  resp.Private,
	}
	ret.Diagnostics = diagnosticsToProto(responseDiags(resp.Diagnostics, c.Err))
	return ret
}

// applyResourceChangeResponseFromProto decodes the response.
func applyResourceChangeResponseFromProto(s *convert.Schemas, typeName string, resp *proto.ApplyResourceChange_Response) ApplyResourceChangeResponse {
	var c convert.Values
	ret := ApplyResourceChangeResponse{
		NewState: c.Dec("new_state", resp.GetNewState(), s.ResourceType(typeName)),
		Private:  resp.GetPrivate(),
	}
	ret.Diagnostics = responseDiags(diagnosticsFromProto(resp.GetDiagnostics()), c.Err)
	return ret
}

// importResourceStateRequestToProto encodes the request.
func importResourceStateRequestToProto(req ImportResourceStateRequest) *proto.ImportResourceState_Request {
	return &proto.ImportResourceState_Request{TypeName: req.TypeName, Id: req.ID}
}

// importResourceStateRequestFromProto decodes the request.
func importResourceStateRequestFromProto(req *proto.ImportResourceState_Request) ImportResourceStateRequest {
	return ImportResourceStateRequest{TypeName: req.GetTypeName(), ID: req.GetId()}
}

// importResourceStateResponseToProto encodes the response to an import of
// typeName. Each object is encoded against its own type, or typeName's when
// it names none.
func importResourceStateResponseToProto(s *convert.Schemas, typeName string, resp ImportResourceStateResponse) *proto.ImportResourceState_Response {
	var c convert.Values
	ret := &proto.ImportResourceState_Response{}
	if len(resp.Imported) > 0 {
		ret.Imported = make([]*proto.ImportResourceState_ImportedResource, 0, len(resp.Imported))
		for _, r := range resp.Imported {
			ret.Imported = append(ret.Imported, &proto.ImportResourceState_ImportedResource{
				TypeName: r.TypeName,
				State:    c.Enc("state", r.State, s.ResourceType(batchTypeName(typeName, r.TypeName))),
				Private:  r.Private,
			})
			if c.Err != nil {
				break
			}
		}
	}
	if c.Err != nil {
		// A partial import is worse than none: the host would adopt only
		// some of the objects.
		ret.Imported = nil
	}
	ret.Diagnostics = diagnosticsToProto(responseDiags(resp.Diagnostics, c.Err))
	return ret
}

// importResourceStateResponseFromProto decodes the response.
func importResourceStateResponseFromProto(s *convert.Schemas, typeName string, resp *proto.ImportResourceState_Response) ImportResourceStateResponse {
	var c convert.Values
	ret := ImportResourceStateResponse{}
	if imported := resp.GetImported(); len(imported) > 0 {
		ret.Imported = make([]ImportedResource, 0, len(imported))
		for _, r := range imported {
			ret.Imported = append(ret.Imported, ImportedResource{
				TypeName: r.GetTypeName(),
				State:    c.Dec("state", r.GetState(), s.ResourceType(batchTypeName(typeName, r.GetTypeName()))),
				Private:  r.GetPrivate(),
			})
			if c.Err != nil {
				break
			}
		}
	}
	if c.Err != nil {
		ret.Imported = nil
	}
	ret.Diagnostics = responseDiags(diagnosticsFromProto(resp.GetDiagnostics()), c.Err)
	return ret
}

// readDataSourceRequestToProto encodes the request.
func readDataSourceRequestToProto(s *convert.Schemas, req ReadDataSourceRequest) (*proto.ReadDataSource_Request, error) {
	var c convert.Values
	ret := &proto.ReadDataSource_Request{
		TypeName: req.TypeName,
		Config:   c.Enc("config", req.Config, s.DataSource(req.TypeName)),
	}
	return ret, c.Err
}

// readDataSourceRequestFromProto decodes the request.
func readDataSourceRequestFromProto(s *convert.Schemas, req *proto.ReadDataSource_Request) (ReadDataSourceRequest, error) {
	var c convert.Values
	ret := ReadDataSourceRequest{
		TypeName: req.GetTypeName(),
		Config:   c.Dec("config", req.GetConfig(), s.DataSource(req.GetTypeName())),
	}
	return ret, c.Err
}

// readDataSourceResponseToProto encodes the response of a read of the data
// source typeName.
func readDataSourceResponseToProto(s *convert.Schemas, typeName string, resp ReadDataSourceResponse) *proto.ReadDataSource_Response {
	var c convert.Values
	ret := &proto.ReadDataSource_Response{State: c.Enc("state", resp.State, s.DataSource(typeName))}
	ret.Diagnostics = diagnosticsToProto(responseDiags(resp.Diagnostics, c.Err))
	return ret
}

// readDataSourceResponseFromProto decodes the response.
func readDataSourceResponseFromProto(s *convert.Schemas, typeName string, resp *proto.ReadDataSource_Response) ReadDataSourceResponse {
	var c convert.Values
	ret := ReadDataSourceResponse{State: c.Dec("state", resp.GetState(), s.DataSource(typeName))}
	ret.Diagnostics = responseDiags(diagnosticsFromProto(resp.GetDiagnostics()), c.Err)
	return ret
}
