"""Runs inside the sandbox: execute a notebook's cells, evaluate check expressions, report.

Started as ``python -m course.judge.runner JOB.json``, unprivileged. It reports one JSON
line per cell on the file descriptor that was its standard output; the learner's own
prints are captured per cell, never mixed with the report. Everything here can be
tampered with by the learner's code, which runs in this process: the trusted side
treats the report as hostile data (sizes capped, plain JSON only, values compared
with the reference there, not here).
"""
from __future__ import annotations

import base64
import io
import json
import os
import signal
import sys
import traceback

from .plain import to_plain

MAX_TEXT_PER_CELL = 20_000
MAX_IMAGE_BYTES = 1_000_000
MAX_IMAGES_PER_CELL = 4
TRUNCATED = "\n[… sortie tronquée par la correction : {total} caractères au total]\n"


class CellTimeout(BaseException):
    """Raised in a cell that runs past its time (BaseException: ``except Exception`` won't hide it)."""


class Cell:
    """The outputs of one cell, bounded as they are produced."""

    def __init__(self):
        self.outputs: list[dict] = []
        self.text_total = 0
        self.truncated = False
        self.images = 0

    def add_stream(self, name: str, text: str) -> None:
        if not text:
            return
        room = MAX_TEXT_PER_CELL - self.text_total
        self.text_total += len(text)
        if room <= 0:
            self.truncated = True
            return
        if len(text) > room:
            text, self.truncated = text[:room], True
        if self.outputs and self.outputs[-1].get("output_type") == "stream" and self.outputs[-1]["name"] == name:
            self.outputs[-1]["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def add_data(self, output_type: str, data: dict) -> None:
        kept = {}
        for mime, value in data.items():
            if mime == "image/png" and self.images < MAX_IMAGES_PER_CELL and len(value) <= MAX_IMAGE_BYTES:
                kept[mime] = value
                self.images += 1
            elif mime in ("text/plain", "text/html") and isinstance(value, str):
                if len(value) > MAX_TEXT_PER_CELL:
                    value, self.truncated = value[:MAX_TEXT_PER_CELL], True
                kept[mime] = value
        if kept:
            output = {"output_type": output_type, "data": kept, "metadata": {}}
            if output_type == "execute_result":
                output["execution_count"] = None
            self.outputs.append(output)

    def finish(self) -> list[dict]:
        if self.truncated:
            self.outputs.append({"output_type": "stream", "name": "stdout",
                                 "text": TRUNCATED.format(total=self.text_total)})
        return self.outputs


class _Stream(io.TextIOBase):
    def __init__(self, runner: "Runner", name: str):
        self.runner, self.name = runner, name

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        if self.runner.cell is not None:
            self.runner.cell.add_stream(self.name, text)
        return len(text)


class Runner:
    def __init__(self, report_fd: int, cell_timeout: float):
        from IPython.core.interactiveshell import InteractiveShell

        self.report = os.fdopen(report_fd, "w", encoding="utf-8")
        self.cell_timeout = cell_timeout
        self.cell: Cell | None = None
        sys.stdout, sys.stderr = _Stream(self, "stdout"), _Stream(self, "stderr")
        self.shell = InteractiveShell.instance(colors="NoColor", history_length=0)
        self.shell.history_manager.enabled = False
        self.shell.display_pub.publish = self._publish
        self.shell.displayhook.write_output_prompt = lambda: None
        self.shell.displayhook.write_format_data = self._execute_result
        self.shell.showtraceback = lambda *args, **kwargs: None
        self.shell.showsyntaxerror = lambda *args, **kwargs: None
        self.namespace = self.shell.user_ns

    def _publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        if self.cell is not None:
            self.cell.add_data("display_data", dict(data))

    def _execute_result(self, format_dict, md_dict=None):
        if self.cell is not None:
            self.cell.add_data("execute_result", dict(format_dict))

    def _flush_figures(self) -> None:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        for number in pyplot.get_fignums():
            buffer = io.BytesIO()
            try:
                pyplot.figure(number).savefig(buffer, format="png", dpi=72)
                self.cell.add_data("display_data", {"image/png": base64.b64encode(buffer.getvalue()).decode(),
                                                    "text/plain": "<Figure>"})
            except Exception:  # a broken figure must not stop grading
                pass
        pyplot.close("all")

    def _alarm(self, signum, frame):
        raise CellTimeout()

    def run_code(self, source: str) -> dict | None:
        """Run a cell; returns the error (name, message) if it raised."""
        signal.signal(signal.SIGALRM, self._alarm)
        signal.setitimer(signal.ITIMER_REAL, self.cell_timeout)
        try:
            result = self.shell.run_cell(source, store_history=False, silent=False)
            error = result.error_before_exec or result.error_in_exec
        except CellTimeout:
            error = CellTimeout()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if isinstance(error, CellTimeout):
            error = TimeoutError(f"cellule interrompue après {self.cell_timeout:g} s")
        self._flush_figures()
        if error is None:
            return None
        return {"ename": type(error).__name__, "evalue": str(error)[:2000]}

    def evaluate(self, expression: str):
        signal.signal(signal.SIGALRM, self._alarm)
        signal.setitimer(signal.ITIMER_REAL, self.cell_timeout)
        try:
            return to_plain(eval(expression, self.namespace))  # noqa: S307 (inside the sandbox)
        except CellTimeout:
            return {"__erreur__": "TimeoutError"}
        except BaseException as exc:  # the learner's error, reported as data
            return {"__erreur__": type(exc).__name__}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def run_cell(self, cell: dict) -> dict:
        self.cell = Cell()
        record = {"index": cell["index"]}
        if cell["kind"] == "code":
            error = self.run_code(cell["source"])
            if error:
                record["error"] = error
        else:
            values, errors = {}, []
            for step in cell["steps"]:
                if "run" in step:
                    error = self.run_code(step["run"])
                    if error:
                        errors.append(error)
                else:
                    values[str(step["check"])] = self.evaluate(step["expression"])
            record["checks"] = values
            if errors:
                record["error"] = errors[0]
        record["outputs"] = self.cell.finish()
        record["truncated"] = self.cell.truncated
        self.cell = None
        return record

    def send(self, record: dict) -> None:
        self.report.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self.report.flush()


def serve(job_path: str, report_fd: int) -> None:
    """Run the job, reporting on ``report_fd``; the learner's fds 1 and 2 go nowhere."""
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    runner = Runner(report_fd, float(job.get("cell_timeout", 20)))
    runner.send({"ready": True})
    for cell in job["cells"]:
        try:
            runner.send(runner.run_cell(cell))
        except BaseException:  # never let one cell end the report
            runner.cell = None
            runner.send({"index": cell["index"], "error": {"ename": "ErreurInterne",
                                                            "evalue": traceback.format_exc(limit=1)[-500:]}})
    runner.send({"done": True})


def main() -> None:
    # The report keeps the real stdout; the learner's writes to file descriptors 1 and 2
    # (C code, os.write) go nowhere instead of corrupting it.
    serve(sys.argv[1], os.dup(1))


if __name__ == "__main__":
    main()
