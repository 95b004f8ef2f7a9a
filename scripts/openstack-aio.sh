#!/usr/bin/env bash
# An all-in-one OpenStack (Debian 12 packages, Zed) on 127.0.0.1 for Strata's OpenStack tests:
# PostgreSQL (a private cluster), RabbitMQ (a private node), Keystone, Placement, Glance, Neutron
# (server only, no agents) and Nova (api, conductor, scheduler, compute with the fake driver
# fake.MediumFakeDriverWithNestedCustomResources: 10 VCPU, 8 GiB, 1028 GB disk and a nested child
# provider with 10 CUSTOM_MAGIC). Every service listens on 127.0.0.1 on a port picked free at
# start, so several of these (and other PostgreSQL or RabbitMQ instances) can run side by side.
#
#   scripts/openstack-aio.sh install        apt packages (needs root; policy-rc.d keeps them stopped)
#   scripts/openstack-aio.sh up DIR         start a fresh cloud under DIR; writes DIR/aio.env
#   scripts/openstack-aio.sh down DIR       stop it (DIR stays, for its logs)
#
# DIR/aio.env holds what the tests need: the Keystone URL, the region, the admin user and the
# path of the file holding the admin password (DIR/secrets/admin-password, mode 600; the password
# itself is never printed), the ports, and the image the cloud was given. Needs root (PostgreSQL
# runs as the postgres user, RabbitMQ as root with its own HOME).
set -euo pipefail

PACKAGES=(python3-placement placement-api keystone glance-api nova-api nova-conductor nova-scheduler nova-compute
  nova-compute-ironic neutron-server rabbitmq-server python3-psycopg2 postgresql curl python3)
REGION=RegionOne
PGBIN=/usr/lib/postgresql/15/bin
RABBIT=/usr/lib/rabbitmq/bin

log() { echo "[openstack-aio $(date +%T) +$(( $(date +%s) - START ))s] $*"; }
START=$(date +%s)

install_packages() {
  if [ "$(id -u)" -ne 0 ]; then echo "install needs root" >&2; exit 1; fi
  # Debian's init scripts would start every service on all interfaces: forbid it.
  local rc=0
  if [ -x /usr/sbin/policy-rc.d ]; then /usr/sbin/policy-rc.d >/dev/null 2>&1 || rc=$?; fi
  if [ "$rc" -ne 101 ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
  fi
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then log "all OpenStack packages present"; return; fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if apt-get install -y -q --no-install-recommends "${missing[@]}"; then log "installed"; return; fi
    log "apt-get failed (attempt $attempt; dpkg may be locked by someone else); retrying"
    sleep 15
    apt-get update -q || true
  done
  echo "could not install ${missing[*]}" >&2
  exit 1
}

free_ports() { # N distinct free ports on 127.0.0.1
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
}

waitfor() { # URL [seconds]
  local limit=${2:-120}
  for _ in $(seq 1 $((limit * 5))); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "timeout waiting for $1" >&2; return 1
}

authtoken() { # section body for a service user
  cat <<EOF
www_authenticate_uri = http://127.0.0.1:$KPORT/v3
auth_url = http://127.0.0.1:$KPORT/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SVCPASS
region_name = $REGION
EOF
}

write_configs() {
  local pg="postgresql+psycopg2://postgres@127.0.0.1:$PGPORT"
  mkdir -p "$D/etc/keystone" "$D/etc/placement" "$D/etc/glance" "$D/etc/neutron" "$D/etc/nova" "$D/state" "$D/log" "$D/run" "$D/lock"
  cat > "$D/etc/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $D/log/keystone.log
[database]
connection = $pg/keystone
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $D/state/fernet-keys
[credential]
key_repository = $D/state/credential-keys
EOF
  cat > "$D/etc/placement/placement.conf" <<EOF
[DEFAULT]
log_file = $D/log/placement.log
[api]
auth_strategy = keystone
[placement_database]
connection = $pg/placement
[keystone_authtoken]
$(authtoken placement)
EOF
  cat > "$D/etc/glance/glance-api.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $GPORT
workers = 1
log_file = $D/log/glance-api.log
enabled_backends = fs:file
[database]
connection = $pg/glance
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $D/state/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $D/state/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $D/state/glance/tasks
[keystone_authtoken]
$(authtoken glance)
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $D/lock
EOF
  cat > "$D/etc/neutron/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $NPORT
core_plugin = ml2
service_plugins =
auth_strategy = keystone
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
transport_url = rabbit://guest:guest@127.0.0.1:$RPORT/
log_file = $D/log/neutron-server.log
api_paste_config = /etc/neutron/api-paste.ini
state_path = $D/state/neutron
[database]
connection = $pg/neutron
[keystone_authtoken]
$(authtoken neutron)
[ml2]
type_drivers = flat,vlan
tenant_network_types =
mechanism_drivers =
extension_drivers = port_security
[oslo_concurrency]
lock_path = $D/lock
EOF
  cat > "$D/etc/nova/nova.conf" <<EOF
[DEFAULT]
host = $HOST
my_ip = 127.0.0.1
transport_url = rabbit://guest:guest@127.0.0.1:$RPORT/
compute_driver = fake.MediumFakeDriverWithNestedCustomResources
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = $CPORT
osapi_compute_workers = 1
state_path = $D/state/nova
instances_path = $D/state/nova/instances
log_dir = $D/log
[api]
auth_strategy = keystone
[api_database]
connection = $pg/nova_api
[database]
connection = $pg/nova
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1
[keystone_authtoken]
$(authtoken nova)
[placement]
$(authtoken placement | sed 's/^username = placement/username = nova/')
[neutron]
$(authtoken neutron | sed 's/^username = neutron/username = nova/')
[glance]
endpoint_override = http://127.0.0.1:$GPORT
[oslo_concurrency]
lock_path = $D/lock
[vnc]
enabled = false
[oslo_messaging_notifications]
driver = noop
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
EOF
  chmod 600 "$D"/etc/*/*.conf
}

rabbit_env() {
  export RABBITMQ_NODENAME="strata$RPORT@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$RPORT
  export RABBITMQ_DIST_PORT=$DISTPORT ERL_EPMD_PORT=$EPMDPORT ERL_EPMD_ADDRESS=127.0.0.1 HOME="$D/rabbit/home"
  export RABBITMQ_MNESIA_BASE="$D/rabbit/mnesia" RABBITMQ_LOG_BASE="$D/rabbit/log" RABBITMQ_PID_FILE="$D/run/rabbit.pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$D/rabbit/enabled_plugins" RABBITMQ_CONFIG_FILE="$D/rabbit/rabbitmq"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$D/rabbit/advanced.config" RABBITMQ_CONF_ENV_FILE="$D/rabbit/rabbitmq-env.conf"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

start_bg() { # name command...
  local name=$1; shift
  nohup "$@" > "$D/log/$name.out" 2>&1 &
  echo $! > "$D/run/$name.pid"
}

up() {
  if [ "$(id -u)" -ne 0 ]; then echo "up needs root (PostgreSQL runs as postgres)" >&2; exit 1; fi
  for c in placement-api keystone-wsgi-public glance-api neutron-server nova-api nova-compute; do
    command -v "$c" >/dev/null || { echo "$c is missing: run $0 install" >&2; exit 3; }
  done
  # A cloud left running in DIR from an earlier run is stopped first.
  if [ -f "$D/aio.env" ] || [ -d "$D/run" ]; then down; fi
  rm -rf "$D"; mkdir -p "$D/secrets" "$D/rabbit/home" "$D/rabbit/mnesia" "$D/rabbit/log" "$D/pg"
  chmod 700 "$D/secrets"
  read -r PGPORT RPORT DISTPORT EPMDPORT KPORT PPORT GPORT NPORT CPORT < <(free_ports 9)
  HOST="strata-aio-$CPORT"
  ADMINPASS=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | cut -c1-24)
  SVCPASS=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | cut -c1-24)
  (umask 077; printf '%s\n' "$ADMINPASS" > "$D/secrets/admin-password")
  write_configs

  # --- PostgreSQL: a private cluster, one database per service ---
  chown postgres "$D/pg"
  su postgres -c "$PGBIN/initdb -D '$D/pg/data' -U postgres -A trust --no-sync >/dev/null"
  su postgres -c "$PGBIN/pg_ctl -D '$D/pg/data' -l '$D/pg/postgres.log' -o \"-c listen_addresses=127.0.0.1 -p $PGPORT -k '$D/pg' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" -w start >/dev/null"
  for db in keystone glance placement neutron nova_api nova nova_cell0; do
    su postgres -c "psql -h 127.0.0.1 -p $PGPORT -U postgres -qc 'create database $db'"
  done
  log "postgres up on $PGPORT"

  # --- RabbitMQ: a private node (own ports, epmd, HOME and cookie) ---
  printf '[].\n' > "$D/rabbit/enabled_plugins"; : > "$D/rabbit/rabbitmq.conf"; printf '[].\n' > "$D/rabbit/advanced.config"
  : > "$D/rabbit/rabbitmq-env.conf"
  (rabbit_env; start_bg rabbit "$RABBIT/rabbitmq-server")

  # --- Keystone ---
  local K="keystone-manage --config-file $D/etc/keystone/keystone.conf"
  mkdir -p "$D/state/fernet-keys" "$D/state/credential-keys"
  $K db_sync > "$D/log/keystone-manage.out" 2>&1
  $K fernet_setup --keystone-user root --keystone-group root >> "$D/log/keystone-manage.out" 2>&1
  $K credential_setup --keystone-user root --keystone-group root >> "$D/log/keystone-manage.out" 2>&1
  OS_BOOTSTRAP_PASSWORD="$ADMINPASS" $K bootstrap --bootstrap-admin-url "http://127.0.0.1:$KPORT/v3/" \
    --bootstrap-internal-url "http://127.0.0.1:$KPORT/v3/" --bootstrap-public-url "http://127.0.0.1:$KPORT/v3/" \
    --bootstrap-region-id "$REGION" >> "$D/log/keystone-manage.out" 2>&1
  OS_KEYSTONE_CONFIG_DIR="$D/etc/keystone" start_bg keystone keystone-wsgi-public --host 127.0.0.1 --port "$KPORT"
  waitfor "http://127.0.0.1:$KPORT/v3"
  log "keystone up on $KPORT"

  # The catalogue and the service users, through Keystone's REST API.
  local body tok
  body=$(python3 -c 'import json,sys; print(json.dumps({"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":sys.argv[1]}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}))' "$ADMINPASS")
  tok=$(printf '%s' "$body" | curl -si -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$KPORT/v3/auth/tokens" | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}' | tr -d '\r')
  # Bodies go through stdin, so no password shows in a process listing.
  kpost() { printf '%s' "$2" | curl -s -H "X-Auth-Token: $tok" -H 'Content-Type: application/json' -X POST "http://127.0.0.1:$KPORT/v3/$1" --data-binary @- \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['$3']['id'])"; }
  local adminrole svcproj uid sid
  adminrole=$(curl -s -H "X-Auth-Token: $tok" "http://127.0.0.1:$KPORT/v3/roles?name=admin" | python3 -c 'import json,sys;print(json.load(sys.stdin)["roles"][0]["id"])')
  svcproj=$(kpost projects '{"project":{"name":"service","domain_id":"default"}}' project)
  for u in nova placement glance neutron; do
    uid=$(kpost users "{\"user\":{\"name\":\"$u\",\"domain_id\":\"default\",\"password\":\"$SVCPASS\"}}" user)
    curl -s -X PUT -H "X-Auth-Token: $tok" "http://127.0.0.1:$KPORT/v3/projects/$svcproj/users/$uid/roles/$adminrole"
  done
  for s in "compute nova http://127.0.0.1:$CPORT/v2.1" "placement placement http://127.0.0.1:$PPORT" \
           "image glance http://127.0.0.1:$GPORT" "network neutron http://127.0.0.1:$NPORT"; do
    set -- $s
    sid=$(kpost services "{\"service\":{\"type\":\"$1\",\"name\":\"$2\"}}" service)
    for i in public internal admin; do
      kpost endpoints "{\"endpoint\":{\"service_id\":\"$sid\",\"interface\":\"$i\",\"region_id\":\"$REGION\",\"url\":\"$3\"}}" endpoint >/dev/null
    done
  done
  log "keystone catalogue and service users done"

  # --- Placement, Glance, Neutron ---
  placement-manage --config-file "$D/etc/placement/placement.conf" db sync > "$D/log/placement-manage.out" 2>&1
  OS_PLACEMENT_CONFIG_DIR="$D/etc/placement" start_bg placement placement-api --host 127.0.0.1 --port "$PPORT"
  mkdir -p "$D/state/glance/images" "$D/state/glance/staging" "$D/state/glance/tasks"
  glance-manage --config-file "$D/etc/glance/glance-api.conf" db_sync > "$D/log/glance-manage.out" 2>&1
  start_bg glance glance-api --config-file "$D/etc/glance/glance-api.conf"
  mkdir -p "$D/state/neutron"
  neutron-db-manage --config-file "$D/etc/neutron/neutron.conf" upgrade heads > "$D/log/neutron-db-manage.out" 2>&1
  start_bg neutron neutron-server --config-file "$D/etc/neutron/neutron.conf"
  log "placement, glance, neutron started"

  # --- Nova: databases and cells, then the services once RabbitMQ listens ---
  local N="nova-manage --config-file $D/etc/nova/nova.conf"
  mkdir -p "$D/state/nova/instances"
  $N api_db sync > "$D/log/nova-manage.out" 2>&1
  $N cell_v2 map_cell0 --database_connection "postgresql+psycopg2://postgres@127.0.0.1:$PGPORT/nova_cell0" >> "$D/log/nova-manage.out" 2>&1
  $N cell_v2 create_cell --name cell1 >> "$D/log/nova-manage.out" 2>&1
  $N db sync >> "$D/log/nova-manage.out" 2>&1
  log "nova databases synced"
  for _ in $(seq 1 600); do ss -ltn | grep -q "127.0.0.1:$RPORT " && break; sleep 0.2; done
  ss -ltn | grep -q "127.0.0.1:$RPORT " || { echo "RabbitMQ did not listen on $RPORT; see $D/log/rabbit.out" >&2; exit 1; }
  log "rabbitmq listening on $RPORT"
  for s in conductor scheduler api compute; do start_bg "nova-$s" "/usr/bin/nova-$s" --config-file "$D/etc/nova/nova.conf"; done
  waitfor "http://127.0.0.1:$PPORT/"; waitfor "http://127.0.0.1:$GPORT/"; waitfor "http://127.0.0.1:$NPORT/"; waitfor "http://127.0.0.1:$CPORT/"
  local mapped=0
  for _ in $(seq 1 150); do
    $N cell_v2 discover_hosts >/dev/null 2>&1 || true
    if [ "$(su postgres -c "psql -h 127.0.0.1 -p $PGPORT -U postgres -d nova_api -tAc 'select count(*) from host_mappings'")" = 1 ]; then mapped=1; break; fi
    sleep 1
  done
  [ "$mapped" = 1 ] || { echo "the compute host never mapped to a cell; see $D/log/nova-compute.log" >&2; exit 1; }
  log "compute host $HOST mapped"

  # A tiny image to boot from (the fake driver never reads it).
  local img
  img=$(curl -s -H "X-Auth-Token: $tok" -H 'Content-Type: application/json' -X POST "http://127.0.0.1:$GPORT/v2/images" \
    -d '{"name":"strata-tiny","disk_format":"raw","container_format":"bare","visibility":"public"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
  head -c 1048576 /dev/zero | curl -s -H "X-Auth-Token: $tok" -H 'Content-Type: application/octet-stream' -X PUT --data-binary @- \
    "http://127.0.0.1:$GPORT/v2/images/$img/file"

  cat > "$D/aio.env" <<EOF
AUTH_URL=http://127.0.0.1:$KPORT/v3
REGION=$REGION
ADMIN_USER=admin
ADMIN_PROJECT=admin
ADMIN_PASSWORD_FILE=$D/secrets/admin-password
COMPUTE_HOST=$HOST
IMAGE=strata-tiny
IMAGE_ID=$img
KEYSTONE_PORT=$KPORT
PLACEMENT_PORT=$PPORT
GLANCE_PORT=$GPORT
NEUTRON_PORT=$NPORT
NOVA_PORT=$CPORT
POSTGRES_PORT=$PGPORT
RABBIT_PORT=$RPORT
RABBIT_DIST_PORT=$DISTPORT
EPMD_PORT=$EPMDPORT
DIR=$D
STARTED_IN_S=$(( $(date +%s) - START ))
EOF
  # Run through sudo: the tests run as the calling user and read the password file.
  if [ -n "${SUDO_UID:-}" ]; then chown -R "$SUDO_UID" "$D/secrets" "$D/aio.env"; fi
  log "ALL UP: $D/aio.env"
}

down() {
  [ -f "$D/aio.env" ] || [ -d "$D/run" ] || { echo "nothing runs under $D"; return 0; }
  for f in nova-compute nova-api nova-scheduler nova-conductor glance neutron placement keystone; do
    [ -f "$D/run/$f.pid" ] && kill "$(cat "$D/run/$f.pid")" 2>/dev/null || true
  done
  if [ -f "$D/aio.env" ]; then
    # shellcheck disable=SC1091
    . "$D/aio.env"
    RPORT=$RABBIT_PORT DISTPORT=$RABBIT_DIST_PORT EPMDPORT=$EPMD_PORT
    (rabbit_env; "$RABBIT/rabbitmqctl" -n "strata$RPORT@localhost" stop >/dev/null 2>&1 || true)
    # The node's own epmd listens on its private port: stop that process, by its pid.
    local epmd
    epmd=$(ss -ltnpH "sport = :$EPMDPORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
    [ -n "$epmd" ] && kill "$epmd" 2>/dev/null || true
  fi
  [ -f "$D/run/rabbit.pid" ] && kill "$(cat "$D/run/rabbit.pid")" 2>/dev/null || true
  for _ in $(seq 1 60); do
    local alive=0
    for f in nova-compute nova-api nova-scheduler nova-conductor glance neutron placement keystone; do
      [ -f "$D/run/$f.pid" ] && ps -p "$(cat "$D/run/$f.pid")" >/dev/null 2>&1 && alive=1
    done
    [ $alive = 0 ] && break; sleep 1
  done
  for f in nova-compute nova-api nova-scheduler nova-conductor glance neutron placement keystone; do
    [ -f "$D/run/$f.pid" ] && kill -9 "$(cat "$D/run/$f.pid")" 2>/dev/null || true
  done
  [ -d "$D/pg/data" ] && su postgres -c "$PGBIN/pg_ctl -D '$D/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
  log "down: $D"
}

cmd=${1:-}
case "$cmd" in
  install) install_packages ;;
  up) D=$(realpath -m "${2:?usage: $0 up DIR}"); up ;;
  down) D=$(realpath -m "${2:?usage: $0 down DIR}"); down ;;
  *) echo "usage: $0 install | up DIR | down DIR" >&2; exit 2 ;;
esac
