#!/usr/bin/env bash
# The project's test command: formatting, vet, the whole test suite, a short
# run of every fuzz target, and the example configurations. The acceptance
# suite against a real OpenStack runs when NUVOLA_ACC=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-go.sh

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bench/out/*'))
if [ -n "$unformatted" ]; then echo "not gofmt'ed:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 ./...

echo "== fuzz (short runs)"
fuzztime="${NUVOLA_FUZZTIME:-10s}"
go test -run '^$' -fuzz '^FuzzParseModule$' -fuzztime "$fuzztime" ./hcl/configs
go test -run '^$' -fuzz '^FuzzFunctionCall$' -fuzztime "$fuzztime" ./hcl/funcs
go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "$fuzztime" ./engine/state
go test -run '^$' -fuzz '^FuzzRead$' -fuzztime "$fuzztime" ./engine/plan

echo "== examples"
go build -o bin/nuvola ./cmd/nuvola
for ex in examples/*/; do
  [ -f "$ex/main.tf" ] || continue
  work=$(mktemp -d)
  cp -r "$ex"/. "$work"/
  (cd "$work" && "$OLDPWD/bin/nuvola" init -input=false >/dev/null && "$OLDPWD/bin/nuvola" validate && "$OLDPWD/bin/nuvola" plan -input=false >/dev/null)
  rm -rf "$work"
  echo "ok  $ex"
done

if [ "${NUVOLA_ACC:-}" = 1 ]; then
  echo "== acceptance"
  go test -count=1 -tags acceptance ./...
fi
echo "all checks passed"
