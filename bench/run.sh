#!/usr/bin/env bash
# Whole-CLI benchmark: generates configurations with bench/gen and times
# nuvola (and OpenTofu, when `tofu` is on PATH) applying and re-planning them.
# See bench/README.md for the shapes, the knobs and the targets.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
out=$root/bench/out
work=$out/work

BENCH_NS=${BENCH_NS:-"1000 10000"}
BENCH_SHAPES=${BENCH_SHAPES:-"independent chain foreach modules"}
BENCH_CHANGE_PCT=${BENCH_CHANGE_PCT:-10}
# A wedged run should cost minutes, not the whole session.
BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}
BENCH_PARALLELISM=${BENCH_PARALLELISM:-}
if [[ -z ${BENCH_TOOLS:-} ]]; then
	BENCH_TOOLS=nuvola
	if command -v tofu >/dev/null 2>&1; then
		BENCH_TOOLS="nuvola tofu"
	fi
fi

log() { printf '%s\n' "$*" >&2; }

# GNU time is the only portable way to get a child's peak RSS; bash's
# `time` keyword reports CPU times only.
if [[ ! -x /usr/bin/time ]]; then
	log "bench: /usr/bin/time missing; installing Debian's time package"
	sudo=""
	if [[ $(id -u) -ne 0 ]]; then sudo=sudo; fi
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq time >/dev/null
fi

mkdir -p "$out" "$work"
# Other processes skew wall times; the load is recorded next to the results.
load_start=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
log "bench: building nuvola and the generator"
go build -o "$out/nuvola" ./cmd/nuvola
go build -o "$out/gen" ./bench/gen

tool_bin() {
	case $1 in
	nuvola) printf '%s\n' "$out/nuvola" ;;
	tofu) command -v tofu ;;
	*)
		log "bench: unknown tool $1 (want nuvola or tofu)"
		exit 2
		;;
	esac
}

state_file() {
	case $1 in
	nuvola) printf 'nuvola.tfstate\n' ;;
	*) printf 'terraform.tfstate\n' ;;
	esac
}

export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 NO_COLOR=1

rows=()
failed=0

# measure TOOL SHAPE N OP EXPECTED_EXIT ARGS... runs the tool's ARGS in the
# current directory under GNU time and appends a table row. Returns non-zero
# when the exit status is not the expected one, so callers can skip the steps
# that depend on it.
measure() {
	local tool=$1 shape=$2 n=$3 op=$4 expect=$5
	shift 5
	local bin slug rc=0 wall rss usr sys statekib note="" status
	bin=$(tool_bin "$tool")
	slug=$(printf '%s' "$op" | tr -c 'a-zA-Z0-9' '_')
	local tlog=$PWD/$slug.log tfile=$PWD/$slug.time
	local extra=()
	if [[ -n $BENCH_PARALLELISM ]]; then extra+=("-parallelism=$BENCH_PARALLELISM"); fi
	/usr/bin/time -f '%e %M %U %S' -o "$tfile" timeout "$BENCH_TIMEOUT" "$bin" "$@" "${extra[@]}" >"$tlog" 2>&1 || rc=$?
	read -r wall rss usr sys < <(tail -n 1 "$tfile")
	statekib=-
	if [[ -f $(state_file "$tool") ]]; then
		statekib=$(awk -v b="$(stat -c %s "$(state_file "$tool")")" 'BEGIN { printf "%.1f", b / 1024 }')
	fi
	note=$(grep -Eo '(Plan:|Apply complete!|No changes)[^.]*' "$tlog" | tail -n 1 || true)
	if [[ $rc -eq $expect ]]; then
		status="$rc"
	elif [[ $rc -eq 124 ]]; then
		status="TIMEOUT after ${BENCH_TIMEOUT}s"
	else
		status="FAIL: $rc, want $expect"
	fi
	rows+=("| $tool | $shape | $n | $op | $wall | $(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') | $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') | $statekib | $status | $note |")
	log "bench: ${rows[-1]}"
	if [[ $rc -ne $expect ]]; then
		failed=$((failed + 1))
		log "bench: $tool $* in $PWD exited $rc, want $expect; last lines of its output:"
		tail -n 40 "$tlog" | sed 's/^/    /' >&2
		return 1
	fi
}

skip() {
	local tool=$1 shape=$2 n=$3
	shift 3
	local op
	for op in "$@"; do
		rows+=("| $tool | $shape | $n | $op | - | - | - | - | skipped | |")
	done
}

for tool in $BENCH_TOOLS; do
	bin=$(tool_bin "$tool")
	for shape in $BENCH_SHAPES; do
		for n in $BENCH_NS; do
			dir=$work/$tool-$shape-$n
			rm -rf "$dir"
			mkdir -p "$dir"
			log "bench: $tool $shape n=$n in $dir"
			"$out/gen" -shape "$shape" -n "$n" -out "$dir"
			cd "$dir"
			after_apply=("plan no-change" "plan -refresh=false" "plan ${BENCH_CHANGE_PCT}% changed")
			if ! "$bin" init -input=false >init.log 2>&1; then
				failed=$((failed + 1))
				log "bench: $tool init failed in $dir:"
				tail -n 40 init.log | sed 's/^/    /' >&2
				skip "$tool" "$shape" "$n" apply "${after_apply[@]}"
				cd "$root"
				continue
			fi
			if ! measure "$tool" "$shape" "$n" apply 0 apply -auto-approve -input=false; then
				skip "$tool" "$shape" "$n" "${after_apply[@]}"
				cd "$root"
				continue
			fi
			measure "$tool" "$shape" "$n" "plan no-change" 0 plan -detailed-exitcode -input=false || true
			measure "$tool" "$shape" "$n" "plan -refresh=false" 0 plan -refresh=false -detailed-exitcode -input=false || true
			"$out/gen" -shape "$shape" -n "$n" -out "$dir" -change-pct "$BENCH_CHANGE_PCT"
			measure "$tool" "$shape" "$n" "plan ${BENCH_CHANGE_PCT}% changed" 2 plan -detailed-exitcode -input=false || true
			cd "$root"
		done
	done
done

{
	printf '# Whole-CLI benchmark results\n\n'
	printf -- '- date: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf -- '- machine: %s, %s CPUs, %s\n' "$(uname -m)" "$(nproc)" \
		"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown CPU)"
	printf -- '- nuvola: %s (%s)\n' "$("$out/nuvola" version | head -n 1)" \
		"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo no git)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ', dirty tree')"
	if [[ " $BENCH_TOOLS " == *" tofu "* ]]; then
		printf -- '- tofu: %s\n' "$(tofu version | head -n 1)"
	fi
	printf -- '- load average (1, 5, 15 min): %s at start, %s at end\n' "$load_start" \
		"$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)"
	printf -- '- shapes: %s; N: %s; change: %s%%\n\n' "$BENCH_SHAPES" "$BENCH_NS" "$BENCH_CHANGE_PCT"
	printf '| tool | shape | N | operation | wall s | CPU s | peak RSS MiB | state size KiB | exit | summary |\n'
	printf '|---|---|---:|---|---:|---:|---:|---:|---|---|\n'
	printf '%s\n' "${rows[@]}"
} | tee "$out/results.md"

if [[ $failed -gt 0 ]]; then
	log "bench: $failed step(s) failed; see the logs under $work"
	exit 1
fi
