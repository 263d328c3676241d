#!/usr/bin/env bash
# What the plugin boundary costs a whole command: builds nuvola, writes
# 10,000 `resource "null_resource" "rN" { triggers = { v = "vN" } }` blocks,
# applies them once, then times the no-change `nuvola plan` with the null
# provider in-process (NUVOLA_PROVIDERS=inprocess) and as a plugin (the
# default), alternating, and prints the ratio of the medians.
#
# Knobs (environment):
#   PB_N            resources (default 10000)
#   PB_RUNS         plans of each kind (default 7: one plan on a shared
#                   machine can be 10% off, and the median of three still
#                   moves by several per cent from one run to the next)
#   PB_PARALLELISM  -parallelism for plan (default: nuvola's, 10)
#   PB_LIMIT        the ratio the plugin must stay under (default 1.25);
#                   the script exits 1 above it
#   PB_BIN          a nuvola binary to measure instead of building one, e.g.
#                   an older build for a before/after comparison
#
# Wall time depends on whatever else the machine runs; the CPU column (user
# plus system, the plugin process included) much less so.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
out=$root/bench/out/plugin-boundary
PB_N=${PB_N:-10000}
PB_RUNS=${PB_RUNS:-7}
PB_PARALLELISM=${PB_PARALLELISM:-}
PB_LIMIT=${PB_LIMIT:-1.25}
PB_BIN=${PB_BIN:-}

log() { printf '%s\n' "$*" >&2; }

if [[ ! -x /usr/bin/time ]]; then
	log "plugin-boundary: /usr/bin/time missing; installing Debian's time package"
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then sudo=sudo; fi
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq time >/dev/null
fi

rm -rf "$out"
mkdir -p "$out/work"
if [[ -n $PB_BIN ]]; then
	bin=$(realpath "$PB_BIN")
else
	log "plugin-boundary: building nuvola"
	go build -o "$out/nuvola" ./cmd/nuvola
	bin=$out/nuvola
fi
cd "$out/work"

log "plugin-boundary: writing $PB_N null_resources"
awk -v n="$PB_N" 'BEGIN { for (i = 0; i < n; i++) printf "resource \"null_resource\" \"r%d\" {\n  triggers = { v = \"v%d\" }\n}\n", i, i }' >main.tf
"$bin" init -input=false >init.log 2>&1 || {
	tail -n 40 init.log >&2
	exit 1
}
log "plugin-boundary: applying once"
"$bin" apply -auto-approve -input=false >apply.log 2>&1 || {
	tail -n 40 apply.log >&2
	exit 1
}

args=(plan -detailed-exitcode -input=false)
if [[ -n $PB_PARALLELISM ]]; then args+=("-parallelism=$PB_PARALLELISM"); fi

# run KIND prints "wall cpu" of one plan; KIND is inprocess or plugin.
run() {
	local kind=$1 rc=0 env=()
	if [[ $kind == inprocess ]]; then env=(NUVOLA_PROVIDERS=inprocess); fi
	env "${env[@]}" /usr/bin/time -f '%e %U %S' -o time.out "$bin" "${args[@]}" >"plan-$kind.log" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		log "plugin-boundary: $kind plan exited $rc, want 0 (no changes):"
		tail -n 40 "plan-$kind.log" >&2
		exit 1
	fi
	awk '{ printf "%s %.2f\n", $1, $2 + $3 }' time.out
}

# One plan of each kind that is not counted: the first run of a binary pays
# for the page cache.
run inprocess >/dev/null
run plugin >/dev/null

declare -a in_wall in_cpu pl_wall pl_cpu
for ((i = 0; i < PB_RUNS; i++)); do
	read -r w c < <(run inprocess)
	in_wall+=("$w") in_cpu+=("$c")
	read -r w c < <(run plugin)
	pl_wall+=("$w") pl_cpu+=("$c")
	log "plugin-boundary: run $((i + 1)): in-process ${in_wall[-1]} s (cpu ${in_cpu[-1]} s), plugin ${pl_wall[-1]} s (cpu ${pl_cpu[-1]} s)"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

iw=$(median "${in_wall[@]}") ic=$(median "${in_cpu[@]}")
pw=$(median "${pl_wall[@]}") pc=$(median "${pl_cpu[@]}")
ratio=$(awk -v a="$pw" -v b="$iw" 'BEGIN { printf "%.2f", a / b }')
cpuratio=$(awk -v a="$pc" -v b="$ic" 'BEGIN { printf "%.2f", a / b }')

printf '\n%s null_resources, plan with no changes, %s runs each (median)%s\n\n' "$PB_N" "$PB_RUNS" "${PB_PARALLELISM:+, -parallelism=$PB_PARALLELISM}"
printf '| provider | wall s | cpu s |\n|---|---|---|\n'
printf '| in-process | %s | %s |\n' "$iw" "$ic"
printf '| plugin | %s | %s |\n' "$pw" "$pc"
# The spread of the ratios of each run's pair shows how far one pair can
# be trusted on this machine.
spread=$(for ((i = 0; i < PB_RUNS; i++)); do awk -v a="${pl_wall[i]}" -v b="${in_wall[i]}" 'BEGIN { printf "%.2f\n", a / b }'; done | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }')
printf '\nplugin / in-process: wall %s, cpu %s (each run: %s; load average %s)\n' "$ratio" "$cpuratio" "$spread" "$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"

if awk -v r="$ratio" -v l="$PB_LIMIT" 'BEGIN { exit !(r > l) }'; then
	printf 'plugin-boundary: the plugin adds more than allowed (ratio %s > %s)\n' "$ratio" "$PB_LIMIT"
	exit 1
fi
