# scripts/devcloud's subcommands that change the machine: install, up, down,
# reset. Sourced by scripts/devcloud after it made sure it runs as root.

devcloud_install() {
    local missing="" p created_policy=""
    for p in $(grep -v '^#' "$DEVCLOUD_LIB/packages.txt"); do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=" $p"
    done
    [ -z "$missing" ] && return 0
    mkdir -p "$LOG"
    say "installing Debian packages:$missing"
    # Keep the packages' maintainer scripts from starting their daemons.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        created_policy=1
    fi
    local rc=0
    {
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing
    } >>"$LOG/apt-install.log" 2>&1 || rc=$?
    [ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
    if [ $rc != 0 ]; then
        tail -n 30 "$LOG/apt-install.log" >&2
        die "apt-get install failed (log: $LOG/apt-install.log)"
    fi
    say "packages installed"
}

# shellcheck source=configs.sh
source "$DEVCLOUD_LIB/configs.sh"

STARTED=""
# start NAME CMD...: start CMD in its own session (pid = process group id),
# detached from the caller, logging to $LOG/NAME.log; no-op when running.
start() {
    local name=$1
    shift
    alive "$name" && return 0
    setsid nohup "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
    echo "$! $(proc_start $!)" >"$RUN/$name.pid"
    STARTED+=" $name"
    rm -f "$STATE/ready.done"
}
# as_user USER CMD...: run CMD as the system user USER
as_user() {
    local u=$1
    shift
    setpriv --reuid="$u" --regid="$u" --init-groups env HOME="$(getent passwd "$u" | cut -d: -f6)" "$@"
}
# asu USER: sets ASU to the command prefix of as_user, for start (which
# cannot run a shell function)
asu() { ASU=(setpriv --reuid="$1" --regid="$1" --init-groups env HOME="$(getent passwd "$1" | cut -d: -f6)"); }
# wait_ready NAME [TIMEOUT]: until NAME's probe answers; fails early when it died
wait_ready() {
    local name=$1 t=${2:-180} i
    for ((i = 0; i < t * 5; i++)); do
        probe_ok "$name" && return 0
        if ! alive "$name"; then
            tail -n 30 "$LOG/$name.log" >&2 || true
            die "$name exited (log: $LOG/$name.log)"
        fi
        sleep 0.2
    done
    tail -n 30 "$LOG/$name.log" >&2 || true
    die "$name does not answer ($(service_probe "$name")) after ${t}s (log: $LOG/$name.log)"
}

PHASE="" PHASE_T=0
# phase NAME: report the previous phase's duration, start timing NAME
phase() {
    local now
    now=$(date +%s%N)
    if [ -n "$PHASE" ]; then
        say "$PHASE: $(((now - PHASE_T) / 1000000)) ms"
    fi
    PHASE=$1 PHASE_T=$now
}

# run_logged LOGNAME CMD...: run CMD, output to $LOG/LOGNAME.log; show its tail on failure
run_logged() {
    local log=$LOG/$1.log
    shift
    if ! "$@" >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "failed: $* (log: $log)"
    fi
}

mariadb_sql() { mariadb --defaults-file="$ETC/mariadb.cnf" -uroot -e "$1"; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

start_databases() {
    # MariaDB, own data directory
    mkdir -p "$RUN/mariadb"
    chown mysql:mysql "$RUN/mariadb"
    if [ ! -d "$DATA/mariadb/mysql" ]; then
        rm -rf "$DATA/mariadb"
        mkdir -p "$DATA/mariadb"
        chown mysql:mysql "$DATA/mariadb"
        run_logged mariadb-install mariadb-install-db --defaults-file="$ETC/mariadb.cnf" --user=mysql \
            --auth-root-authentication-method=socket --skip-test-db
    fi
    start mariadb /usr/sbin/mariadbd --defaults-file="$ETC/mariadb.cnf" --user=mysql
    # PostgreSQL, own data directory (state backend tests)
    local pgbin
    pgbin=$(pg_bin)
    mkdir -p "$RUN/postgres"
    chown postgres:postgres "$RUN/postgres"
    if [ ! -f "$DATA/postgres/PG_VERSION" ]; then
        rm -rf "$DATA/postgres"
        mkdir -p "$DATA/postgres"
        chown postgres:postgres "$DATA/postgres"
        echo nuvola >"$RUN/postgres/pwfile"
        chown postgres "$RUN/postgres/pwfile"
        run_logged postgres-initdb as_user postgres "$pgbin/initdb" -D "$DATA/postgres" -U nuvola \
            --pwfile="$RUN/postgres/pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8
        rm -f "$RUN/postgres/pwfile"
    fi
    asu postgres
    start postgres "${ASU[@]}" "$pgbin/postgres" -D "$DATA/postgres" -p "$PG_PORT" \
        -c listen_addresses=127.0.0.1 -c unix_socket_directories="$RUN/postgres" \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off
}

start_infrastructure() {
    start memcached memcached -u memcache -l 127.0.0.1 -p 11211 -m 64 -c 1024
    mkdir -p "$DATA/rabbitmq"
    chown rabbitmq:rabbitmq "$DATA/rabbitmq"
    # our own epmd: otherwise erlang starts a daemonised one that no pid file knows
    asu rabbitmq
    start epmd "${ASU[@]}" epmd -address 127.0.0.1
    if ! alive rabbitmq; then
        wait_ready epmd 30
        start rabbitmq "${ASU[@]}" ERL_EPMD_ADDRESS=127.0.0.1 \
            RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 \
            RABBITMQ_DIST_PORT=25672 RABBITMQ_CONFIG_FILE="$ETC/rabbitmq/rabbitmq.conf" \
            RABBITMQ_ENABLED_PLUGINS_FILE="$ETC/rabbitmq/enabled_plugins" \
            RABBITMQ_MNESIA_BASE="$DATA/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$DATA/rabbitmq/log" \
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
            /usr/lib/rabbitmq/bin/rabbitmq-server
    fi
}

# once NAME CMD...: run CMD unless it has succeeded before (marker in $STATE)
once() {
    local name=$1
    shift
    [ -f "$STATE/$name.done" ] && return 0
    "$@"
    touch "$STATE/$name.done"
}

create_databases() {
    local d sql=""
    for d in keystone neutron glance cinder placement nova_api nova nova_cell0; do
        sql+="CREATE DATABASE IF NOT EXISTS $d CHARACTER SET utf8 COLLATE utf8_general_ci;"
    done
    for d in keystone neutron glance cinder placement nova; do
        sql+="CREATE USER IF NOT EXISTS '$d'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';"
        sql+="GRANT ALL ON $d.* TO '$d'@'127.0.0.1';"
    done
    sql+="GRANT ALL ON nova_api.* TO 'nova'@'127.0.0.1'; GRANT ALL ON nova_cell0.* TO 'nova'@'127.0.0.1';"
    mariadb_sql "$sql"
    run_logged postgres-setup as_user postgres "$(pg_bin)/psql" -h "$RUN/postgres" -p "$PG_PORT" -U nuvola \
        -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE nuvola"
}

init_keystone() {
    local kc=(--config-file "$ETC/keystone/keystone.conf")
    mkdir -p "$DATA/keystone"
    run_logged keystone-manage keystone-manage "${kc[@]}" db_sync
    run_logged keystone-manage keystone-manage "${kc[@]}" fernet_setup --keystone-user root --keystone-group root
    run_logged keystone-manage keystone-manage "${kc[@]}" credential_setup --keystone-user root --keystone-group root
    run_logged keystone-manage keystone-manage "${kc[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
        --bootstrap-service-name keystone --bootstrap-region-id "$REGION" \
        --bootstrap-admin-url http://127.0.0.1:5000/v3/ --bootstrap-public-url http://127.0.0.1:5000/v3/ \
        --bootstrap-internal-url http://127.0.0.1:5000/v3/
}
init_neutron() {
    run_logged neutron-db neutron-db-manage --config-file "$ETC/neutron/neutron.conf" \
        --config-file "$ETC/neutron/ml2_conf.ini" upgrade heads
}
init_glance() { run_logged glance-db glance-manage --config-file "$ETC/glance/glance-api.conf" db_sync; }
init_cinder() { run_logged cinder-db cinder-manage --config-file "$ETC/cinder/cinder.conf" db sync; }
init_nova() {
    local nc=(--config-file "$ETC/nova/nova.conf")
    run_logged placement-db placement-manage --config-file "$ETC/placement/placement.conf" db sync
    run_logged nova-db nova-manage "${nc[@]}" api_db sync
    run_logged nova-db nova-manage "${nc[@]}" cell_v2 map_cell0 \
        --database_connection "mysql+pymysql://nova:$DB_PASSWORD@127.0.0.1:$MARIADB_PORT/nova_cell0?charset=utf8"
    run_logged nova-db nova-manage "${nc[@]}" cell_v2 create_cell --name cell1
    run_logged nova-db nova-manage "${nc[@]}" db sync
}

# init_services_db: the services' schemas, in parallel (each is a few
# seconds of python start-up and migrations; two cores serve two at a time)
init_services_db() {
    local pids=() names=() n i rc=0
    for n in neutron glance cinder nova; do
        [ -f "$STATE/$n-db.done" ] && continue
        ("init_$n" && touch "$STATE/$n-db.done") &
        pids+=($!)
        names+=("$n")
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || { echo "devcloud: database setup of ${names[$i]} failed" >&2; rc=1; }
    done
    return $rc
}

swift_rings() {
    local s n p
    mkdir -p "$DATA/swift/d1"
    for s in account:6202 container:6201 object:6200; do
        n=${s%%:*}
        p=${s##*:}
        [ -f "$ETC/swift/$n.ring.gz" ] && continue
        (cd "$ETC/swift" && swift-ring-builder "$n.builder" create 8 1 1 &&
            swift-ring-builder "$n.builder" add "r1z1-127.0.0.1:$p/d1" 100 &&
            swift-ring-builder "$n.builder" rebalance) >>"$LOG/swift-rings.log" 2>&1 ||
            die "swift ring $n (log: $LOG/swift-rings.log)"
    done
}

write_client_files() {
    cloud() {
        cat <<EOF
  $1:
    auth:
      auth_url: http://127.0.0.1:5000/v3
      username: $2
      password: $3
      project_name: $4
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
    interface: public
EOF
    }
    {
        echo "# written by scripts/devcloud up"
        echo "clouds:"
        cloud devcloud admin "$ADMIN_PASSWORD" admin
        cloud devcloud-demo demo demo demo
        cloud devcloud-alt alt_demo alt_demo alt_demo
    } >"$DIR/clouds.yaml.tmp"
    mv "$DIR/clouds.yaml.tmp" "$DIR/clouds.yaml"
    chmod 644 "$DIR/clouds.yaml"
    openrc() {
        cat <<EOF
export OS_AUTH_URL=http://127.0.0.1:5000/v3
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=$1
export OS_PASSWORD=$2
export OS_PROJECT_NAME=$3
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=$REGION
export OS_INTERFACE=public
EOF
    }
    openrc admin "$ADMIN_PASSWORD" admin >"$DIR/openrc"
    openrc demo demo demo >"$DIR/openrc-demo"
    openrc alt_demo alt_demo alt_demo >"$DIR/openrc-alt"
}

setup_py() { /usr/bin/python3 "$DIR/lib/setup.py" "$@"; }

devcloud_up() {
    local t_all n
    t_all=$(date +%s%N)
    phase "packages"
    devcloud_install

    phase "configuration"
    mkdir -p "$ETC" "$DATA" "$LOG" "$RUN" "$STATE" "$DIR/lib"
    chmod 755 "$DIR" "$DATA" "$RUN"
    install -m 0644 "$DEVCLOUD_LIB"/py/*.py "$DIR/lib/"
    write_configs
    write_client_files
    mkdir -p "$DATA"/neutron/lock "$DATA"/glance/{images,staging,tasks,lock} \
        "$DATA"/cinder/{lock,backups,volume-files,snapshot-files} "$DATA"/nova/{lock,instances}
    [ -f "$DATA/devcloud-tiny.raw" ] || head -c 1048576 /dev/zero >"$DATA/devcloud-tiny.raw"

    phase "databases and broker start"
    start_databases
    start_infrastructure
    wait_ready mariadb 60
    wait_ready postgres 60
    once databases create_databases

    phase "keystone database"
    once keystone-db init_keystone
    start keystone uwsgi_python3 --ini "$ETC/keystone/uwsgi.ini"

    phase "service databases, keystone catalog and users"
    init_services_db &
    local dbjob=$!
    wait_ready keystone 120
    if [ ! -f "$STATE/keystone-setup.done" ]; then
        setup_py keystone http://127.0.0.1:5000/v3 "$ADMIN_PASSWORD" "$SERVICE_PASSWORD" "$REGION"
        touch "$STATE/keystone-setup.done"
    fi
    wait $dbjob || die "database setup failed"

    phase "service start"
    swift_rings
    if ! alive neutron-server; then
        run_logged neutron-db /usr/bin/python3 "$DIR/lib/neutron_fake_agent.py" "$(db_url neutron)" "$HOST_NAME"
    fi
    start neutron-server /usr/bin/neutron-server --config-file "$ETC/neutron/neutron.conf" \
        --config-file "$ETC/neutron/ml2_conf.ini"
    for n in account container object proxy; do
        start "swift-$n" "/usr/bin/swift-$n-server" "$ETC/swift/$n-server.conf" -v
    done
    start glance-api /usr/bin/glance-api --config-file "$ETC/glance/glance-api.conf"
    start placement uwsgi_python3 --ini "$ETC/placement/uwsgi.ini"
    wait_ready rabbitmq 120
    for n in api scheduler; do
        start "cinder-$n" "/usr/bin/cinder-$n" --config-file "$ETC/cinder/cinder.conf"
    done
    start cinder-volume env PYTHONPATH="$DIR/lib" /usr/bin/cinder-volume --config-file "$ETC/cinder/cinder.conf"
    start cinder-backup /usr/bin/cinder-backup --config-file "$ETC/cinder/cinder.conf"
    for n in api conductor scheduler; do
        start "nova-$n" "/usr/bin/nova-$n" --config-file "$ETC/nova/nova.conf"
    done
    start nova-compute /usr/bin/python3 "$DIR/lib/nova_compute.py" --config-file "$ETC/nova/nova-compute.conf"
    if [ -n "$STARTED" ]; then say "started:$STARTED"; fi

    phase "APIs answer"
    for n in $(service_names); do
        wait_ready "$n" 300
    done

    phase "fixtures"
    if [ ! -f "$STATE/fixtures.done" ]; then
        setup_py fixtures http://127.0.0.1:5000/v3 "$ADMIN_PASSWORD" "$REGION" "$DATA/devcloud-tiny.raw"
        touch "$STATE/fixtures.done"
    fi

    phase "compute and volume services up"
    # Again whenever a service was started: a restarted volume service
    # reports its pool only some seconds after it answers.
    if [ ! -f "$STATE/ready.done" ] || [ -n "$STARTED" ]; then
        setup_py ready http://127.0.0.1:5000/v3 "$ADMIN_PASSWORD" "$REGION" 300
        touch "$STATE/ready.done"
    fi
    phase ""
    if [ -z "$STARTED" ]; then say "already up: nothing started"; fi
    say "devcloud up in $((($(date +%s%N) - t_all) / 1000000)) ms; clouds.yaml: $DIR/clouds.yaml; logs: $LOG"
    echo "  eval \"\$(scripts/devcloud env)\"   # OS_CLOUD=devcloud (admin), devcloud-demo, devcloud-alt"
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }
# stop_group NAME...: SIGTERM each one's process group (started with setsid,
# so pid = process group: workers go too), all in parallel; wait up to 40 s,
# then SIGKILL. Only processes named by the devcloud's pid files are touched.
stop_group() {
    local name pid pids=() names=() i left
    for name in "$@"; do
        if pid=$(owned_group "$name"); then
            kill -TERM -- "-$pid" 2>/dev/null || true
            pids+=("$pid")
            names+=("$name")
        else
            rm -f "$RUN/$name.pid"
        fi
    done
    [ ${#pids[@]} = 0 ] && return 0
    for ((i = 0; i < 200; i++)); do
        left=0
        for pid in "${pids[@]}"; do group_alive "$pid" && left=1; done
        [ $left = 0 ] && break
        sleep 0.2
    done
    for i in "${!pids[@]}"; do
        pid=${pids[$i]}
        if group_alive "$pid"; then
            say "${names[$i]} ($pid) ignored SIGTERM for 40 s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        rm -f "$RUN/${names[$i]}.pid"
        say "stopped ${names[$i]} ($pid)"
    done
}

devcloud_down() {
    [ -d "$RUN" ] || { say "nothing to stop"; return 0; }
    # OpenStack first, all at once; then what it uses
    stop_group $(service_names | grep -Ev '^(mariadb|postgres|memcached|epmd|rabbitmq)$')
    stop_group rabbitmq memcached postgres mariadb
    stop_group epmd
    say "down (data kept in $DATA)"
}

devcloud_reset() {
    devcloud_down
    say "wiping $DATA, $ETC and $STATE"
    rm -rf "$DATA" "$ETC" "$STATE" "$RUN" "$DIR/lib" "$DIR/clouds.yaml" "$DIR"/openrc*
    mkdir -p "$LOG"
    find "$LOG" -name '*.log' ! -name apt-install.log -delete
    devcloud_up
}
