# The devcloud's configuration files, written under $ETC on every `up` (cheap,
# and a changed script takes effect on the next up). Sourced by lifecycle.sh.

db_url() { echo "mysql+pymysql://$1:$DB_PASSWORD@127.0.0.1:$MARIADB_PORT/$1?charset=utf8"; }

authtoken() { # authtoken USER: a [keystone_authtoken] body
    cat <<EOF
www_authenticate_uri = http://127.0.0.1:5000
auth_url = http://127.0.0.1:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PASSWORD
memcached_servers = 127.0.0.1:11211
region_name = $REGION
EOF
}

svcauth() { # svcauth USER: keystoneauth password options ([nova], [placement], [service_user] ...)
    cat <<EOF
auth_url = http://127.0.0.1:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PASSWORD
region_name = $REGION
EOF
}

# uwsgi_ini NAME PORT WSGI_FILE PROCESSES ENV: a small uwsgi ini instead of
# Debian's (which wants the apparmor plugin, 8 processes and 32 threads).
uwsgi_ini() {
    cat <<EOF
[uwsgi]
http-socket = 127.0.0.1:$2
wsgi-file = $3
plugins = python3
master = true
processes = $4
threads = 1
lazy-apps = true
die-on-term = true
buffer-size = 65535
# http-socket does not keep connections alive: say so, else python clients
# reuse a closed socket ("Connection reset by peer", RemoteDisconnected).
add-header = Connection: close
env = $5
chdir = $DATA
EOF
}

write_configs() {
    mkdir -p "$ETC"/{keystone,neutron,swift,glance,cinder,placement,nova,rabbitmq}
    local rabbit="rabbit://guest:guest@127.0.0.1:5672/"

    # ---- MariaDB (client and server read the same file)
    cat >"$ETC/mariadb.cnf" <<EOF
[client]
socket = $RUN/mariadb/mariadb.sock
port = $MARIADB_PORT
[mysqld]
datadir = $DATA/mariadb
socket = $RUN/mariadb/mariadb.sock
pid-file = $RUN/mariadb/mariadbd.pid
port = $MARIADB_PORT
bind-address = 127.0.0.1
skip-name-resolve
max_connections = 500
innodb_buffer_pool_size = 128M
innodb_log_file_size = 64M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
sync_binlog = 0
performance_schema = off
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
EOF

    # ---- RabbitMQ (no plugins, log to the console = our log file)
    echo '[].' >"$ETC/rabbitmq/enabled_plugins"
    cat >"$ETC/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:5672
loopback_users.guest = true
log.console = true
log.console.level = info
log.file = false
EOF

    # ---- Keystone
    cat >"$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
use_stderr = true
[database]
connection = $(db_url keystone)
[token]
provider = fernet
expiration = 86400
[fernet_tokens]
key_repository = $DATA/keystone/fernet-keys
[credential]
key_repository = $DATA/keystone/credential-keys
[cache]
enabled = true
backend = dogpile.cache.memcached
memcache_servers = 127.0.0.1:11211
EOF
    uwsgi_ini keystone 5000 /usr/bin/keystone-wsgi-public 2 \
        "OS_KEYSTONE_CONFIG_FILES=$ETC/keystone/keystone.conf" >"$ETC/keystone/uwsgi.ini"

    # ---- Neutron (ML2/openvswitch, no agents: the in-process fake RPC transport is enough)
    cat >"$ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9696
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = fake://
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
state_path = $DATA/neutron
api_paste_config = /etc/neutron/api-paste.ini
use_stderr = true
[database]
connection = $(db_url neutron)
[keystone_authtoken]
$(authtoken neutron)
[nova]
$(svcauth neutron)
[placement]
$(svcauth neutron)
[oslo_concurrency]
lock_path = $DATA/neutron/lock
EOF
    cat >"$ETC/neutron/ml2_conf.ini" <<'EOF'
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = openvswitch
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:200
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
firewall_driver = openvswitch
EOF

    # ---- Swift (one replica on a directory; swift.conf has a fixed place)
    local swiftconf
    swiftconf=$(
        cat <<'EOF'
[swift-hash]
swift_hash_path_suffix = nuvola-devcloud
swift_hash_path_prefix = nuvola-devcloud
[storage-policy:0]
name = Policy-0
default = yes
EOF
    )
    if [ "$(cat /etc/swift/swift.conf 2>/dev/null)" != "$swiftconf" ]; then
        mkdir -p /etc/swift
        echo "$swiftconf" >/etc/swift/swift.conf
    fi
    local s n p
    for s in account:6202 container:6201 object:6200; do
        n=${s%%:*}
        p=${s##*:}
        cat >"$ETC/swift/$n-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $p
workers = 0
user = root
swift_dir = $ETC/swift
devices = $DATA/swift
mount_check = false
log_name = swift-$n
[pipeline:main]
pipeline = healthcheck $n-server
[app:$n-server]
use = egg:swift#$n
[filter:healthcheck]
use = egg:swift#healthcheck
EOF
    done
    cat >"$ETC/swift/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = 8080
workers = 0
user = root
swift_dir = $ETC/swift
log_name = swift-proxy
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
$(authtoken swift)
delay_auth_decision = true
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
reseller_admin_role = ResellerAdmin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:11211
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true
[filter:symlink]
use = egg:swift#symlink
EOF

    # ---- Glance (file store)
    cat >"$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
use_stderr = true
enabled_backends = file:file
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = $DATA/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $DATA/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $DATA/glance/tasks
[database]
connection = $(db_url glance)
[keystone_authtoken]
$(authtoken glance)
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $DATA/glance/lock
EOF

    # ---- Cinder (fake volume driver: no block device, a sparse file per
    # volume; a fixed key for encrypted volume types). Backups: posix driver,
    # 64 MiB chunks (the default, ~2 GB, is read into memory at once), zstd
    # (python3-cinder's dependency; 4x faster than zlib on a volume's zeros)
    cat >"$ETC/cinder/cinder.conf" <<EOF
[DEFAULT]
auth_strategy = keystone
transport_url = $rabbit
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
my_ip = 127.0.0.1
host = $HOST_NAME
state_path = $DATA/cinder
api_paste_config = /etc/cinder/api-paste.ini
enabled_backends = fake
default_volume_type = standard
glance_api_servers = http://127.0.0.1:9292
use_stderr = true
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $DATA/cinder/backups
backup_file_size = 67108864
backup_compression_algorithm = zstd
[fake]
volume_driver = devcloud_cinder.DevcloudVolumeDriver
volume_backend_name = fake
target_helper = fake
[key_manager]
backend = cinder.keymgr.conf_key_mgr.ConfKeyManager
fixed_key = 6465766c6f75645f6b65795f666f725f6e75766f6c615f6163636570745f5f5f
[database]
connection = $(db_url cinder)
[keystone_authtoken]
$(authtoken cinder)
[nova]
$(svcauth cinder)
[oslo_concurrency]
lock_path = $DATA/cinder/lock
EOF

    # ---- Placement
    cat >"$ETC/placement/placement.conf" <<EOF
[DEFAULT]
use_stderr = true
[api]
auth_strategy = keystone
[placement_database]
connection = $(db_url placement)
[keystone_authtoken]
$(authtoken placement)
EOF
    uwsgi_ini placement 8778 /usr/bin/placement-api 1 \
        "OS_PLACEMENT_CONFIG_DIR=$ETC/placement" >"$ETC/placement/uwsgi.ini"

    # ---- Nova (fake virt driver); nova-compute must not see the databases
    nova_conf db >"$ETC/nova/nova.conf"
    nova_conf >"$ETC/nova/nova-compute.conf"
}

nova_conf() { # nova_conf [db]
    local novadb="mysql+pymysql://nova:$DB_PASSWORD@127.0.0.1:$MARIADB_PORT"
    cat <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:5672/
my_ip = 127.0.0.1
host = $HOST_NAME
state_path = $DATA/nova
instances_path = $DATA/nova/instances
compute_driver = fake.FakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
use_stderr = true
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[api]
auth_strategy = keystone
EOF
    if [ "${1:-}" = db ]; then
        cat <<EOF
[api_database]
connection = $novadb/nova_api?charset=utf8
[database]
connection = $novadb/nova?charset=utf8
EOF
    fi
    cat <<EOF
[keystone_authtoken]
$(authtoken nova)
[service_user]
send_service_user_token = true
$(svcauth nova)
[placement]
$(svcauth nova)
[neutron]
$(svcauth nova)
[cinder]
os_region_name = $REGION
[glance]
region_name = $REGION
[key_manager]
backend = nova.keymgr.conf_key_mgr.ConfKeyManager
fixed_key = 6465766c6f75645f6b65795f666f725f6e75766f6c615f6163636570745f5f5f
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 5
[vnc]
enabled = false
[oslo_concurrency]
lock_path = $DATA/nova/lock
EOF
}
