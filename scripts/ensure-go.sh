#!/usr/bin/env bash
# Makes sure a Go toolchain able to build nuvola is on PATH. On a bare Debian
# machine it installs Debian's golang-go; the go directive in go.mod then
# fetches the exact toolchain through the Go module proxy (GOTOOLCHAIN=auto).
set -euo pipefail
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    echo "installing Go from Debian's packages..." >&2
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends golang-go ca-certificates git >/dev/null
  fi
fi
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
