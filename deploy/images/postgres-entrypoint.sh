#!/bin/sh
# PostgreSQL in a container, as the tutorial's postgres:11 image: the cluster is made on the
# first start in the volume /var/lib/postgresql/data, user postgres with POSTGRES_PASSWORD
# (default "password"), database POSTGRES_DB if set; password logins from the container network.
# The server runs as the unprivileged postgres user.
set -eu
data=/var/lib/postgresql/data
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
mkdir -p "$data" /run/postgresql
chown postgres:postgres "$data" /run/postgresql
chmod 700 "$data"
if [ ! -s "$data/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-password}" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres "$bin/initdb" -D "$data" -U postgres -E UTF8 --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$data/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$data/postgresql.conf"
  if [ -n "${POSTGRES_DB:-}" ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | as_postgres "$bin/postgres" --single -D "$data" postgres >/dev/null
  fi
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$data"
