#!/usr/bin/env bash
# The project's test command: every test of every package, then a one-line
# summary. Extra arguments go to go test (for example: ./test.sh -run Echo).
set -uo pipefail
cd "$(dirname "$0")"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -json -count=1 "$@" ./... > "$out"
rc=$?
go run ./internal/testsummary < "$out"
sum=$?
[ $rc -ne 0 ] && exit $rc
exit $sum
