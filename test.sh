#!/usr/bin/env bash
# The project's test command: every test of every package, then a one-line
# summary. Extra arguments go to go test (for example: ./test.sh -run Echo).
set -uo pipefail
cd "$(dirname "$0")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Built rather than run with go run, whose own "exit status 1" line would
# trail the summary of a failed run.
if ! go build -o "$tmp/testsummary" ./internal/testsummary; then
  echo "test.sh: cannot build internal/testsummary" >&2
  exit 2
fi
# Protocol servers from npm that tests start (internal/npmserver looks in
# this folder): installed once when npm is present. Without npm, the tests
# that need them skip, saying so.
npmdir="${XDG_CACHE_HOME:-$HOME/.cache}/polyfn/npm"
if command -v npm >/dev/null; then
  for bin in dynalite azurite-queue workerd; do
    if [ ! -e "$npmdir/node_modules/.bin/$bin" ]; then
      npm install --no-audit --no-fund --prefix "$npmdir" dynalite@4.0.0 azurite@3.37.0 workerd@1.20261117.1 >&2 || exit 2
      break
    fi
  done
fi
go test -json -count=1 "$@" ./... > "$tmp/out.jsonl"
rc=$?
"$tmp/testsummary" < "$tmp/out.jsonl"
sum=$?
[ $rc -ne 0 ] && exit $rc
exit $sum
