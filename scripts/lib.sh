# Shared by the scripts: configuration defaults, progress lines, and helpers.
# Sourced, not run.

KEA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KEA_ROOT
# The secrets below that are not set get a development default: public values (they are in this
# repository, scripts/dev-secrets.txt), which the gateway and kea-worker refuse unless KEA_DEV=1.
_kea_dev_defaults=""
for _v in KEA_DB_PASSWORD TWILIO_AUTH_TOKEN KEA_JWT_SECRET KEA_DEMO_PASSWORD; do
    [ -n "${!_v:-}" ] || _kea_dev_defaults="$_kea_dev_defaults $_v"
done
export PG_VERSION=${PG_VERSION:-15}
export PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
export PG_CONFIG=$PG_BIN/pg_config
export PGRX_VERSION=0.18.1
export KEA_DB=${KEA_DB:-kea}
export KEA_DB_PASSWORD=${KEA_DB_PASSWORD:-kea}
export KEA_DATABASE_URL=${KEA_DATABASE_URL:-postgres://kea_authenticator:$KEA_DB_PASSWORD@127.0.0.1:5432/$KEA_DB}
export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-kea-dev-auth-token}
export KEA_LISTEN=${KEA_LISTEN:-127.0.0.1:8080}
export PATH=$HOME/.cargo/bin:$PATH

# Progress: "==> step" lines with elapsed seconds, so long set-up steps show they are alive.
_kea_t0=$(date +%s)
step() { printf '\033[1m==> %s\033[0m (%ss)\n' "$*" "$(( $(date +%s) - _kea_t0 ))"; }
note() { printf '    %s\n' "$*"; }
die() {
    printf '\033[31merror:\033[0m %s\n' "$1" >&2
    [ -n "${2:-}" ] && printf '  what to do: %s\n' "$2" >&2
    exit 1
}

# -h or --help among the arguments: prints the running script's header comment (its usage) and
# exits 0, before the script does any work. Scripts call it first thing: help_on_request "$@".
help_on_request() {
    local a
    for a in "$@"; do
        case $a in
            -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        esac
    done
}
# Refuses an argument the script does not take, pointing at its --help.
unknown_option() { die "unknown option '$1'" "see scripts/$(basename "$0") --help"; }

# psql as the postgres superuser (Debian uses peer auth on the socket; root is not postgres).
as_postgres() { (cd / && sudo -u postgres "$@"); }
# PGPORT picks another local cluster (scripts/citus: the Citus coordinator and workers); sudo
# would drop it from the environment.
psql_admin() { as_postgres env PGPORT="${PGPORT:-5432}" PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# Runs a long command quietly, showing its last line every few seconds; prints the log on failure.
quietly() {
    local label=$1; shift
    local log
    log=$(mktemp /tmp/kea-XXXXXX.log)
    "$@" >"$log" 2>&1 &
    local pid=$! last="" now
    while kill -0 "$pid" 2>/dev/null; do
        sleep 5
        now=$(tail -n 1 "$log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-100)
        if kill -0 "$pid" 2>/dev/null && [ "$now" != "$last" ]; then
            note "$label: $now"
            last=$now
        fi
    done
    if ! wait "$pid"; then
        tail -n 40 "$log" >&2
        die "$label failed (full log: $log)" "read the log above; re-run the script once fixed (it is safe to re-run)"
    fi
    rm -f "$log"
}
export KEA_JWT_SECRET=${KEA_JWT_SECRET:-kea-dev-jwt-secret-change-me-in-production}
# The demo agent's password (agent@tonys.example): development only.
export KEA_DEMO_PASSWORD=${KEA_DEMO_PASSWORD:-kea-demo}
# Twilio's Messages API account (the stand-in accepts this one) and where the worker finds it.
export TWILIO_ACCOUNT_SID=${TWILIO_ACCOUNT_SID:-AC00000000000000000000000000000000}
export KEA_TWILIO_API_URL=${KEA_TWILIO_API_URL:-https://api.twilio.com}
# Development defaults in use: a development machine (said once, not by every nested script).
if [ -n "$_kea_dev_defaults" ] && [ -z "${KEA_DEV:-}" ]; then
    export KEA_DEV=1
    printf '\033[33mKEA_DEV=1\033[0m: development defaults for%s (never in production: docs/security.md, "Secrets")\n' \
        "$_kea_dev_defaults" >&2
fi

# Builds the gateway, worker and stand-in binaries (debug: one build shared by demo, call and
# tests).
build_gateway() {
    quietly "build gateway and worker" cargo build -p kea_gateway -p kea_worker --bins
}

# Waits until $1 (a URL) answers, or dies showing log $3 of process $2.
wait_for_http() {
    local url=$1 pid=$2 log=$3 what=$4
    for _ in $(seq 1 100); do
        curl -fsS "$url" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "$what exited at start" "see the log above ($log)"; }
        sleep 0.1
    done
    cat "$log" >&2
    die "$what did not answer $url" "see the log above ($log)"
}

# Starts kea-worker in the background (configuration from the environment: docs/workflow.md);
# its metrics on $1 (host:port).
start_worker() {
    local metrics=$1 log=${2:-/tmp/kea-worker.log}
    KEA_WORKER_METRICS=$metrics "$KEA_ROOT/target/debug/kea-worker" >"$log" 2>&1 &
    WORKER_PID=$!
    wait_for_http "http://$metrics/metrics" "$WORKER_PID" "$log" "kea-worker"
}

# Starts the local stand-ins for the POS ($1), Square ($2) and Twilio's Messages API ($3), for a
# developer with no POS or Twilio account (worker/src/standins/).
start_standins() {
    local log=${4:-/tmp/kea-standins.log}
    KEA_STANDIN_POS=$1 KEA_STANDIN_SQUARE=$2 KEA_STANDIN_TWILIO=$3 \
        "$KEA_ROOT/target/debug/kea-standins" >"$log" 2>&1 &
    STANDINS_PID=$!
    wait_for_http "http://$1/_received" "$STANDINS_PID" "$log" "kea-standins"
}

# Starts the gateway in the background on $1 (host:port), waits until /healthz answers. Its
# /metrics listener is off unless KEA_METRICS_LISTEN says where (several gateways of the
# scripts may run at once; scripts/serve's is on 127.0.0.1:9188).
start_gateway() {
    local listen=$1 log=${2:-/tmp/kea-gateway.log}
    KEA_LISTEN=$listen KEA_METRICS_LISTEN=${KEA_METRICS_LISTEN:-off} \
        "$KEA_ROOT/target/debug/kea-gateway" >"$log" 2>&1 &
    GATEWAY_PID=$!
    wait_for_http "http://$listen/healthz" "$GATEWAY_PID" "$log" "the gateway"
}

# A superuser login for the tests and benchmarks (local development clusters only).
ensure_admin_role() {
    psql_admin -d postgres -c "do \$\$ begin
        if not exists (select 1 from pg_roles where rolname = 'kea_test_admin') then
            create role kea_test_admin login superuser password 'kea-test';
        end if; end \$\$"
}

# Loads the demo merchant (Tony's Pizza) into database $1. SQL goes to psql on standard input:
# the postgres user need not be able to read the checkout.
seed_demo_merchant() {
    psql_admin -d "$1" -v menu="$(cat "$KEA_ROOT/migrations/seed/tonys_pizza.menu.json")" \
        -v demo_password="$KEA_DEMO_PASSWORD" \
        <"$KEA_ROOT/migrations/seed/demo_merchant.sql" >/dev/null
}
