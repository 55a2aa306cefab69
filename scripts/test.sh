#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need
# when it is missing, then vets and tests every package with the race
# detector, and runs each fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null)/bin"

# The gateways of the lab are the real programs, from Debian's packages,
# and the HTML report is checked in a real Chromium.
./scripts/install-deps.sh

echo "== install path"
./scripts/test-install-deps.sh

echo "== go mod download"
go mod download

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then
  echo "gofmt would change:"; echo "$bad"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== go test -race"
go test -race -count=1 ./...

echo "== fuzz (short)"
# A count of executions rather than a duration: Go 1.26's fuzzing
# coordinator can report "context deadline exceeded" when a -fuzztime
# duration ends while a worker is busy (go.dev/issue/75804), a failure
# with no failing input behind it.
fuzz_time="${FUZZ_TIME:-200000x}"
# Each new input that widens coverage is minimized; by default for up to
# 60 s each, which can stall a short run for minutes. A count bounds it.
minimize="${FUZZ_MINIMIZE:-2000x}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //'); do
    echo "-- $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzz_time" -fuzzminimizetime "$minimize" "$pkg"
  done
done
echo "== all tests passed"
