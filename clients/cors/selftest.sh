#!/usr/bin/env bash
# Shows that the CORS probe page reports both outcomes, with no ctgraph involved: it runs
# standin.mjs --allow and --deny, serves the page with serve.mjs for each, renders it in
# headless Chromium (CHROMIUM, default chromium) and checks for "OK" and "FAILED".
#   bash cors/selftest.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-chromium}
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# Starts `node SCRIPT ARGS...` in the background; its first stdout line (a URL) goes to $url.
start() {
  local out="$tmp/$RANDOM"
  node "$@" >"$out" 2>>"$tmp/log" & pids+=($!)
  for _ in $(seq 100); do [[ -s $out ]] && break; sleep 0.05; done
  url=$(head -n1 "$out")
}

render() {
  "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --virtual-time-budget=10000 --user-data-dir="$tmp/profile-$RANDOM" --dump-dom "$1" 2>/dev/null \
    | grep -o '<pre id="result">[^<]*</pre>'
}

status=0
for mode in allow deny; do
  start "$here/standin.mjs" "--$mode"; graphql=$url
  start "$here/serve.mjs" "$graphql"; page=$url
  got=$(render "$page")
  echo "$mode: page $page -> $graphql: $got"
  want=$([[ $mode == allow ]] && echo '<pre id="result">OK ' || echo '<pre id="result">FAILED ')
  [[ $got == "$want"* ]] || { echo "  expected $want..."; status=1; }
done
echo "stand-in log:"; sed 's/^/  /' "$tmp/log"
exit $status
