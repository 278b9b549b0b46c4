#!/usr/bin/env python3
"""Measures `neighborhood` (depth 3) and `path` (maxDepth 6) on a generated graph: SQL
statements per request (from /metrics) and latency, sequentially, on a release build.

    python3 bench/explore.py [--operations 20000] [--backend sqlite|postgres|both]

Generates a fresh database per backend with `ctgraph generate`, serves it with
`ctgraph serve`, and prints one line per query. PostgreSQL: a server at 127.0.0.1:5432
with trust auth (user postgres); the script creates and drops its own database.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "ctgraph")
QUERIES = os.path.join(ROOT, "bench", "queries")


def post(port, query, variables):
    body = json.dumps({"query": query, "variables": variables}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"content-type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        data = json.loads(r.read())
    return time.perf_counter() - started, data


def statements(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as r:
        for line in r.read().decode().splitlines():
            if line.startswith("ctgraph_sql_statements_total "):
                return int(line.split()[1])
    raise SystemExit("no statement counter in /metrics")


def measure(port, name, variables, runs=7):
    query = open(os.path.join(QUERIES, f"{name}.graphql")).read()
    times, counts, data = [], set(), None
    for i in range(runs + 1):
        before = statements(port)
        took, data = post(port, query, variables)
        if "errors" in data:
            return {statements(port) - before}, [took * 1000], {"error": data["errors"][0]}
        counts.add(statements(port) - before)
        if i > 0:  # the first run warms the caches
            times.append(took * 1000)
    return counts, times, data["data"]


def one_id(port, query):
    _, data = post(port, query, {})
    return data["data"]


def run(backend, operations, port):
    if backend == "sqlite":
        path = os.path.join(tempfile.mkdtemp(), "bench.db")
        url = f"sqlite://{path}?mode=rwc"
        admin = None
    else:
        dbname = f"ctgraph_bench_{os.getpid()}"
        admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
        subprocess.run(admin + [f"CREATE DATABASE {dbname}"], check=True)
        url = f"postgres://postgres@127.0.0.1:5432/{dbname}"
    started = time.perf_counter()
    gen = subprocess.run([BIN, "generate", "--operations", str(operations), "--database-url", url],
                         capture_output=True, text=True)
    if gen.returncode != 0:
        raise SystemExit(gen.stderr)
    rows = {}
    for line in gen.stderr.splitlines():
        if line.startswith("generate: "):
            table, progress = line[len("generate: "):].split()
            rows[table] = int(progress.split("/")[1])
    links = sum(rows.get(t, 0) for t in ["operation_personnel", "operation_militants", "operation_organizations",
                                          "affiliations", "community_action_districts", "community_action_actors"])
    # Reference links: each operation's district, each person's organization and hometown,
    # each militant's organization and countries, each district's province.
    links += rows.get("operations", 0) + 2 * rows.get("personnel", 0) + 3 * rows.get("militants", 0) + rows.get("districts", 0)
    print(f"{backend}: generated {sum(rows.values())} rows, about {links} links, in {time.perf_counter() - started:.1f} s")
    server = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", url],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                time.sleep(0.1)
        officer = one_id(port, '{ personnel(filter: { name: { eq: "Synthetic officer 10" } }) { nodes { id } } }')["personnel"]["nodes"][0]["id"]
        militant = one_id(port, '{ militants(filter: { name: { startsWith: "Synthetic militant 4" } }, first: 1) { nodes { id } } }')["militants"]["nodes"][0]["id"]
        district = one_id(port, '{ districts(filter: { name: { eq: "Synthetic district 3" } }) { nodes { id } } }')["districts"]["nodes"][0]["id"]
        cases = [
            ("neighborhood", {"id": officer, "depth": 3, "first": 500}, "officer, depth 3, first 500"),
            ("neighborhood", {"id": district, "depth": 3, "first": 100}, "district, depth 3, first 100"),
            ("path", {"from": officer, "to": militant, "maxDepth": 6}, "officer to militant, maxDepth 6"),
            ("path", {"from": district, "to": militant, "maxDepth": 6}, "district to militant, maxDepth 6"),
        ]
        for name, variables, label in cases:
            counts, times, data = measure(port, name, variables)
            if "error" in data:
                e = data["error"]
                print(f"  {name} ({label}): {e['extensions']['code']}: {e['message']}; "
                      f"statements {sorted(counts)}; {times[0]:.1f} ms")
                continue
            result = data[name] or {}
            shape = (f"{len(result.get('nodes', []))} nodes, {len(result.get('edges', []))} edges"
                     + (f", truncated" if result.get("truncated") else "")
                     + (f", length {result['length']}" if "length" in result else "")) if result else "no path"
            print(f"  {name} ({label}): {shape}; statements {sorted(counts)}; "
                  f"p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms over {len(times)} runs")
    finally:
        server.terminate()
        server.wait()
        if admin:
            subprocess.run(admin + [f"DROP DATABASE {dbname}"], check=False)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--operations", type=int, default=20000)
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--port", type=int, default=8391)
    args = p.parse_args()
    if not os.path.exists(BIN):
        raise SystemExit("build first: cargo build --release")
    print(f"{os.uname().nodename}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        run(backend, args.operations, args.port)


if __name__ == "__main__":
    sys.exit(main())
