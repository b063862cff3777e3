"""Packaging: environment.yml agrees with pyproject.toml; the wheel ships the data, never a key."""
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def requirement_map(requirements) -> dict[str, str]:
    """{normalised name: version specifier} from PEP 508 strings."""
    result = {}
    for requirement in requirements:
        name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
        result[re.sub(r"[-_.]+", "-", name).lower()] = spec.replace(" ", "")
    return result


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = requirement_map(project["dependencies"] + project["optional-dependencies"]["test"])
    environment = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    listed = []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            listed += [p for p in entry["pip"] if not p.startswith("-e")]
        else:
            listed.append(entry)
    found = requirement_map(listed)
    python = found.pop("python")
    assert python == project["requires-python"]
    found.pop("pip")
    assert found == wanted


def test_wheel_ships_course_data_and_no_solution(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "course/_data/questions/m0-evaluation.yaml" in names
    assert "course/_data/concepts.yaml" in names
    assert not [n for n in names if n.startswith(("solutions/", "exercises/", "tests/"))
                or "reponses_quiz" in n]
