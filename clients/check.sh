#!/usr/bin/env bash
# Issue 9's client checks, for .ci/run: the graphql-http audit against a running ctgraph at
# URL, graphql-js's OverlappingFieldsCanBeMerged over every union of ../schema.graphql, and
# relay-compiler on relay/. Expects `npm ci` to have been run in this folder. Runs all three
# and exits 1 if any failed. OVERLAP_ARGS adds flags to overlap.mjs (--interfaces, --depth N).
#   clients/check.sh http://127.0.0.1:8000/graphql
set -uo pipefail
cd "$(dirname "$0")"
url=${1:?usage: check.sh GRAPHQL_URL}
failed=()

echo "== graphql-http audit: $url"
node audit/audit.mjs "$url" || failed+=(audit)

echo "== OverlappingFieldsCanBeMerged over unions: ../schema.graphql"
# shellcheck disable=SC2086 # OVERLAP_ARGS is a list of flags
node unions/overlap.mjs ../schema.graphql ${OVERLAP_ARGS:-} || failed+=(overlap)

echo "== relay-compiler: relay/"
(cd relay && NO_COLOR=1 ../node_modules/.bin/relay-compiler) || failed+=(relay)

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all client checks passed"
