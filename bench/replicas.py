#!/usr/bin/env python3
"""Read throughput: one instance on the primary against two instances reading from a replica.

    cargo build --release
    python3 bench/replicas.py --operations 20000 --rounds 3

It makes a PostgreSQL primary and a streaming replica of its own in a temporary directory
(`initdb`, `pg_basebackup -R`, `pg_ctl` from /usr/lib/postgresql/*/bin, run as `postgres`
when this runs as root), generates a graph on the primary with `ctgraph generate`, waits for
the replica to replay it, and serves it four ways: A, one instance on the primary alone; B,
two instances, each with the replica as `--replica-url`; C, one of those alone; D, two
instances on the primary alone (which tells two processes from the replica). It checks they
answer the query alike, then drives it in alternating rounds with wrk (the peers'
wrk-post.lua, keep-alive): A and C with --concurrency connections, B and D with half of them
on each instance at once. For
each round: requests per second (B's summed), the worst p99, and the transactions each
database committed (pg_stat_database), which shows where the reads went. It prints the
medians and B's throughput as a multiple of A's. Nothing is kept; BENCHMARKS.md holds runs.
"""

import argparse
import glob
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(argv):
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def psql(port, sql, database="postgres"):
    return subprocess.run(["psql", "-Atq", f"postgres://postgres@127.0.0.1:{port}/{database}",
                           "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def post(port, query):
    body = json.dumps({"query": query}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                     headers={"content-type": "application/json"})
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
    sys.exit(f"replicas.py: nothing answers on port {port}")


def commits(port):
    return int(psql(port, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'ctgraph'"))


def wrk(ports, connections, body, lua, duration):
    """wrk on each of `ports` at once, `connections` each: requests, worst p99 (ms), seconds."""
    runs = [subprocess.Popen(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--latency", "-s", lua,
         f"http://127.0.0.1:{port}/graphql"],
        env={**os.environ, "BODY_FILE": body}, stdout=subprocess.PIPE, text=True) for port in ports]
    requests, p99, seconds = 0, 0.0, 0.0
    for run in runs:
        out, _ = run.communicate()
        line = next(l for l in out.splitlines() if l.startswith("WRKJSON "))
        summary = json.loads(line[len("WRKJSON "):])
        errors = sum(v for k, v in summary.items() if k.startswith("err_"))
        if errors:
            sys.exit(f"replicas.py: {errors} failed requests: {summary}")
        requests += summary["requests"]
        p99 = max(p99, summary["p99_us"] / 1000)
        seconds = max(seconds, summary["duration_us"] / 1e6)
    return requests, p99, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=20_000)
    parser.add_argument("--query", default=os.path.join(ROOT, "bench", "queries", "nested.graphql"))
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "ctgraph"))
    parser.add_argument("--lua", default=os.path.join(ROOT, "..", "shared", "peers", "wrk-post.lua"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve-arg", action="append", default=[],
                        help="passed to every `ctgraph serve` (e.g. --compiled-reads)")
    args = parser.parse_args()
    for tool in ("wrk", "psql", "runuser"):
        if not shutil.which(tool):
            sys.exit(f"replicas.py: needs `{tool}` on PATH")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        sys.exit("replicas.py: no initdb under /usr/lib/postgresql/*/bin")
    pg_bin = os.path.dirname(bins[-1])

    work = tempfile.mkdtemp(prefix="ctgraph-bench-replicas-")
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    primary, replica = free_port(), free_port()
    servers, data_dirs = [], []

    def pg_ctl(data, port, action):
        options = ["-o", f"-p {port} -k {work} -c listen_addresses=127.0.0.1",
                   "-l", f"{data}.log"] if action == "start" else ["-m", "fast"]
        subprocess.run(as_postgres([f"{pg_bin}/pg_ctl", "-D", data, "-w", *options, action]),
                       check=True, stdout=subprocess.DEVNULL)

    try:
        data = os.path.join(work, "primary")
        subprocess.run(as_postgres([f"{pg_bin}/initdb", "-U", "postgres", "--auth=trust",
                                    "-E", "UTF8", "-D", data]), check=True, stdout=subprocess.DEVNULL)
        pg_ctl(data, primary, "start")
        data_dirs.append((data, primary))
        psql(primary, "CREATE DATABASE ctgraph")
        url = f"postgres://postgres@127.0.0.1:{primary}/ctgraph"
        started = time.time()
        subprocess.run([args.bin, "generate", "--operations", str(args.operations),
                        "--database-url", url], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        print(f"generated {args.operations} operations in {time.time() - started:.1f} s")
        data = os.path.join(work, "replica")
        subprocess.run(as_postgres([f"{pg_bin}/pg_basebackup", "-h", "127.0.0.1", "-p",
                                    str(primary), "-U", "postgres", "-D", data, "-R", "-c", "fast", "-X",
                                    "stream"]), check=True)
        pg_ctl(data, replica, "start")
        data_dirs.append((data, replica))
        replica_url = f"postgres://postgres@127.0.0.1:{replica}/ctgraph"

        ports = {}
        for name, extra in (("A", []), ("A2", []), ("B1", ["--replica-url", replica_url]),
                            ("B2", ["--replica-url", replica_url])):
            # B1 alone is layout C: one instance reading from the replica; A and A2 together
            # are D: two instances on the primary alone.
            port = free_port()
            servers.append(subprocess.Popen(
                [args.bin, "serve", "--database-url", url, "--listen", f"127.0.0.1:{port}",
                 *extra, *args.serve_arg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            ports[name] = port
        for port in ports.values():
            wait_until_up(port)
        # The replica serves once it has replayed the generated graph.
        deadline = time.time() + 120
        while time.time() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{ports['B1']}/health/ready") as r:
                if json.loads(r.read())["replicas"][0]["status"] == "ok":
                    break
            time.sleep(0.5)
        else:
            sys.exit("replicas.py: the replica never caught up")

        text = open(args.query).read()
        answers = {name: post(port, text) for name, port in ports.items()}
        if any("errors" in a for a in answers.values()) or len({json.dumps(a, sort_keys=True) for a in answers.values()}) != 1:
            sys.exit("replicas.py: the servers do not answer alike")
        body = os.path.join(work, "body.json")
        with open(body, "w") as f:
            json.dump({"query": text}, f)
        os.chmod(body, 0o644)

        runs = {"A": [], "B": [], "C": [], "D": []}
        for round_ in range(args.rounds):
            for layout, targets, connections in (
                    ("A", [ports["A"]], args.concurrency),
                    ("B", [ports["B1"], ports["B2"]], args.concurrency // 2),
                    ("C", [ports["B1"]], args.concurrency),
                    ("D", [ports["A"], ports["A2"]], args.concurrency // 2)):
                before = commits(primary), commits(replica)
                requests, p99, seconds = wrk(targets, connections, body, args.lua, args.duration)
                after = commits(primary), commits(replica)
                runs[layout].append({"rps": requests / seconds, "p99_ms": p99,
                                     "primary_tx": after[0] - before[0],
                                     "replica_tx": after[1] - before[1]})
            print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
        medians = {layout: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
                   for layout, rs in runs.items()}
        print(f"\n{os.path.basename(args.query)}, {args.operations} operations, medians of "
              f"{args.rounds} rounds of {args.duration} s, {args.concurrency} connections in all, "
              f"{os.cpu_count()} cores")
        print(f"  {'layout':44} {'req/s':>8} {'p99 ms':>8} {'primary tx':>11} {'replica tx':>11}")
        labels = {"A": "A: one instance, primary only",
                  "B": "B: two instances, reads on the replica",
                  "C": "C: one instance, reads on the replica",
                  "D": "D: two instances, primary only"}
        for layout, m in medians.items():
            print(f"  {labels[layout]:44} {m['rps']:8.1f} {m['p99_ms']:8.1f} "
                  f"{m['primary_tx']:11.0f} {m['replica_tx']:11.0f}")
        print("  " + ", ".join(f"{layout} / A: {medians[layout]['rps'] / medians['A']['rps']:.2f}x"
                               for layout in ("B", "C", "D")))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()
        for data, port in reversed(data_dirs):
            pg_ctl(data, port, "stop")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
