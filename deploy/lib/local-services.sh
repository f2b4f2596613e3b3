# shellcheck shell=bash
# local-services.sh: start this machine's PostgreSQL (127.0.0.1:5432, user postgres) and RabbitMQ
# (127.0.0.1:5672, guest/guest) when they are down. Sourced by deploy/test.sh and
# deploy/quickstart.sh. A server that already runs is used as it is: never restarted, never
# reconfigured. Starting one needs root; the functions exit with a message otherwise.

services_need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0"): $* needs root (or start it yourself)" >&2
    exit 1
  fi
}

# ensure_postgres [fresh]: PostgreSQL answers on 127.0.0.1:5432. With "fresh" (a cluster just
# installed by apt-get), loopback logins as postgres are trusted first, as on the development
# machines.
ensure_postgres() {
  pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && return 0
  command -v pg_ctlcluster >/dev/null || { echo "$(basename "$0"): PostgreSQL is not installed (deploy/test.sh installs it)" >&2; exit 1; }
  services_need_root "starting PostgreSQL"
  local cluster hba
  cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
  if [ "${1:-}" = fresh ]; then
    hba=/etc/postgresql/$cluster/main/pg_hba.conf
    { echo "local all all trust"; echo "host all all 127.0.0.1/32 trust"; echo "host all all ::1/128 trust"; cat "$hba"; } > "$hba.new"
    mv "$hba.new" "$hba"
  fi
  echo "== starting PostgreSQL $cluster"
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "$(basename "$0"): PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
}

# ensure_rabbitmq: RabbitMQ has booted (rabbitmqctl await_startup).
ensure_rabbitmq() {
  if ! rabbitmqctl -q status >/dev/null 2>&1; then
    command -v rabbitmq-server >/dev/null || { echo "$(basename "$0"): RabbitMQ is not installed (deploy/test.sh installs it)" >&2; exit 1; }
    services_need_root "starting RabbitMQ"
    echo "== starting RabbitMQ"
    rabbitmq-server -detached
  fi
  for _ in $(seq 1 90); do rabbitmqctl -q await_startup >/dev/null 2>&1 && return 0; sleep 2; done
  echo "$(basename "$0"): RabbitMQ did not start" >&2
  exit 1
}
