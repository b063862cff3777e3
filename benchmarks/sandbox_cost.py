"""What the sandbox costs per submission (issue: hostile learners; grading speed builds on it).

Runs the same judge job — module 0's reference solution, every code cell and check — N
times fully sandboxed (dedicated account, namespaces, hidden folders, limits, sweep) and
N times with limits only, in the same process, and prints seconds per run and the ratio.

    .venv/bin/python benchmarks/sandbox_cost.py [N]      (as root for the full sandbox)
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from course.judge.plan import job_cells, read_plan
from course.judge.sandbox import isolation_mode, run
from course.release import SOURCES


def timed(job: dict, folder: Path, runs: int, unconfined: bool) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        report = run(job, folder, unconfined=unconfined)
        seconds.append(time.perf_counter() - started)
        assert report.complete, "le travail de référence n'est pas allé au bout"
    return seconds


def main(runs: int) -> None:
    source_path = SOURCES / "module0" / "module0_evaluation.ipynb"
    source = json.loads(source_path.read_text(encoding="utf-8"))
    job = {"cells": job_cells(source, read_plan(source), reference=True)}
    with tempfile.TemporaryDirectory() as folder:
        timed(job, Path(folder), 1, unconfined=True)  # warm the file cache for both
        plain = timed(job, Path(folder), runs, unconfined=True)
        boxed = timed(job, Path(folder), runs, unconfined=False)
    print(f"bac à sable ({isolation_mode()}) : médiane {statistics.median(boxed):.2f} s par copie "
          f"(min {min(boxed):.2f}, max {max(boxed):.2f})")
    print(f"sans isolement (limites seules) : médiane {statistics.median(plain):.2f} s par copie "
          f"(min {min(plain):.2f}, max {max(plain):.2f})")
    print(f"surcoût de l'isolement : {statistics.median(boxed) - statistics.median(plain):+.2f} s par copie")
    print(f"ratio: {statistics.median(boxed) / statistics.median(plain):.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
