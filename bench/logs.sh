#!/usr/bin/env bash
# Times `gwdoctor logs` against GoAccess and `grep -c` on the same generated
# nginx access and error logs, and prints throughput, ratios and peak RSS.
#
#   bench/logs.sh                 # 1 GB of logs
#   SIZE=200M bench/logs.sh       # a quicker run
#   KEEP=1 DIR=/tmp/b bench/logs.sh  # keep the generated files
#   NO_GOACCESS=1 bench/logs.sh   # skip GoAccess, the slow one
#
# Goals: gwdoctor at least 5x GoAccess's throughput, at least 1/3 of
# grep -c's, and a peak RSS of at most 100 MB. All three read the files from
# the page cache: each file is read once before the timings.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${SIZE:-1G}"
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

echo "== building gwdoctor and generating $SIZE of nginx logs in $DIR"
go build -o "$DIR/gwdoctor" ./cmd/gwdoctor
go run ./bench/genlogs -dir "$DIR" -size "$SIZE"
FORMAT="$(go run ./bench/genlogs -print-format)"
ACCESS="$DIR/access.log"
ERROR="$DIR/error.log"
cat "$ACCESS" "$ERROR" > /dev/null
access_bytes=$(stat -c %s "$ACCESS")
both_bytes=$(( access_bytes + $(stat -c %s "$ERROR") ))

# measure KEY LABEL BYTES CMD...: runs CMD under /usr/bin/time, prints a
# row and keeps the throughput in mbps[KEY] and its output in $DIR/KEY.out.
declare -A mbps
measure() {
  local key=$1 label=$2 bytes=$3
  shift 3
  /usr/bin/time -f '%e %M' -o "$DIR/time.out" "$@" > "$DIR/$key.out" 2> "$DIR/$key.err" || true
  local secs rss
  read -r secs rss < <(tail -n 1 "$DIR/time.out")
  mbps[$key]=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { if (s <= 0) s = 0.01; printf "%.0f", b / 1e6 / s }')
  printf '%-34s %10.1f MB %8.2f s %8s MB/s %8.1f MB\n' "$label" "$(awk -v b="$bytes" 'BEGIN{print b/1e6}')" \
    "$secs" "${mbps[$key]}" "$(awk -v r="$rss" 'BEGIN{print r/1024}')"
}

echo
printf '%-34s %13s %10s %13s %11s\n' "program" "input" "time" "throughput" "peak RSS"
measure gw "gwdoctor logs (access+error)" "$both_bytes" "$DIR/gwdoctor" logs --nginx-log-format "$FORMAT" "$ACCESS" "$ERROR"
measure gwa "gwdoctor logs (access only)" "$access_bytes" "$DIR/gwdoctor" logs --nginx-log-format "$FORMAT" "$ACCESS"
measure grep "grep -c ' 50[234] ' (both)" "$both_bytes" grep -c ' 50[234] ' "$ACCESS" "$ERROR"
if [ "${NO_GOACCESS:-0}" = 1 ]; then
  echo "goaccess: skipped (NO_GOACCESS=1)"
elif command -v goaccess > /dev/null; then
  measure goaccess "goaccess (access only)" "$access_bytes" goaccess "$ACCESS" --log-format=COMBINED --no-global-config -o "$DIR/goaccess.json"
else
  echo "goaccess: not installed; skipped (apt-get install -y goaccess)"
fi

echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else printf "%.2f", a / b }'; }
echo "gwdoctor / grep -c:    $(ratio "${mbps[gw]}" "${mbps[grep]}")  (goal >= 0.33)"
if [ -n "${mbps[goaccess]:-}" ]; then
  echo "gwdoctor / goaccess:   $(ratio "${mbps[gwa]}" "${mbps[goaccess]}")  (goal >= 5, access log only)"
fi
echo
echo "gwdoctor's summary:"
head -n 12 "$DIR/gw.out"
