#!/usr/bin/env python3
"""The ctgraph benchmark: a fixed query mix over HTTP, on SQLite and on PostgreSQL.

    cargo build --release
    python3 bench/run.py --operations 100000 --concurrency 16 --duration 10 --backend both

For each backend it generates a fresh database with `ctgraph generate --operations N`
(timed), starts `ctgraph serve` from the release binary, resolves the ids the queries need
through GraphQL, and then, for each query in bench/queries/*.graphql:

  1. sends it once, sequentially, and fails the query's row if the answer has `errors`;
  2. reads `ctgraph_sql_statements_total` from /metrics before and after single sequential
     requests: SQL statements per request (the nested query also at several page sizes);
  3. drives it with `oha` at --concurrency for --duration seconds: throughput, p50, p99,
     and every non-2xx answer or transport error (reported, never hidden);
  4. reads VmHWM (peak RSS since the server started) from /proc/<server>/status.

It prints a table per backend. Unless --no-write is given, it then REWRITES THE TRACKED
FILE BENCHMARKS.md (or --output PATH): the section between its markers
`<!-- bench/run.py: results start -->` and `<!-- bench/run.py: results end -->` is replaced
by this run's results, with the machine, date, versions, dataset size and command; a file
without the markers gets such a section appended. `git diff BENCHMARKS.md` shows the change.

Needs:
  - the release binary, target/release/ctgraph (`cargo build --release`, or --bin PATH);
  - Python 3.11 or newer (standard library only);
  - `oha` on PATH or in ~/.cargo/bin (`cargo install oha --locked`; run when missing,
    which the output says and which takes a few minutes);
  - for PostgreSQL runs (--backend postgres or both, the default): a server at --pg
    (default postgres://postgres@127.0.0.1:5432, trust auth) and its client `psql`, with
    which the tool creates and drops its own database.
The SQLite database is a temporary file, removed afterwards. The server and the load
generator share the machine's cores.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUERIES = os.path.join(ROOT, "bench", "queries")
MIX = ["node", "connection", "nested", "stats", "neighborhood", "path", "figures"]
MARK_START = "<!-- bench/run.py: results start -->"
MARK_END = "<!-- bench/run.py: results end -->"
# The variable that sets each paged query's page size, and the sizes at which its statement
# count is checked to be the same.
PAGED = {"nested": ("page", [2, 5, 10, 20]), "figures": ("first", [5, 20, 100])}
# Sequential requests per query (after one to warm up): statements and unloaded latency.
SEQUENTIAL_RUNS = 5
# Targets at 100,000 operations (see BENCHMARKS.md).
TARGET_NESTED_P99_MS = 50
TARGET_RSS_MB = 200
TARGET_GENERATE_S = 60
LINK_TABLES = ["operation_personnel", "operation_militants", "operation_organizations", "affiliations",
               "community_action_districts", "community_action_actors", "reported_figure_districts", "citations"]


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- HTTP to ctgraph

def post(port, query, variables, timeout=120):
    body = json.dumps({"query": query, "variables": variables}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", body, {"content-type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    took = time.perf_counter() - started
    try:
        data = json.loads(raw)
    except ValueError:
        data = {"errors": [{"message": f"HTTP {status}, not JSON: {raw[:200]!r}"}]}
    if status != 200 and "errors" not in data:
        data["errors"] = [{"message": f"HTTP {status}"}]
    return took, data


def statements(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("ctgraph_sql_statements_total "):
                return int(float(line.split()[1]))
    raise SystemExit("no ctgraph_sql_statements_total in /metrics")


def counted(port, query, variables):
    """One sequential request: (statements it ran, seconds, answer)."""
    before = statements(port)
    took, data = post(port, query, variables)
    return statements(port) - before, took, data


def gql(port, query):
    _, data = post(port, query, {})
    if "errors" in data:
        raise SystemExit(f"resolving variables failed: {data['errors'][0]}")
    return data["data"]


def error_text(data):
    e = data["errors"][0]
    code = (e.get("extensions") or {}).get("code", "")
    return f"{code}: {e.get('message', '')}".strip(": ")


# ---------------------------------------------------------------- process helpers

def proc_status(pid, key):
    """A kB field of /proc/<pid>/status (VmHWM, VmRSS), in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def ensure_oha():
    oha = shutil.which("oha") or (os.path.expanduser("~/.cargo/bin/oha") if os.path.exists(os.path.expanduser("~/.cargo/bin/oha")) else None)
    if oha:
        return oha
    log("oha is not on PATH: installing it with `cargo install oha --locked` (once; takes a few minutes)")
    subprocess.run(["cargo", "install", "oha", "--locked"], check=True)
    oha = shutil.which("oha") or os.path.expanduser("~/.cargo/bin/oha")
    if not os.path.exists(oha):
        raise SystemExit("oha was installed but is not on PATH: add ~/.cargo/bin to PATH")
    return oha


def run_oha(oha, port, body, concurrency, duration):
    """Drives one request body at `concurrency` for `duration` seconds; oha's JSON summary."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(body)
        body_file = f.name
    try:
        out = subprocess.run(
            [oha, "-c", str(concurrency), "-z", f"{duration}s", "-m", "POST",
             "-H", "content-type: application/json", "-D", body_file,
             "--no-tui", "--wait-ongoing-requests-after-deadline", "--output-format", "json",
             f"http://127.0.0.1:{port}/graphql"],
            capture_output=True, text=True)
    finally:
        os.unlink(body_file)
    if out.returncode != 0:
        raise SystemExit(f"oha failed ({out.returncode}): {out.stderr.strip()}")
    return json.loads(out.stdout)


# ---------------------------------------------------------------- one backend

class Database:
    """A fresh database for one run, removed afterwards."""

    def __init__(self, backend, pg):
        self.backend = backend
        self.tmpdir = None
        self.dbname = None
        self.pg = pg.rstrip("/")
        if backend == "sqlite":
            self.tmpdir = tempfile.mkdtemp(prefix="ctgraph-bench-")
            self.url = f"sqlite://{os.path.join(self.tmpdir, 'bench.db')}?mode=rwc"
        else:
            self.dbname = f"ctgraph_bench_{os.getpid()}"
            self.psql(f"DROP DATABASE IF EXISTS {self.dbname}")
            self.psql(f"CREATE DATABASE {self.dbname}")
            self.url = f"{self.pg}/{self.dbname}"

    def psql(self, sql, db="postgres", check=True):
        return subprocess.run(["psql", f"{self.pg}/{db}", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              capture_output=True, text=True, check=check)

    def size(self):
        if self.backend == "sqlite":
            return sum(os.path.getsize(os.path.join(self.tmpdir, f)) for f in os.listdir(self.tmpdir)) / 2**20
        out = self.psql(f"SELECT pg_database_size('{self.dbname}')", check=False)
        return int(out.stdout.strip() or 0) / 2**20

    def drop(self):
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        if self.dbname:
            self.psql(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)", check=False)


def generate(binary, url, operations, seed):
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "generate", "--operations", str(operations), "--seed", str(seed),
                             "--database-url", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"ctgraph generate failed:\n{err[-2000:]}")
    rows = {}
    for line in (out + err).splitlines():
        m = re.match(r"generate: (\w+) (\d+)/(\d+)$", line.strip())
        if m:
            rows[m.group(1)] = int(m.group(3))
    return took, rows


def start_server(binary, url, port, logfile):
    env = dict(os.environ)
    env.setdefault("RUST_LOG", "warn")
    server = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", url],
                              stdout=logfile, stderr=logfile, env=env)
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"ctgraph serve exited with {server.returncode}; see {logfile.name}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("ctgraph serve did not answer /health within 60 s")


def resolve_variables(port):
    """The ids each query of the mix needs, found through GraphQL by the generator's names."""
    d = gql(port, """{
      operations(filter: { title: { eq: "Synthetic operation 123" } }) { nodes { id } }
      personnel(filter: { name: { eq: "Synthetic officer 10" } }) { nodes { id } }
      militants(filter: { name: { eq: "Synthetic militant 4321" } }, first: 1) { nodes { id } }
      fallback: militants(filter: { name: { startsWith: "Synthetic militant 4" } }, first: 1) { nodes { id } }
      provinces(filter: { name: { eq: "Synthetic province 0" } }) { nodes { id } }
    }""")
    def one(nodes, what):
        if not nodes:
            raise SystemExit(f"no {what} in the generated graph")
        return nodes[0]["id"]
    operation = one(d["operations"]["nodes"], "Synthetic operation 123")
    officer = one(d["personnel"]["nodes"], "Synthetic officer 10")
    militant = one(d["militants"]["nodes"] or d["fallback"]["nodes"], "Synthetic militant 4…")
    province = one(d["provinces"]["nodes"], "Synthetic province 0")
    return {
        "node": ({"id": operation}, "Synthetic operation 123"),
        "connection": ({"from": "2024-01-01", "to": "2024-12-31", "province": province, "first": 50},
                       "2024, militantsKilled >= 1, in Synthetic province 0, first 50"),
        "nested": ({"page": 10}, "first: 10 at every level"),
        "stats": ({"from": "2024-01-01", "to": "2024-12-31"}, "2024, groupBy MONTH"),
        "neighborhood": ({"id": officer, "depth": 2, "first": 500}, "Synthetic officer 10, depth 2, first 500"),
        "path": ({"from": officer, "to": militant, "maxDepth": 6}, "Synthetic officer 10 to a militant, maxDepth 6"),
        "figures": ({"first": 20}, "first 20, with itemisedValue, itemisedUncertain and coverage"),
    }


def shape(name, data):
    """A few words on what the answer held, to show the query returned real rows."""
    d = data.get("data") or {}
    if name == "node":
        return "found" if d.get("node") else "null"
    if name == "connection":
        c = d["operations"]
        return f"{len(c['edges'])} of {c['totalCount']}"
    if name == "nested":
        ds = d["districts"]["nodes"]
        ops = [o for x in ds for o in x["operations"]["nodes"]]
        pers = [e for o in ops for e in o["personnel"]["edges"]]
        mil = [e for o in ops for e in o["militants"]["edges"]]
        aff = sum(len((e["node"]["organization"] or {}).get("affiliations", {}).get("nodes", [])) for e in pers + mil)
        return f"{len(ds)} districts, {len(ops)} ops, {len(pers)} personnel, {len(mil)} militants, {aff} affiliations"
    if name == "stats":
        return f"{len(d['operationStats'])} buckets"
    if name == "neighborhood":
        n = d["neighborhood"]
        return f"{len(n['nodes'])} nodes, {len(n['edges'])} edges" + (", truncated" if n["truncated"] else "")
    if name == "path":
        p = d["path"]
        return f"length {p['length']}" if p else "no path"
    if name == "figures":
        nodes = d["reportedFigures"]["nodes"]
        return f"{len(nodes)} figures, {sum(f['itemisedValue'] for f in nodes)} itemised"
    return ""


def bench_backend(backend, args, oha, binary, queries):
    log(f"\n== {backend} ==")
    result = {"backend": backend, "load_before": loadavg(), "rows": {}, "queries": []}
    db = Database(backend, args.pg)
    server = None
    logpath = os.path.join(tempfile.gettempdir(), f"ctgraph-bench-{backend}-{os.getpid()}.log")
    try:
        log(f"generating {args.operations} operations (seed {args.seed}) ... (load average {result['load_before']})")
        took, rows = generate(binary, db.url, args.operations, args.seed)
        result["generate_s"], result["rows"] = took, rows
        result["db_mb"] = db.size()
        log(f"generated {sum(rows.values()):,} rows in {took:.1f} s; database {result['db_mb']:.0f} MB")
        if backend == "postgres" and args.analyze:
            # `ctgraph generate` leaves the planner without statistics; autovacuum would gather
            # them within a minute or so in production, the benchmark starts at once.
            started = time.perf_counter()
            db.psql("ANALYZE", db=db.dbname)
            result["analyze_s"] = time.perf_counter() - started
            log(f"ANALYZE in {result['analyze_s']:.1f} s (what autovacuum would do soon after the load)")

        with open(logpath, "w") as logfile:
            server = start_server(binary, db.url, args.port, logfile)
            result["rss_idle_mb"] = proc_status(server.pid, "VmRSS")
            variables = resolve_variables(args.port)
            for name in queries:
                text = open(os.path.join(QUERIES, f"{name}.graphql")).read()
                vars_, label = variables.get(name, ({}, ""))
                row = {"name": name, "label": label}
                result["queries"].append(row)
                # Sequential: correctness, statements per request (warm: the second and third runs).
                counts, times = set(), []
                for i in range(SEQUENTIAL_RUNS + 1):
                    n, took, data = counted(args.port, text, vars_)
                    if "errors" in data:
                        row["error"] = error_text(data)
                        break
                    if i > 0:  # the first run warms the caches
                        counts.add(n)
                        times.append(took * 1000)
                if "error" in row:
                    log(f"  {name}: ERROR {row['error']} (skipped)")
                    continue
                row["statements"] = sorted(counts)
                row["seq_ms"] = statistics.median(times)
                row["shape"] = shape(name, data)
                if name in PAGED:
                    variable, pages = PAGED[name]
                    by_page = {}
                    for page in pages:
                        n, _, data = counted(args.port, text, {**vars_, variable: page})
                        by_page[page] = n if "errors" not in data else error_text(data)
                    row["statements_by_page"] = by_page
                # Under load.
                body = json.dumps({"query": text, "variables": vars_})
                cpu_before = cpu_seconds(server.pid)
                rep = run_oha(oha, args.port, body, args.concurrency, args.duration)
                cpu = cpu_seconds(server.pid) - cpu_before
                summary = rep.get("summary", {})
                pct = rep.get("latencyPercentiles", {})
                codes = {str(k): v for k, v in (rep.get("statusCodeDistribution") or {}).items()}
                errors = rep.get("errorDistribution") or {}
                ok = sum(v for k, v in codes.items() if k.startswith("2"))
                row.update({
                    "requests": sum(codes.values()) + sum(errors.values()),
                    "ok": ok,
                    "non2xx": {k: v for k, v in codes.items() if not k.startswith("2")},
                    "transport_errors": errors,
                    "rps": summary.get("requestsPerSec") or 0.0,
                    "p50_ms": (pct.get("p50") or float("nan")) * 1000,
                    "p99_ms": (pct.get("p99") or float("nan")) * 1000,
                    "server_cpu_ms": cpu * 1000 / ok if ok else float("nan"),
                    "rss_peak_mb": proc_status(server.pid, "VmHWM"),
                })
                # Once more after the load: still no errors?
                _, _, data = counted(args.port, text, vars_)
                if "errors" in data:
                    row["error"] = "after load: " + error_text(data)
                log("  " + format_row(row))
            result["rss_peak_mb"] = proc_status(server.pid, "VmHWM")
        result["load_after"] = loadavg()
        return result
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        db.drop()
        if os.path.exists(logpath) and os.path.getsize(logpath) == 0:
            os.unlink(logpath)


# ---------------------------------------------------------------- reporting

HEADER = ["query", "what", "answer", "SQL stmts/req", "alone ms", "req/s", "p50 ms", "p99 ms", "server CPU ms/req",
          "peak RSS MB", "errors"]


def cells(row):
    if "rps" not in row:
        return [row["name"], row["label"], "", "", "", "", "", "", "", "", row.get("error", "")]
    errs = []
    if row["non2xx"]:
        errs.append("non-2xx " + ", ".join(f"{k}: {v}" for k, v in row["non2xx"].items()))
    if row["transport_errors"]:
        errs.append(", ".join(f"{k}: {v}" for k, v in row["transport_errors"].items()))
    if row.get("error"):
        errs.append(row["error"])
    stm = "/".join(str(s) for s in row["statements"])
    if "statements_by_page" in row:
        stm += " (first " + ", ".join(f"{p}: {n}" for p, n in row["statements_by_page"].items()) + ")"
    return [row["name"], row["label"], row.get("shape", ""), stm, f"{row['seq_ms']:.1f}", f"{row['rps']:.0f}", f"{row['p50_ms']:.1f}",
            f"{row['p99_ms']:.1f}", f"{row['server_cpu_ms']:.1f}", f"{row['rss_peak_mb']:.0f}",
            "; ".join(errs) or f"0 of {row['requests']}"]


def format_row(row):
    c = cells(row)
    return " | ".join(f"{h}: {v}" for h, v in zip(HEADER, c) if v and h not in ("what",))


def text_table(rows):
    data = [HEADER] + [cells(r) for r in rows]
    keep = [i for i in range(len(HEADER)) if HEADER[i] not in ("what",)]
    widths = [max(len(str(r[i])) for r in data) for i in keep]
    return "\n".join("  ".join(str(r[i]).ljust(w) for i, w in zip(keep, widths)) for r in data)


def md_table(header, rows):
    esc = lambda s: str(s).replace("|", "\\|")
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 2**20
    return f"{os.cpu_count()} cores ({model}), {mem:.1f} GiB RAM, {platform.system()} {platform.release()}"


def versions(binary, oha, pg):
    def cmd(*a):
        try:
            return subprocess.run(a, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return "?"
    commit = cmd("git", "-C", ROOT, "rev-parse", "--short", "HEAD")
    dirty = cmd("git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no")
    bin_dir = os.path.dirname(os.path.abspath(binary))
    bin_commit = cmd("git", "-C", bin_dir, "rev-parse", "--short", "HEAD") if bin_dir else ""
    built = datetime.datetime.fromtimestamp(os.path.getmtime(binary), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with open(binary, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    return {
        "ctgraph": f"binary `{os.path.relpath(binary, ROOT) if binary.startswith(ROOT) else binary}` built {built} "
                   f"(sha256 {digest}" + (f", its tree at {bin_commit}" if bin_commit else "")
                   + f"); bench/ at {commit}{' (modified)' if dirty else ''}",
        "rustc": cmd("rustc", "--version"),
        "oha": cmd(oha, "--version"),
        "postgres": cmd("psql", f"{pg.rstrip('/')}/postgres", "-qAt", "-c", "SHOW server_version"),
        "python": platform.python_version(),
    }


def targets(results, args):
    at = args.operations == 100000 and args.concurrency == 16
    cond = "" if at else f" (run at {args.operations} operations, concurrency {args.concurrency}: not the target's conditions)"
    out = []
    for r in results:
        for q in r["queries"]:
            if "statements_by_page" not in q:
                continue
            by = q["statements_by_page"]
            same = len(set(by.values())) == 1 and all(isinstance(v, int) for v in by.values())
            out.append([f"{q['name']} query: SQL statements the same whatever the page size ({r['backend']})",
                        ", ".join(f"first {p}: {n}" for p, n in by.items()), "met" if same else "MISSED"])
    figures = {r["backend"]: next((q for q in r["queries"] if q["name"] == "figures" and "seq_ms" in q), None)
               for r in results}
    if figures.get("sqlite") and figures.get("postgres"):
        ratio = figures["postgres"]["seq_ms"] / figures["sqlite"]["seq_ms"]
        out.append(["figures query on PostgreSQL no slower than twice SQLite's (sequential median)",
                    f"{figures['postgres']['seq_ms']:.1f} ms against {figures['sqlite']['seq_ms']:.1f} ms: {ratio:.2f}x",
                    ("met" if ratio <= 2 else "MISSED") + cond])
    for r in results:
        if r["backend"] != "postgres":
            continue
        nested = next((q for q in r["queries"] if q["name"] == "nested" and "p99_ms" in q), None)
        if nested:
            p99 = nested["p99_ms"]
            met = p99 < TARGET_NESTED_P99_MS and not nested["non2xx"] and not nested["transport_errors"]
            out.append([f"nested query p99 < {TARGET_NESTED_P99_MS} ms at concurrency 16 on PostgreSQL",
                        f"{p99:.1f} ms at concurrency {args.concurrency}",
                        ("met" if met else f"MISSED by {p99 - TARGET_NESTED_P99_MS:.1f} ms ({p99 / TARGET_NESTED_P99_MS:.1f}x)") + cond])
    for r in results:
        peak = r.get("rss_peak_mb", float("nan"))
        out.append([f"peak RSS < {TARGET_RSS_MB} MB while serving ({r['backend']})", f"{peak:.0f} MB",
                    ("met" if peak < TARGET_RSS_MB else f"MISSED by {peak - TARGET_RSS_MB:.0f} MB") + cond])
    for r in results:
        g = r["generate_s"]
        out.append([f"`generate --operations 100000` < {TARGET_GENERATE_S} s ({r['backend']})", f"{g:.1f} s",
                    ("met" if g < TARGET_GENERATE_S else f"MISSED by {g - TARGET_GENERATE_S:.1f} s") + cond])
    return out


def markdown(results, args, command, ver, started):
    lines = [MARK_START, "",
             f"Run on {started:%Y-%m-%d %H:%M} UTC with `{command}`.", "",
             f"- machine: {machine()}; the load generator (oha) runs on the same cores as the server "
             f"(and, for PostgreSQL, the database)",
             *[f"- {k}: {v}" for k, v in ver.items()],
             f"- load: {args.concurrency} concurrent connections for {args.duration} s per query, "
             f"one query at a time; statements per request from single sequential requests"]
    for r in results:
        rows = r["rows"]
        links = sum(rows.get(t, 0) for t in LINK_TABLES)
        lines += ["", f"### {'SQLite' if r['backend'] == 'sqlite' else 'PostgreSQL'}", "",
                  f"Dataset: {args.operations:,} operations, {sum(rows.values()):,} rows "
                  f"({', '.join(f'{t} {n:,}' for t, n in rows.items() if n >= 1000)}; {links:,} in link tables), "
                  f"database {r['db_mb']:.0f} MB; generated in {r['generate_s']:.1f} s"
                  + (f", then `ANALYZE` in {r['analyze_s']:.1f} s" if "analyze_s" in r else
                     (" (no `ANALYZE`: planner statistics as `generate` leaves them)" if r["backend"] == "postgres" else ""))
                  + ". "
                  f"Load average before: {r['load_before']}, after: {r.get('load_after', '?')}. "
                  f"Server RSS idle after start {r.get('rss_idle_mb', float('nan')):.0f} MB, peak {r.get('rss_peak_mb', float('nan')):.0f} MB.",
                  "", md_table(HEADER, [cells(q) for q in r["queries"]])]
    lines += ["", "### Targets", "", md_table(["target (at 100,000 operations)", "measured", "met?"], targets(results, args)),
              "", MARK_END]
    return "\n".join(lines) + "\n"


def write_markdown(path, section):
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if MARK_START in text and MARK_END in text:
        head, rest = text.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1]
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n## Results\n\n" + section
    with open(path, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--operations", type=int, default=100000, help="operations to generate (about 11 rows each)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--duration", type=int, default=10, help="seconds of load per query")
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both",
                   help="backends to measure (default: both; postgres needs psql and a server at --pg)")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "ctgraph"), help="the ctgraph release binary")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (no database)")
    p.add_argument("--no-analyze", dest="analyze", action="store_false",
                   help="PostgreSQL: serve without running ANALYZE after generating (planner without statistics)")
    p.add_argument("--port", type=int, default=8391)
    p.add_argument("--queries", default=",".join(MIX), help="comma-separated subset of the mix")
    p.add_argument("--output", default=os.path.join(ROOT, "BENCHMARKS.md"), metavar="PATH",
                   help="the file whose results section is rewritten (default: the tracked BENCHMARKS.md)")
    p.add_argument("--no-write", action="store_true",
                   help="print the results only; leave BENCHMARKS.md (or --output) untouched")
    args = p.parse_args()

    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"no ctgraph binary at {binary}: build it first with `cargo build --release` "
                         f"(or pass --bin PATH)")
    queries = [q for q in args.queries.split(",") if q]
    for q in queries:
        if not os.path.exists(os.path.join(QUERIES, f"{q}.graphql")):
            raise SystemExit(f"no bench/queries/{q}.graphql")
    oha = ensure_oha()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not shutil.which("psql"):
        raise SystemExit("psql is needed for the PostgreSQL run")
    started = datetime.datetime.now(datetime.timezone.utc)
    command = "python3 bench/run.py " + " ".join(
        a if not a.startswith("/") else os.path.relpath(a, ROOT) if a.startswith(ROOT) else a for a in sys.argv[1:])
    ver = versions(binary, oha, args.pg)
    log(f"{machine()}; {started:%Y-%m-%d %H:%M} UTC; load average {loadavg()}")
    for k, v in ver.items():
        log(f"{k}: {v}")
    results = []
    built = os.path.getmtime(binary)
    for backend in backends:
        results.append(bench_backend(backend, args, oha, binary, queries))
    if os.path.getmtime(binary) != built:
        ver["ctgraph"] += " (WARNING: the binary was rebuilt during the run)"
        log("WARNING: the ctgraph binary was rebuilt during the run; its results mix two builds")
    for r in results:
        log(f"\n{r['backend']}: {sum(r['rows'].values()):,} rows generated in {r['generate_s']:.1f} s; "
            f"peak RSS {r['rss_peak_mb']:.0f} MB; load average {r['load_before']} -> {r['load_after']}")
        log(text_table(r["queries"]))
    log("\ntargets:")
    for t in targets(results, args):
        log(f"  {t[0]}: {t[1]} -> {t[2]}")
    if not args.no_write:
        write_markdown(args.output, markdown(results, args, command, ver, started))
        log(f"\nwritten to {os.path.relpath(args.output, os.getcwd())}")
    failed = any("error" in q or q.get("non2xx") or q.get("transport_errors") for r in results for q in r["queries"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
