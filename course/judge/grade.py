"""Trusted grading of one notebook: quiz marks from the answers file, code checks from the
sandbox's plain values compared with the reference solution's."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bank import load_quiz
from ..grading import mark_question
from .plain import same
from .plan import NotebookPlan, PlanError, job_cells
from .avance import claim
from .sandbox import Limits, RunReport, run

REFERENCE_FORMAT = 1


@dataclass
class CellResult:
    grade_id: str
    earned: float
    max_points: float
    lines: list[str]


@dataclass
class NotebookResult:
    cells: dict[str, CellResult] = field(default_factory=dict)
    run: RunReport | None = None

    @property
    def truncated(self) -> bool:
        return bool(self.run and any(r.get("truncated") for r in self.run.records.values()))


def _regular_non_notebook_files(folder: Path, target: Path) -> None:
    for entry in os.scandir(folder):
        if stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode) and not entry.name.endswith(".ipynb"):
            shutil.copyfile(entry.path, target / entry.name)


def reference_values(source: dict, plan: NotebookPlan, source_folder: Path, cache: Path | None = None,
                     limits: Limits = Limits()) -> dict[str, dict[str, Any]]:
    """``{grade id: {check: value}}`` from running the reference solution; checks the author's tests.

    Cached in ``cache`` (a private file) while the source notebook is unchanged.
    """
    digest = hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()
    if cache and cache.exists():
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored.get("source") == digest and stored.get("format") == REFERENCE_FORMAT:
            return stored["values"]
    if not plan.tests:
        values: dict[str, dict[str, Any]] = {}
    else:
        with tempfile.TemporaryDirectory(prefix="formation-reference-") as folder:
            _regular_non_notebook_files(source_folder, Path(folder))
            report = run({"cells": job_cells(source, plan, reference=True)}, Path(folder), limits=limits)
        values = {}
        by_grade = {r.get("grade_id"): r for r in job_cells(source, plan, reference=True) if r["kind"] == "checks"}
        for grade_id, test in plan.tests.items():
            record = report.records.get(by_grade[grade_id]["index"], {})
            if "error" in record:
                raise PlanError(f"cellule {grade_id} : la solution de référence lève {record['error']['ename']} "
                                f"({record['error']['evalue'][:200]}).")
            got = record.get("checks", {})
            for number, check in enumerate(test.checks):
                if str(number) not in got:
                    raise PlanError(f"cellule {grade_id} : la solution de référence n'a pas pu être évaluée "
                                    f"(bac à sable : {report.diagnostic.strip()[-500:] or 'aucun message'}).")
                passed = got.get(f"auteur-{number}") if check.hidden else got[str(number)]
                if passed is not True:
                    raise PlanError(f"cellule {grade_id} : la solution de référence échoue au test "
                                    f"« {check.message} ».")
            values[grade_id] = {str(n): got[str(n)] for n in range(len(test.checks))}
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        cache.write_text(json.dumps({"format": REFERENCE_FORMAT, "source": digest, "values": values}), encoding="utf-8")
        os.chmod(cache, 0o600)
    return values


def mark_tests(plan: NotebookPlan, expected: dict[str, dict[str, Any]], report: RunReport,
               job: list[dict]) -> dict[str, CellResult]:
    results = {}
    where = {cell["grade_id"]: cell["index"] for cell in job if cell["kind"] == "checks"}
    for grade_id, test in plan.tests.items():
        record = report.records.get(where.get(grade_id, -1))
        if record is None:
            why = ("le temps maximal de correction a été dépassé" if report.timed_out
                   else "l'exécution s'est arrêtée avant cette cellule")
            results[grade_id] = CellResult(grade_id, 0.0, test.points,
                                           [f"✗ Vérifications non exécutées : {why}. 0 point."])
            continue
        got = record.get("checks", {})
        failed = [check.message for n, check in enumerate(test.checks)
                  if not same(got.get(str(n), {"__absent__": True}), expected[grade_id][str(n)])]
        if "error" in record:
            failed.insert(0, f"Erreur pendant la vérification : {record['error']['ename']}.")
        if failed:
            lines = [f"✗ Vérification échouée : 0 sur {test.points:g} point(s)."]
            lines += [f"  – {message}" for message in dict.fromkeys(failed)]
            results[grade_id] = CellResult(grade_id, 0.0, test.points, lines)
        else:
            results[grade_id] = CellResult(grade_id, test.points, test.points,
                                           [f"✓ Toutes les vérifications sont réussies : {test.points:g} point(s)."])
    return results


def mark_quiz(plan: NotebookPlan, answers: dict, problem: str | None) -> dict[str, CellResult]:
    results = {}
    for grade_id, key in plan.quiz.items():
        earned, lines = mark_question(key.quiz_id, key.question_id, key.expected, key.points, answers, problem)
        question = load_quiz(key.quiz_id).question(key.question_id)
        results[grade_id] = CellResult(grade_id, earned, key.points, [f"Question : {question.text}", *lines])
    return results


def judge_notebook(notebook: dict, plan: NotebookPlan, expected: dict[str, dict[str, Any]], submission: Path,
                   answers: dict, answers_problem: str | None, hidden: list[Path] = (),
                   limits: Limits = Limits()) -> NotebookResult:
    """Grade a learner's notebook: their code in the sandbox, every decision here."""
    result = NotebookResult()
    result.cells.update(mark_quiz(plan, answers, answers_problem))
    job = job_cells(notebook, plan)
    # A copy already run ahead (``avance``, while nbgrader worked on the previous one) is
    # taken only if it ran exactly this job on exactly these files.
    result.run = claim({"cells": job}, submission, list(hidden), limits) \
        or run({"cells": job}, submission, hidden=list(hidden), limits=limits)
    result.cells.update(mark_tests(plan, expected, result.run, job))
    return result
