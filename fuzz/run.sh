#!/usr/bin/env bash
# Fuzz a ctgraph GraphQL endpoint with schemathesis; exits non-zero on any failure.
# Usage: fuzz/run.sh URL [--seed N] [--max-examples N] [--budget SECONDS] [--mode MODE]
#                        [--workers N] [-- more `st run` options]
# --max-examples is per root field (17 of them); --budget is the per-request time limit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '3,5p' "$0" | sed 's/^# //' >&2; exit 2; }
[ $# -ge 1 ] && [ "${1#-}" = "$1" ] || usage
url=$1; shift
seed=1 max_examples=300 budget=1 mode=positive workers=1
while [ $# -gt 0 ]; do
    case $1 in
        --seed) seed=$2; shift 2 ;;
        --max-examples) max_examples=$2; shift 2 ;;
        --budget) budget=$2; shift 2 ;;
        --mode) mode=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --) shift; break ;;
        *) usage ;;
    esac
done
st=$here/.venv/bin/st
if [ ! -x "$st" ]; then
    echo "no $st: python3 -m venv fuzz/.venv && fuzz/.venv/bin/pip install -r fuzz/requirements.txt" >&2
    exit 2
fi
export SCHEMATHESIS_HOOKS=$here/hooks.py FUZZ_BUDGET=$budget FUZZ_URL=$url FUZZ_DIR=$here \
    HYPOTHESIS_STORAGE_DIRECTORY=$here/.hypothesis
echo "fuzz: $url seed=$seed max-examples=$max_examples budget=${budget}s mode=$mode workers=$workers" >&2
exec "$st" --config-file "$here/schemathesis.toml" run "$url" \
    --checks ctgraph_not_server_error,ctgraph_error_codes,ctgraph_requested_keys,ctgraph_response_time \
    --phases fuzzing --continue-on-failure --mode "$mode" --max-examples "$max_examples" --seed "$seed" --workers "$workers" \
    --generation-database none --suppress-health-check all \
    --request-timeout 60 --wait-for-schema 60 --no-color "$@"
