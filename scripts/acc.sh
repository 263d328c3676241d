#!/usr/bin/env bash
# Acceptance tests against the devcloud: brings it up (scripts/devcloud up,
# a quick no-op when it already runs) and runs the whole test suite with
# NUVOLA_ACC=1, so every acceptance test runs against it. The devcloud is
# left running; `scripts/devcloud down` stops it.
#
#   bash scripts/acc.sh                      # everything
#   bash scripts/acc.sh -run TestAccServer ./providers/openstack/acctest
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-go.sh

t0=$(date +%s)
scripts/devcloud up
t1=$(date +%s)
eval "$(scripts/devcloud env)"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(./...)
NUVOLA_ACC=1 go test -count=1 -timeout 30m "${args[@]}"
t2=$(date +%s)
echo "acceptance: devcloud up $((t1 - t0)) s, tests $((t2 - t1)) s"
