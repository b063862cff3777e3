"""The grading benchmark (benchmarks/grading.py) runs end to end on a few learners, so that it
cannot rot; its timings are not asserted (they depend on the machine), its grades are."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from course.nbgrader_settings import command_env

REPO = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_and_both_ways_give_the_same_grades():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "grading.py"), "3"], cwd=REPO,
                            env=command_env(), capture_output=True, text=True, timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "notes identiques" in output and "NOTES DIFFÉRENTES" not in output, output[-4000:]
    assert "s par copie" in output and "mémoire de pointe" in output
    assert re.fullmatch(r"ratio: \d+\.\d", result.stdout.strip().splitlines()[-1]), result.stdout[-500:]


def test_the_learner_side_benchmark_runs():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "learner_side.py"), "--modules=module0",
                             "--repetitions=1"], cwd=REPO, env=command_env(), capture_output=True, text=True,
                            timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "module0 : onglet Assignments" in output and "« Vérifier mon devoir »" in output, output[-4000:]
    assert re.fullmatch(r"ratio: \d+\.\d", result.stdout.strip().splitlines()[-1]), result.stdout[-500:]
