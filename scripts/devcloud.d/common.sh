# Shared by scripts/devcloud's subcommands: paths, the process table and the
# read-only subcommands (status, env, logs). Sourced, not executed.

# OpenStack must run on Debian's python: a pyenv or venv python first in PATH
# breaks every OpenStack command ("No module named sqlalchemy").
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV || true
export LC_ALL=C.UTF-8

DIR=${NUVOLA_DEVCLOUD_DIR:-/var/tmp/nuvola-devcloud}
ETC=$DIR/etc     # every configuration file the devcloud writes
DATA=$DIR/data   # databases, Swift devices, Glance images, keys
LOG=$DIR/log     # one log per process
RUN=$DIR/run     # pid files, sockets
STATE=$DIR/state # markers of finished one-time steps

REGION=RegionOne
HOST_NAME=devcloud
ADMIN_PASSWORD=secret
SERVICE_PASSWORD=svcpass
DB_PASSWORD=dbpass
MARIADB_PORT=13306
PG_PORT=15432
PG_URL="postgres://nuvola:nuvola@127.0.0.1:$PG_PORT/nuvola?sslmode=disable"

# Processes in start order; down stops them in reverse. NAME PROBE, where
# PROBE is http:URL (any HTTP answer counts), tcp:PORT or - (process only).
SERVICES_TABLE="
mariadb tcp:$MARIADB_PORT
postgres tcp:$PG_PORT
memcached tcp:11211
epmd tcp:4369
rabbitmq tcp:5672
keystone http:http://127.0.0.1:5000/v3
neutron-server http:http://127.0.0.1:9696/
swift-account http:http://127.0.0.1:6202/healthcheck
swift-container http:http://127.0.0.1:6201/healthcheck
swift-object http:http://127.0.0.1:6200/healthcheck
swift-proxy http:http://127.0.0.1:8080/healthcheck
glance-api http:http://127.0.0.1:9292/
placement http:http://127.0.0.1:8778/
cinder-api http:http://127.0.0.1:8776/
cinder-scheduler -
cinder-volume -
cinder-backup -
nova-api http:http://127.0.0.1:8774/
nova-conductor -
nova-scheduler -
nova-compute -
"

service_names() { awk 'NF { print $1 }' <<<"$SERVICES_TABLE"; }
service_probe() { awk -v n="$1" '$1 == n { print $2 }' <<<"$SERVICES_TABLE"; }

T0=$(date +%s%N)
elapsed() { echo "$(((($(date +%s%N) - T0) / 100000000)))" | sed -E 's/^([0-9]*)([0-9])$/\1.\2/; s/^\./0./'; }
say() { echo "[devcloud $(elapsed)s] $*"; }
die() {
    echo "devcloud: $*" >&2
    exit 1
}

# A pid file holds "PID STARTTIME" (STARTTIME: field 22 of /proc/PID/stat),
# so that a pid the kernel gave to another process since (after a reboot, or
# when the machine's processes were ended) is never taken for ours.
proc_start() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }
pid_of() {
    local pid _st
    [ -f "$RUN/$1.pid" ] || return 1
    read -r pid _st <"$RUN/$1.pid" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    echo "$pid"
}
# alive NAME: the process recorded in NAME's pid file runs (the same process)
alive() {
    local pid st
    [ -f "$RUN/$1.pid" ] || return 1
    read -r pid st <"$RUN/$1.pid" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [ -n "$st" ] && [ "$(proc_start "$pid")" = "$st" ]
}
# owned_group NAME: prints the process group to signal for NAME, if any of
# it is still ours: the recorded process itself, or (when it has exited) the
# workers left in its process group.
owned_group() {
    local pid st
    [ -f "$RUN/$1.pid" ] || return 1
    read -r pid st <"$RUN/$1.pid" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    if [ -d "/proc/$pid" ]; then
        [ -n "$st" ] && [ "$(proc_start "$pid")" = "$st" ] && echo "$pid"
    else
        kill -0 -- "-$pid" 2>/dev/null && echo "$pid"
    fi
}
# probe_ok NAME: NAME answers on its port (or, without a port, its process runs)
probe_ok() {
    local p
    p=$(service_probe "$1")
    case "$p" in
    http:*)
        local code
        code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "${p#http:}" 2>/dev/null) || true
        [ -n "$code" ] && [ "$code" != 000 ]
        ;;
    tcp:*) (exec 3<>"/dev/tcp/127.0.0.1/${p#tcp:}") 2>/dev/null ;;
    *) alive "$1" ;;
    esac
}

need_root() {
    [ "$(id -u)" = 0 ] && return 0
    if command -v sudo >/dev/null 2>&1; then
        exec sudo NUVOLA_DEVCLOUD_DIR="$DIR" "$DEVCLOUD_LIB/../devcloud" "$@"
    fi
    die "$1 needs root (and sudo is not available)"
}

devcloud_status() {
    local n st rc=0 pid
    printf '%-17s %-5s %-8s %s\n' SERVICE STATE PID PROBE
    for n in $(service_names); do
        pid=$(pid_of "$n" || true)
        if alive "$n" && probe_ok "$n"; then
            st=up
        elif alive "$n"; then
            st=start # running, not answering yet
            rc=1
        else
            st=down
            pid=-
            rc=1
        fi
        printf '%-17s %-5s %-8s %s\n' "$n" "$st" "${pid:--}" "$(service_probe "$n")"
    done
    echo "directory: $DIR"
    return $rc
}

devcloud_env() {
    cat <<EOF
export OS_CLIENT_CONFIG_FILE=$DIR/clouds.yaml
export OS_CLOUD=devcloud
export NUVOLA_DEVCLOUD_DIR=$DIR
export NUVOLA_PG_URL='$PG_URL'
EOF
}

devcloud_logs() {
    local lines=$1 f
    for f in "$LOG"/*.log; do
        [ -f "$f" ] || continue
        echo "===== $f (last $lines lines)"
        tail -n "$lines" "$f"
    done
}
