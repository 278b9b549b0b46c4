#!/usr/bin/env python3
"""Import speed: real ACLED rows, repeated to a size, imported on SQLite and on PostgreSQL.

    cargo build --release
    python3 bench/import.py --rows 100000 --backend both

Reads a real export (default ../shared/data/acled/afghanistan-2020-mar.csv), repeats its rows
until there are --rows of them, giving each copy its own `event_id_cnty` and `data_id` (so
every row is a new event; nothing else changes), and writes the file to a temporary folder.
Then, for each backend, it imports the file into a fresh database with the release binary,
twice: the first import writes everything (operations, community actions, unmapped records,
their links and citations), the second finds every row unchanged. It prints rows per second
for both, timed around the `ctgraph import` process (so migrating and seeding the empty
database count too), and the summary the command printed.

Needs the release binary (target/release/ctgraph, or --bin PATH), Python 3.11 or newer
(standard library only), and for PostgreSQL a server at --pg (default
postgres://postgres@127.0.0.1:5432, trust auth) with its client `psql`; the tool creates and
drops its own database. Nothing is written to the repository.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE.parent.parent / "shared" / "data" / "acled" / "afghanistan-2020-mar.csv"


def repeated(source: Path, rows: int, target: Path) -> None:
    """Writes `rows` rows of `source` to `target`, each copy of a row under new ids."""
    with source.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        originals = list(reader)
    at = {name: header.index(name) for name in ("event_id_cnty", "data_id") if name in header}
    with target.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        for n in range(rows):
            row = list(originals[n % len(originals)])
            copy = n // len(originals)
            if copy:
                for name, i in at.items():
                    row[i] = f"{row[i]}-{copy}" if name == "event_id_cnty" else str(10**9 + n)
            out.writerow(row)


def run_import(binary: str, url: str, path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [binary, "import", str(path), "--database-url", url],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"import failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--bin", default=str(HERE.parent / "target" / "release" / "ctgraph"))
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"no binary at {args.bin}: cargo build --release (or --bin PATH)")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="ctgraph-import-bench-") as work:
        path = Path(work) / f"{args.file.stem}-x{args.rows}.csv"
        repeated(args.file, args.rows, path)
        print(f"{args.rows} rows from {args.file.name} in {path.name}")
        for backend in backends:
            database = f"ctgraph_import_bench_{os.getpid()}"
            if backend == "sqlite":
                url = f"sqlite://{work}/bench.db?mode=rwc"
            else:
                subprocess.run(["psql", "-q", f"{args.pg}/postgres", "-c", f"CREATE DATABASE {database}"], check=True)
                url = f"{args.pg}/{database}"
            try:
                for label in ("first import", "again"):
                    elapsed, summary = run_import(args.bin, url, path)
                    print(f"{backend:8} {label:12} {elapsed:7.2f} s  {args.rows / elapsed:9.0f} rows/s")
                    print("    " + summary.replace("\n", "\n    "))
            finally:
                if backend == "postgres":
                    subprocess.run(
                        ["psql", "-q", f"{args.pg}/postgres", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
                        check=False,
                    )


if __name__ == "__main__":
    main()
