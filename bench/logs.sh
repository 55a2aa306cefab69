#!/usr/bin/env bash
# Times `gwdoctor logs` side by side with `grep -c`, mawk and GoAccess on the
# same generated nginx logs, and prints throughput, CPU time and peak RSS:
#
#   access+error  an access log (combined plus upstream fields, about 3%
#                 502-504) and the error lines of its failures, read together
#   access        the access log alone
#   error         an outage's error log: about 94% upstream failures
#   error, docker the same lines as `docker logs --timestamps` prints them
#   error, cri    the same lines as the kubelet keeps them (CRI)
#
#   bench/logs.sh                 # 1 GB of each log, 3 rounds
#   SIZE=200M ROUNDS=1 bench/logs.sh  # a quicker run
#   KEEP=1 DIR=/tmp/b bench/logs.sh   # keep the generated files
#   NO_GOACCESS=1 bench/logs.sh   # skip GoAccess, the slow one
#
# The programs run one after another in each round, and each row gives the
# median of the rounds: other work on the machine slows some runs, so the
# script also prints the load average and each row's CPU seconds (user +
# system), which such work inflates less than the wall time. All read the
# files from the page cache: each file is read once before the timings.
#
# Goals: gwdoctor at least 1.5x grep -c's throughput on the access log, at
# least 1,000 MB/s on the error logs, plain or wrapped, at least 5x
# GoAccess's on the access log, and a peak RSS of at most 100 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${SIZE:-1G}"
ROUNDS="${ROUNDS:-3}"
KEEP="${KEEP:-0}"
DIR="${DIR:-$(mktemp -d "${TMPDIR:-/tmp}/gwdoctor-bench.XXXXXX")}"
mkdir -p "$DIR"
if [ "$KEEP" != 1 ]; then
  trap 'rm -rf "$DIR"' EXIT
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time is needed for peak RSS: apt-get install -y time" >&2
  exit 2
fi

echo "== building gwdoctor and generating $SIZE of each nginx log in $DIR"
go build -o "$DIR/gwdoctor" ./cmd/gwdoctor
go build -o "$DIR/genlogs" ./bench/genlogs
"$DIR/genlogs" -dir "$DIR" -size "$SIZE"
"$DIR/genlogs" -dir "$DIR" -size "$SIZE" -error-mix outage
"$DIR/genlogs" -dir "$DIR" -size "$SIZE" -error-mix outage -wrap docker
"$DIR/genlogs" -dir "$DIR" -size "$SIZE" -error-mix outage -wrap cri
FORMAT="$("$DIR/genlogs" -print-format)"
ACCESS="$DIR/access.log"
ERROR="$DIR/error.log"
OUTAGE="$DIR/error-outage.log"
DOCKER="$DIR/error-outage-docker.log"
CRI="$DIR/error-outage-cri.log"
cat "$ACCESS" "$ERROR" "$OUTAGE" "$DOCKER" "$CRI" > /dev/null
size() { stat -c %s "$@" | awk '{ s += $1 } END { print s }'; }

# Each row: a key, a label, the files read (for their size) and the command.
ROWS=()
row() { ROWS+=("$1"); eval "label_$1=\$2; files_$1=\$3; cmd_$1=\$4"; }
row gw_both "gwdoctor logs (access+error)" "$ACCESS $ERROR" 'gwdoctor logs --nginx-log-format "$FORMAT" "$ACCESS" "$ERROR"'
row gw_access "gwdoctor logs (access)" "$ACCESS" 'gwdoctor logs --nginx-log-format "$FORMAT" "$ACCESS"'
row grep_access "grep -c ' 50[234] ' (access)" "$ACCESS" 'grep -c " 50[234] " "$ACCESS"'
row gw_error "gwdoctor logs (error)" "$OUTAGE" 'gwdoctor logs "$OUTAGE"'
row grep_error "grep -c upstream (error)" "$OUTAGE" 'grep -c upstream "$OUTAGE"'
row gw_docker "gwdoctor logs (error, docker)" "$DOCKER" 'gwdoctor logs "$DOCKER"'
row grep_docker "grep -c upstream (error, docker)" "$DOCKER" 'grep -c upstream "$DOCKER"'
row gw_cri "gwdoctor logs (error, cri)" "$CRI" 'gwdoctor logs "$CRI"'
row grep_cri "grep -c upstream (error, cri)" "$CRI" 'grep -c upstream "$CRI"'
if command -v mawk > /dev/null; then
  row mawk_access "mawk / 50[234] / count (access)" "$ACCESS" 'mawk "/ 50[234] /{n++} END{print n+0}" "$ACCESS"'
  row mawk_error "mawk /upstream/ count (error)" "$OUTAGE" 'mawk "/upstream/{n++} END{print n+0}" "$OUTAGE"'
else
  echo "mawk: not installed; skipped (apt-get install -y mawk)"
fi
if [ "${NO_GOACCESS:-0}" = 1 ]; then
  echo "goaccess: skipped (NO_GOACCESS=1)"
elif command -v goaccess > /dev/null; then
  row goaccess "goaccess (access)" "$ACCESS" 'goaccess "$ACCESS" --log-format=COMBINED --no-global-config -o "$DIR/goaccess.json"'
else
  echo "goaccess: not installed; skipped (apt-get install -y goaccess)"
fi

# run KEY: runs the row's command once under /usr/bin/time and appends
# "wall cpu rss" to $DIR/KEY.times; the output goes to $DIR/KEY.out.
run() {
  local cmd="cmd_$1"
  (PATH="$DIR:$PATH"; eval "/usr/bin/time -f '%e %U %S %M' -o '$DIR/time.out' ${!cmd}") > "$DIR/$1.out" 2> "$DIR/$1.err" || true
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$DIR/time.out" | tail -n 1 >> "$DIR/$1.times"
}

echo
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $ROUNDS rounds"
for ((r = 1; r <= ROUNDS; r++)); do
  for key in "${ROWS[@]}"; do
    run "$key"
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

# median COLUMN FILE: the median of a column.
median() { sort -n -k"$1","$1" "$2" | awk -v c="$1" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A mbps
echo
printf '%-36s %9s %9s %11s %9s %10s\n' "program" "input MB" "wall s" "MB/s" "CPU s" "peak RSS"
for key in "${ROWS[@]}"; do
  files="files_$key" label="label_$key"
  # shellcheck disable=SC2086 # the files are split on purpose
  bytes=$(size ${!files})
  wall=$(median 1 "$DIR/$key.times")
  cpu=$(median 2 "$DIR/$key.times")
  rss=$(sort -n -k3,3 "$DIR/$key.times" | tail -n 1 | awk '{ printf "%.1f MB", $3 / 1024 }')
  mbps[$key]=$(awk -v b="$bytes" -v s="$wall" 'BEGIN { if (s <= 0) s = 0.01; printf "%.0f", b / 1e6 / s }')
  printf '%-36s %9.1f %9.2f %11s %9.2f %10s\n' "${!label}" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$wall" "${mbps[$key]}" "$cpu" "$rss"
done

echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else printf "%.2f", a / b }'; }
echo "gwdoctor / grep -c, access log:         $(ratio "${mbps[gw_access]}" "${mbps[grep_access]}")  (goal >= 1.5)"
echo "gwdoctor / grep -c, error log:          $(ratio "${mbps[gw_error]}" "${mbps[grep_error]}")"
echo "gwdoctor / grep -c, error log, docker:  $(ratio "${mbps[gw_docker]}" "${mbps[grep_docker]}")"
echo "gwdoctor / grep -c, error log, cri:     $(ratio "${mbps[gw_cri]}" "${mbps[grep_cri]}")"
echo "gwdoctor on the error logs:             ${mbps[gw_error]}, ${mbps[gw_docker]}, ${mbps[gw_cri]} MB/s  (goal >= 1000)"
if [ -n "${mbps[goaccess]:-}" ]; then
  echo "gwdoctor / goaccess, access log:        $(ratio "${mbps[gw_access]}" "${mbps[goaccess]}")  (goal >= 5)"
fi
echo
echo "gwdoctor's summary of the error log:"
head -n 12 "$DIR/gw_error.out"
