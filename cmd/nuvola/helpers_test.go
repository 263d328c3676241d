package main

import (
	"encoding/json"
	"testing"
)

func jsonID(t *testing.T, attrs []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(attrs, &m); err != nil {
		t.Fatalf("attributes are not JSON: %s", err)
	}
	id, _ := m["id"].(string)
	return id
}
