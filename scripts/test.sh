#!/usr/bin/env bash
# The project's test command: formatting, vet, the whole test suite, a short
# run of every fuzz target, and the example configurations. The acceptance
# suite against a real OpenStack (scripts/devcloud) runs in CI (CI=true) and
# when NUVOLA_ACC=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-go.sh

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bench/out/*'))
if [ -n "$unformatted" ]; then echo "not gofmt'ed:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

# The plan report is checked in a real browser (engine/plan/report); in CI
# that test fails without one, so CI installs Debian's chromium when it is
# missing. Elsewhere the test is skipped without it.
if [ "${CI:-}" = true ] && ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (Debian's package) for the report's browser test"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

echo "== go test"
go test -count=1 ./...

echo "== fuzz (short runs)"
fuzztime="${NUVOLA_FUZZTIME:-10s}"
go test -run '^$' -fuzz '^FuzzParseModule$' -fuzztime "$fuzztime" ./hcl/configs
go test -run '^$' -fuzz '^FuzzFunctionCall$' -fuzztime "$fuzztime" ./hcl/funcs
go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "$fuzztime" ./engine/state
go test -run '^$' -fuzz '^FuzzRead$' -fuzztime "$fuzztime" ./engine/plan
go test -run '^$' -fuzz '^FuzzVerify$' -fuzztime "$fuzztime" ./engine/audit

echo "== examples"
go build -o bin/nuvola ./cmd/nuvola
for ex in examples/*/; do
  [ -f "$ex/main.tf" ] || continue
  work=$(mktemp -d)
  cp -r "$ex"/. "$work"/
  # Examples for a real cloud are planned and applied by the acceptance
  # tests (TestAccExample*); here they are validated.
  if grep -q 'openstack' "$ex/main.tf"; then
    (cd "$work" && "$OLDPWD/bin/nuvola" init -input=false >/dev/null && "$OLDPWD/bin/nuvola" validate)
  else
    (cd "$work" && "$OLDPWD/bin/nuvola" init -input=false >/dev/null && "$OLDPWD/bin/nuvola" validate && "$OLDPWD/bin/nuvola" plan -input=false >/dev/null)
  fi
  rm -rf "$work"
  echo "ok  $ex"
done

# Acceptance, against the devcloud (scripts/devcloud: a real OpenStack on
# 127.0.0.1): in CI (CI=true) and with NUVOLA_ACC=1. CI also checks the
# devcloud's own lifecycle (up again, down, up, reset) and stops it at the
# end; a developer's devcloud is left running. On failure: the tail of every
# service log.
if [ "${CI:-}" = true ] || [ "${NUVOLA_ACC:-}" = 1 ]; then
  echo "== acceptance (devcloud)"
  acc_ci=0
  if [ "${CI:-}" = true ]; then acc_ci=1; fi
  acc_times=""
  # Each step's output is kept too, so that a failure can be told again
  # after the service logs, at the end, where a CI log's tail shows it.
  acc_out=$(mktemp -d)
  acc_step=""
  acc_timed() {
    local name=$1 t=$SECONDS
    shift
    acc_step=$name
    "$@" 2>&1 | tee "$acc_out/$name.log"
    acc_times+=$(printf '  %-22s %5d s' "$name" $((SECONDS - t)))$'\n'
  }
  acc_failed() {
    echo "== acceptance failed: the tail of every devcloud log"
    scripts/devcloud logs 60 || true
    if [ $acc_ci = 1 ]; then scripts/devcloud down || true; fi
    printf 'acceptance timings:\n%s' "$acc_times"
    local log="$acc_out/$acc_step.log"
    echo "== acceptance failed in the step \"$acc_step\": its failures"
    if [ -f "$log" ]; then
      grep -n -E -e '--- FAIL|^FAIL|^panic:|_test\.go:[0-9]+:|Error Trace|Error:|timed out' "$log" | tail -n 80 || true
      echo "== the last lines of that step"
      tail -n 40 "$log"
    fi
  }
  trap 'if [ $? != 0 ]; then acc_failed; fi' EXIT
  acc_timed "devcloud up" scripts/devcloud up
  eval "$(scripts/devcloud env)"
  acc_timed "acceptance tests" env NUVOLA_ACC=1 go test -count=1 -timeout 30m ./...
  # The reliability trials: an estate under 10% API faults (three seeds)
  # and killed at random moments (five trials); each logs its RESULT line.
  if [ $acc_ci = 1 ] || [ "${NUVOLA_ACC_RELIABILITY:-}" = 1 ]; then
    acc_timed "reliability trials" env NUVOLA_ACC=1 NUVOLA_ACC_RELIABILITY=1 \
      go test -count=1 -timeout 40m -v -run '^TestAccReliability' ./providers/openstack/acctest
  fi
  if [ $acc_ci = 1 ] || [ "${NUVOLA_ACC_DEVCLOUD_LIFECYCLE:-}" = 1 ]; then
    acc_timed "devcloud lifecycle" env NUVOLA_ACC=1 NUVOLA_ACC_DEVCLOUD_LIFECYCLE=1 \
      go test -count=1 -timeout 30m -v -run '^TestDevcloudLifecycle$' ./providers/openstack/acctest
  fi
  if [ $acc_ci = 1 ]; then acc_timed "devcloud down" scripts/devcloud down; fi
  trap - EXIT
  printf 'acceptance timings:\n%s' "$acc_times"
fi
echo "all checks passed"
