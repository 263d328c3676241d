package plan

import (
	"encoding/json"
	"fmt"

	"github.com/nuvola-pa/nuvola/engine/state"
)

// MarshalStateJSON renders a state in the shape of `tofu show -json` without
// a plan file, with sensitive values replaced by SensitiveValue.
func MarshalStateJSON(s *state.State, schemas SchemaSource) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("cannot render a nil state")
	}
	m := &jsonMarshaler{schemas: schemas}
	js, err := m.priorState(s, s.NuvolaVersion)
	if err != nil {
		return nil, err
	}
	return json.Marshal(js)
}
