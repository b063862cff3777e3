"""nbgrader's Execute step replaced by the judge, so nbgrader stays the system of record.

During ``autograde``, after nbgrader has restored the locked cells, this runs the
learner's copy in the sandbox and writes into each grade cell the points decided here,
as the cell's only result (nbgrader's SaveAutoGrades then records them). Nothing the
learner's code prints or does can change a grade cell's output.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from nbformat.notebooknode import from_dict
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from ..answers_store import ANSWERS_FILENAME, CorruptAnswersFile, read_answers
from . import JUDGE_FOLDER
from ..nbgrader_settings import CELL_TIMEOUT_SECONDS
from .grade import judge_notebook, reference_values
from .sandbox import Limits
from .plan import job_cells, nbgrader_meta, read_plan


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _answers(folder: Path) -> tuple[dict, str | None]:
    path = folder / ANSWERS_FILENAME
    try:
        answers = read_answers(path)
    except CorruptAnswersFile as exc:
        return {}, f"Fichier de réponses {ANSWERS_FILENAME} illisible ({exc})"
    if not path.exists():
        return {}, f"Aucun fichier de réponses {ANSWERS_FILENAME} (quiz non rempli ou fichier supprimé)"
    return answers, None


def settle_grade_cells(nb, source: dict, plan) -> None:
    """One cell per trusted grade id: duplicates and unknown ids lose their grade metadata,
    deleted grade cells come back at the end (graded there, and flagged by formation)."""
    seen = set()
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if not nbgrader_meta(cell).get("grade"):
            continue
        if grade_id in plan.grade_ids and grade_id not in seen:
            seen.add(grade_id)
        else:
            cell.metadata.pop("nbgrader", None)
    for cell in source.get("cells", []):
        meta = nbgrader_meta(cell)
        if meta.get("grade") and meta.get("grade_id") not in seen:
            restored = copy.deepcopy(cell)
            if meta.get("solution"):
                restored["source"] = "(réponse supprimée par l'apprenant)"
            if restored.get("cell_type") == "code":
                restored["outputs"], restored["execution_count"] = [], None
            nb.cells.append(from_dict(restored))


@dataclass
class Setting:
    """Everything the judge needs about one learner's notebook, from nbgrader's configuration."""
    root: Path
    source: dict
    source_folder: Path
    plan: object
    submitted: Path
    hidden: list
    limits: Limits

    def reference(self, assignment: str, notebook: str) -> dict:
        """The checks' values on the reference solution (cached in the session while the source is unchanged)."""
        cache = self.root / JUDGE_FOLDER / "references" / assignment / f"{notebook}.json"
        return reference_values(self.source, self.plan, self.source_folder, cache)

    def job(self, nb) -> dict:
        """The sandbox's job for ``nb`` once its grade cells are settled (``nb`` is changed)."""
        settle_grade_cells(nb, self.source, self.plan)
        return {"cells": job_cells(json.loads(json.dumps(nb)), self.plan)}


def setting(config, assignment: str, student: str, notebook: str) -> Setting:
    coursedir = CourseDirectory(config=config)
    source_path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook}.ipynb"
    source = json.loads(source_path.read_text(encoding="utf-8"))
    root = Path(coursedir.root)
    exchange = config.get("Exchange", {}).get("root")
    # The per-cell time limit is nbgrader's own setting (c.Execute.timeout), kept for the judge.
    timeout = config.get("Execute", {}).get("timeout") or CELL_TIMEOUT_SECONDS
    return Setting(root, source, source_path.parent, read_plan(source),
                   Path(coursedir.format_path(coursedir.submitted_directory, student, assignment)),
                   [root] + ([Path(exchange)] if exchange else []), Limits(cell_seconds=float(timeout)))


class JudgeExecute(NbGraderPreprocessor):
    """Drop-in replacement for ``nbgrader.preprocessors.Execute``."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment, student, notebook = info["assignment"], info["student"], info["notebook"]
        here = setting(self.config, assignment, student, notebook)
        root, plan = here.root, here.plan
        expected = here.reference(assignment, notebook)
        answers, problem = _answers(here.submitted)
        settle_grade_cells(nb, here.source, plan)
        result = judge_notebook(json.loads(json.dumps(nb)), plan, expected, here.submitted, answers, problem,
                                here.hidden, here.limits)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            grade_id = nbgrader_meta(cell).get("grade_id")
            record = result.run.records.get(index, {}) if result.run else {}
            cell.execution_count = None
            if grade_id in result.cells:
                marked = result.cells[grade_id]
                cell.outputs = [from_dict(_stream("\n".join(marked.lines) + "\n")),
                                from_dict({"output_type": "execute_result", "execution_count": None, "metadata": {},
                                           "data": {"text/plain": f"{marked.earned:g}"}})]
                continue
            outputs = list(record.get("outputs", []))
            if "error" in record:
                error = record["error"]
                outputs.append(_stream(f"Erreur : {error['ename']} : {error['evalue']}\n"))
            cell.outputs = [from_dict(o) for o in outputs]
        self._record(root, assignment, student, notebook, result)
        return nb, resources

    def _record(self, root: Path, assignment: str, student: str, notebook: str, result) -> None:
        """What the trainer is told about this run (formation reads it), kept private."""
        folder = root / JUDGE_FOLDER / "copies" / assignment / student
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        run = result.run
        summary = {"notebook": notebook, "isolement": run.isolation if run else "",
                   "secondes": round(run.seconds, 2) if run else 0, "complet": bool(run and run.complete),
                   "temps_depasse": bool(run and run.timed_out), "sortie_trop_grosse": bool(run and run.overflow),
                   "tronque": result.truncated}
        (folder / f"{notebook}.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
