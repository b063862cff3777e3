"""The sandbox's report, read as hostile data: bounded, plain JSON, known shapes only."""
from __future__ import annotations

import json
from typing import Any

ALLOWED_MIME = ("text/plain", "image/png")  # learner HTML never reaches a trainer's browser
MAX_TEXT = 20_000
MAX_IMAGE = 1_400_000
MAX_OUTPUTS = 50
MAX_CHECKS = 200


def parse_record(line: bytes) -> dict | None:
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    if record.get("done") is True:
        return {"done": True}
    if record.get("ready") is True:
        return {"ready": True}
    index = record.get("index")
    if type(index) is not int or not 0 <= index < 100_000:
        return None
    clean: dict[str, Any] = {"index": index, "outputs": _outputs(record.get("outputs")),
                             "truncated": record.get("truncated") is True}
    checks = record.get("checks")
    if isinstance(checks, dict):
        clean["checks"] = {str(k)[:50]: v for k, v in list(checks.items())[:MAX_CHECKS]}
    error = record.get("error")
    if isinstance(error, dict):
        clean["error"] = {"ename": str(error.get("ename", ""))[:100], "evalue": str(error.get("evalue", ""))[:2000]}
    return clean


def _outputs(outputs: Any) -> list[dict]:
    clean = []
    if not isinstance(outputs, list):
        return clean
    for output in outputs[:MAX_OUTPUTS]:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream" and output.get("name") in ("stdout", "stderr") and isinstance(output.get("text"), str):
            # stderr is shown as stdout: nbgrader would read a stderr stream as a failed grade cell.
            clean.append({"output_type": "stream", "name": "stdout", "text": output["text"][:MAX_TEXT]})
        elif kind in ("display_data", "execute_result") and isinstance(output.get("data"), dict):
            data = {m: v for m, v in output["data"].items() if m in ALLOWED_MIME and isinstance(v, str)}
            data = {m: v[:MAX_TEXT] if m == "text/plain" else v for m, v in data.items()
                    if m == "text/plain" or len(v) <= MAX_IMAGE}
            if data:
                # Learner results are shown as display data: only the judge writes execute_result.
                clean.append({"output_type": "display_data", "data": data, "metadata": {}})
    return clean
