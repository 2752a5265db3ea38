#!/usr/bin/env bash
# Runs CMD... with a throwaway PostgreSQL server on 127.0.0.1 and CODEX_SDK_TEST_PG_URL naming it:
#   scripts/with-postgres.sh cargo test -p codex-agent-sdk --features testing postgres
# Installs Debian's `postgresql` package when no server binaries are found; runs the server as an
# unprivileged user (creating `codexpg` when run as root) in a temporary data directory, trust auth on
# loopback only; stops it and deletes the directory when CMD ends.
set -euo pipefail

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return 0; fi
  return 1
}

if ! BINDIR="$(find_bindir)"; then
  echo "== installing PostgreSQL (Debian package postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends postgresql >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends postgresql >/dev/null; }
  BINDIR="$(find_bindir)"
fi

DATA="$(mktemp -d "${TMPDIR:-/tmp}/codex-pg.XXXXXX")"
RUN=()
if [ "$(id -u)" = 0 ]; then
  # initdb and postgres refuse to run as root.
  id codexpg >/dev/null 2>&1 || useradd -r -M -d /nonexistent -s /usr/sbin/nologin codexpg
  chown codexpg "$DATA"
  RUN=(runuser -u codexpg --)
fi
chmod 700 "$DATA"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)))"

stop() {
  "${RUN[@]}" "$BINDIR/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap stop EXIT

"${RUN[@]}" "$BINDIR/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
"${RUN[@]}" "$BINDIR/pg_ctl" -D "$DATA/db" -l "$DATA/db/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA/db -c max_connections=200" \
  start >/dev/null
export CODEX_SDK_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "== PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (CODEX_SDK_TEST_PG_URL)" >&2
status=0
"$@" || status=$?
exit "$status"
