#!/usr/bin/env bash
# Builds nuvola and applies the quickstart example with local state, then
# shows that a second plan finds nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-go.sh
go build -o bin/nuvola ./cmd/nuvola
cd examples/quickstart
../../bin/nuvola init
../../bin/nuvola apply -auto-approve
../../bin/nuvola plan -detailed-exitcode
