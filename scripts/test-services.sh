# Sourced by scripts/test.sh: starts what the tests need and exports where it is.
# - a throwaway PostgreSQL cluster on 127.0.0.1 (WHETSTONE_TEST_POSTGRES), installed from Debian's packages when
#   missing and this runs as root; stopped when the test run ends.
# - Debian's chromium (/usr/bin/chromium) for the tests that render the HTML report in a real browser.
# - clang and zlib1g-dev, with which `dotnet publish` links the native (Native AOT) build of `whetstone redact`.
# A test that needs a service fails (it is never skipped) when the service is missing.

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Chromium (Debian package chromium)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
    { apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }
fi

# clang (the linker driver; binutils links) and zlib to link the native build of `whetstone redact` (Native AOT; NativeRedactBuildTests publish it).
if ! { command -v clang >/dev/null && [ -f /usr/include/zlib.h ]; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing clang and zlib1g-dev (Debian packages) to link the native build"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang zlib1g-dev >/dev/null 2>&1 || \
    { apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang zlib1g-dev >/dev/null 2>&1; }
fi

pg_bin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && pg_bin="$d"
done
if [ -z "$pg_bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing PostgreSQL (Debian package postgresql)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 || \
    { apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; }
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && pg_bin="$d"
  done
fi

if [ -n "$pg_bin" ] && [ -z "${WHETSTONE_TEST_POSTGRES:-}" ]; then
  pg_dir=$(mktemp -d /tmp/whetstone-pg.XXXXXX)
  pg_port=$((20000 + RANDOM % 20000))
  run_pg() {
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --home-dir "$pg_dir" postgres
      chown -R postgres "$pg_dir"
      runuser -u postgres -- "$@"
    else
      "$@"
    fi
  }
  if run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U whetstone --auth=trust -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 &&
     run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
       -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir -c fsync=off -c max_connections=200" start >/dev/null 2>&1; then
    export WHETSTONE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=whetstone;Database=postgres;Pooling=true;Maximum Pool Size=50"
    echo "PostgreSQL test cluster on 127.0.0.1:$pg_port ($pg_dir)"
    stop_pg() { run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir"; }
    trap stop_pg EXIT
  else
    echo "could not start a PostgreSQL test cluster; see $pg_dir"
    cat "$pg_dir/initdb.log" "$pg_dir/server.log" 2>/dev/null | tail -20
  fi
fi
