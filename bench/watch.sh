#!/usr/bin/env bash
# Measures gwdoctor serve's watcher, side by side with Debian's
# prometheus-blackbox-exporter in one run, on loopback targets:
#
#  1. checks per CPU-second, all targets healthy, each check with full
#     phase timing and stored in SQLite; blackbox probing the same targets
#     at the same rate, its CPU read from /proc (goal: at least 1.5x);
#  2. 10,000 targets every 60 s, 1 % failing (each failure confirmed and
#     diagnosed): average CPU, RSS, the latest check past its slot, bytes
#     per target-day in SQLite (goals: under half a core, under 300 MB,
#     none more than 1 s late);
#  3. the status page's p99 under wrk, with 1,000 targets and 30 days of
#     history, while they are watched (goal: under 50 ms).
#
#   bench/watch.sh                      # about 7 minutes
#   SCALE=1m RATE=300 bench/watch.sh    # quicker
#   SKIP=throughput,scale bench/watch.sh
#
# Needs prometheus-blackbox-exporter and wrk (apt-get install -y
# prometheus-blackbox-exporter wrk); as root it installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE="${RATE:-500}"           # checks (and probes) per second in part 1
THROUGHPUT="${THROUGHPUT:-30s}"
SCALE="${SCALE:-3m}"
SKIP="${SKIP:-}"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/gwdoctor-bench-watch.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT

need() { # need COMMAND PACKAGE
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null
  else
    echo "bench: $1 is needed: apt-get install -y $2" >&2
    exit 2
  fi
}
skipped() { [[ ",$SKIP," == *",$1,"* ]]; }

go build -o "$DIR/watch" ./bench/watch

# cpu_ticks PID: the process's user and system time, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

throughput() {
  need prometheus-blackbox-exporter prometheus-blackbox-exporter
  echo "== 1. checks per CPU-second: $RATE targets, each once a second, for $THROUGHPUT"
  "$DIR/watch" -mode serve -targets "$RATE" -interval 1s -fail 0 -duration "$THROUGHPUT" | tee "$DIR/gwdoctor.out"
  "$DIR/watch" -mode targets -targets "$RATE" -fail 0 > "$DIR/targets.addr" &
  pids+=($!)
  sleep 1
  cat > "$DIR/blackbox.yml" <<'YAML'
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
YAML
  prometheus-blackbox-exporter --config.file="$DIR/blackbox.yml" --web.listen-address=127.0.0.1:19115 --log.level=warn 2> "$DIR/blackbox.log" &
  local bb=$!
  pids+=($bb)
  sleep 1
  local t0 t1 secs
  t0=$(cpu_ticks "$bb")
  "$DIR/watch" -mode drive -addr "$(head -n1 "$DIR/targets.addr")" -targets "$RATE" -rate "$RATE" -duration "$THROUGHPUT" \
    -url 'http://127.0.0.1:19115/probe?module=http_2xx&target=%s' | tee "$DIR/blackbox.out"
  t1=$(cpu_ticks "$bb")
  secs=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { print (b - a) / hz }')
  local probes ours theirs
  probes=$(awk '/^probes/ { print $2 }' "$DIR/blackbox.out")
  ours=$(awk '/checks per CPU-second/ { for (i = 1; i <= NF; i++) if ($i == "checks" && $(i+1) == "per") print $(i-1) }' "$DIR/gwdoctor.out")
  theirs=$(awk -v p="$probes" -v s="$secs" 'BEGIN { printf "%.0f", p / s }')
  echo "blackbox: $probes probes, cpu $secs s: $theirs probes per CPU-second"
  awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "gwdoctor/blackbox: %.2fx (goal: at least 1.5x)\n", a / b }'
}

scale() {
  echo "== 2. 10,000 targets every 60 s, 1 % failing, measured $SCALE after the first minute"
  "$DIR/watch" -mode serve -targets 10000 -interval 60s -fail 0.01 -duration "$SCALE"
}

pages() {
  need wrk wrk
  echo "== 3. the status page under wrk: 1,000 targets, 30 days of history"
  "$DIR/watch" -mode pages -targets 1000 -days 30 -db "$DIR/history.db" -listen 127.0.0.1:18502 -duration 30m > "$DIR/pages.out" &
  pids+=($!)
  for _ in $(seq 600); do grep -q "pages on" "$DIR/pages.out" 2>/dev/null && break; sleep 0.5; done
  ls -l "$DIR/history.db" | awk '{ printf "history file: %.0f MB\n", $5 / 1e6 }'
  local url=http://127.0.0.1:18502/
  curl -s -o /dev/null -w 'page: %{size_download} bytes, ' "$url"
  curl -s -o /dev/null -w '%{size_download} bytes gzipped; ' -H 'Accept-Encoding: gzip' "$url"
  curl -s -o /dev/null -w "a group's page: %{size_download} bytes\n" "${url}?group=g00"
  echo "-- plain"
  wrk -t2 -c8 -d20s --latency "$url" | sed -n '/Latency Distribution/,/Requests\/sec/p'
  echo "-- Accept-Encoding: gzip, as browsers ask"
  wrk -t2 -c8 -d20s --latency -H 'Accept-Encoding: gzip' "$url" | sed -n '/Latency Distribution/,/Requests\/sec/p'
}

skipped throughput || throughput
skipped scale || scale
skipped pages || pages
