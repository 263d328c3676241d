#!/usr/bin/env bash
# Benchmarks of the openstack provider against a real cloud (the devcloud
# by default): wall time and API requests by service for apply, a plan
# with no changes, and destroy, of
#   - estate:      20 municipalities x 16 objects (bench/openstack/estate)
#   - secgroup350: one security group with 350 inline rules
# and, with `floor`, what the estate's Neutron calls cost the cloud's API
# worker one at a time: the least time any client needs (floor.py).
#
# Usage: bash bench/openstack.sh [estate|secgroup350|floor ...]
#
# Needs a cloud: scripts/devcloud up (the script uses its clouds.yaml and
# the admin cloud unless OS_CLOUD / OS_CLIENT_CONFIG_FILE say otherwise).
# Knobs: OSB_COMUNI (municipalities, default 20), OSB_BIN (a nuvola binary).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
out=$root/bench/out/openstack
mkdir -p "$out"

if [[ -z ${OS_CLIENT_CONFIG_FILE:-} ]]; then
	eval "$(scripts/devcloud env)"
fi
export OS_CLOUD=${OS_CLOUD:-devcloud}

bin=${OSB_BIN:-}
if [[ -z $bin ]]; then
	go build -o "$out/nuvola" ./cmd/nuvola
	bin=$out/nuvola
fi

# metrics FILE prints "total service=n ..." from the provider_metrics
# events of a -json stream.
metrics() {
	python3 -c '
import json, sys
tot = {}
for line in open(sys.argv[1]):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    if ev.get("type") == "provider_metrics":
        for k, v in ev.get("api_requests", {}).items():
            tot[k] = tot.get(k, 0) + v
print(sum(tot.values()), " ".join("%s=%d" % kv for kv in sorted(tot.items())))
' "$1"
}

# servercpu prints "neutron=S keystone=S ..." : the CPU seconds the
# devcloud's API servers and database have used so far (utime + stime of
# their processes, read from /proc). On a 2-core machine with one Neutron
# API worker, a step whose Neutron seconds come close to its wall time was
# bound by the cloud, not by the client.
servercpu() {
	python3 -c '
import os
groups = {"neutron": "neutron-server: api worker", "keystone": "keystone/uwsgi", "cinder": "cinder-api",
          "swift": "swift-proxy-server", "mariadb": "mariadbd"}
hz = os.sysconf("SC_CLK_TCK")
tot = dict.fromkeys(groups, 0.0)
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        cmd = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ").decode(errors="replace")
        stat = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    for name, pat in groups.items():
        if pat in cmd:
            tot[name] += (int(stat[11]) + int(stat[12])) / hz
print(" ".join("%s=%.1f" % kv for kv in tot.items()))
'
}

# cpudelta BEFORE AFTER prints the difference of two servercpu lines.
cpudelta() {
	python3 -c '
import sys
a = dict(kv.split("=") for kv in sys.argv[1].split())
b = dict(kv.split("=") for kv in sys.argv[2].split())
print(" ".join("%s=%.1f" % (k, float(b[k]) - float(a[k])) for k in b))
' "$1" "$2"
}

# step NAME ARGS... runs one timed nuvola command with -json and prints a
# table row.
step() {
	local name=$1 rc=0 start end cpu0
	shift
	cpu0=$(servercpu)
	start=$(date +%s.%N)
	"$bin" "$@" -json -input=false >"$name.json" 2>"$name.err" || rc=$?
	end=$(date +%s.%N)
	if [[ $rc -ne 0 ]]; then
		echo "openstack bench: $name exited $rc" >&2
		grep -h '"@level":"error"' "$name.json" | head -5 >&2 || true
		tail -5 "$name.err" >&2
		return 1
	fi
	read -r total detail < <(metrics "$name.json")
	printf '| %s | %s | %s | %s | %s |\n' "$name" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')" "$total" "$detail" "$(cpudelta "$cpu0" "$(servercpu)")"
}

run() {
	local shape=$1 work prefix
	prefix="osb$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	work=$out/$shape
	rm -rf "$work"
	cp -r "bench/openstack/$shape" "$work"
	cd "$work"
	"$bin" init -input=false >init.log
	printf '\n%s (prefix %s)\n\n| step | wall s | requests | by service | server CPU s |\n|---|---|---|---|---|\n' "$shape" "$prefix"
	local vars=(-var "prefix=$prefix")
	if [[ $shape == estate ]]; then vars+=(-var "comuni=${OSB_COMUNI:-20}"); fi
	step apply apply -auto-approve "${vars[@]}" || { "$bin" destroy -auto-approve -input=false "${vars[@]}" >/dev/null 2>&1; cd "$root"; return 1; }
	step plan plan -detailed-exitcode "${vars[@]}" || true
	step destroy destroy -auto-approve "${vars[@]}"
	cd "$root"
}

# floor: what the estate's Neutron calls cost the cloud, one at a time
# (bench/openstack/floor.py), whatever the client.
floor() {
	local rc=${NUVOLA_DEVCLOUD_DIR:-/var/tmp/nuvola-devcloud}/openrc
	printf '\nfloor (Neutron API worker CPU per call, devcloud)\n\n'
	(
		# shellcheck disable=SC1090
		source "$rc"
		python3 "$root/bench/openstack/floor.py"
	)
}

shapes=("$@")
if [[ ${#shapes[@]} -eq 0 ]]; then shapes=(estate secgroup350); fi
for s in "${shapes[@]}"; do
	if [[ $s == floor ]]; then floor; else run "$s"; fi
done
