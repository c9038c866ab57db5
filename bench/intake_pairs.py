"""Intake against django-helpdesk, in pairs taken back to back (issue 17 item 3): the ratio of one day is
not comparable with another's on this machine (the peer's own CPU per ticket moved 2× between days), only
the two halves of one pair are.

    (cd ../shared/peers/django-helpdesk && ./setup.sh)          # the peer's venv, database, admin, queues
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/complaintdesk_intake_bench \\
        .venv/bin/python bench/intake_pairs.py --pairs 2 --count 5000 --clients 8

Runs `bench/peer_helpdesk.py` and `bench/intake.py` (each with its own gunicorn, same set-up) one after the
other, the peer first in odd pairs and second in even ones, and prints one Markdown row per pair: both
throughputs, their ratio, each side's server and PostgreSQL CPU per request, p95 and the load at the start
and end of the pair; then the median ratio. Each run's full figures are kept with `--keep DIR`.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchenv import ROOT

BENCH = ROOT / "bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=2, help="pairs to run (default 2)")
    parser.add_argument("--count", type=int, default=5000, help="requests per run (default 5000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--keep", help="a directory for each run's JSON figures (default: a temporary one)")
    return parser.parse_args()


def _run(script: str, out: Path, args: argparse.Namespace, env: dict) -> dict:
    command = [
        sys.executable,
        str(BENCH / script),
        "--count",
        str(args.count),
        "--clients",
        str(args.clients),
    ]
    completed = subprocess.run(
        [*command, "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if completed.returncode != 0 or not out.exists():
        sys.exit(
            f"{script} failed ({completed.returncode}):\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
        )
    return json.loads(out.read_text())


def main() -> None:
    args = parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL: the intake bench database (PostgreSQL), as for bench/intake.py")
    keep = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="intake-pairs-"))
    keep.mkdir(parents=True, exist_ok=True)
    ours_env = dict(os.environ)
    peer_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the peer has its own database
    print(
        "| pair | first | django-helpdesk tickets/s (server / PostgreSQL CPU ms, p95 ms) "
        "| ComplaintDesk complaints/s (server / PostgreSQL CPU ms, p95 ms) | ratio | load start → end |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    ratios = []
    for number in range(1, args.pairs + 1):
        load_start = os.getloadavg()[0]
        order = ["peer", "ours"] if number % 2 else ["ours", "peer"]
        figures = {}
        for side in order:
            out = keep / f"pair{number}-{side}.json"
            if side == "peer":
                figures[side] = _run("peer_helpdesk.py", out, args, peer_env)
            else:
                figures[side] = _run("intake.py", out, args, ours_env)
        peer, ours = figures["peer"], figures["ours"]
        ratio = ours["complaints_per_s"] / peer["tickets_per_s"]
        ratios.append(ratio)
        print(
            f"| {number} | {order[0]} "
            f"| {peer['tickets_per_s']} ({peer['server_cpu_ms_per_request']} / {peer['postgres_cpu_ms_per_request']},"
            f" {peer['p95_ms']}) "
            f"| {ours['complaints_per_s']} ({ours['server_cpu_ms_per_request']} / {ours['postgres_cpu_ms_per_request']},"
            f" {ours['p95_ms']}) "
            f"| **{ratio:.2f}×** | {load_start:.1f} → {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    print(f"\nmedian ratio {statistics.median(ratios):.2f}× over {len(ratios)} pairs; figures in {keep}")


if __name__ == "__main__":
    main()
