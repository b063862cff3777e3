"""Every fictitious identifier the course shows obeys the rule the course teaches.

A worked example that breaks the course's own key rule is a defect (docs: MODULES.md). The scan covers
lessons, assignment sources and learner versions, question banks, the running case and the data sets.
An identifier that is wrong on purpose (an exercise's test input) must say so on its own line
(« clé fausse », « invalide »…), so that a reader, and this test, can tell it from a mistake.
"""
import csv
import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
TEXT_FILES = sorted(
    [p for folder in ("notebooks", "solutions", "exercises") for p in (REPO / folder).rglob("*.ipynb")
     if ".ipynb_checkpoints" not in p.parts]
    + sorted((DATA / "questions").glob("*.yaml")) + [DATA / "fil_rouge.yaml"] + sorted(DATA.glob("*.md"))
)
ON_PURPOSE = re.compile(r"fausse|faux|invalide|erron|mal form", re.IGNORECASE)
# A complete NIR of realistic shape: sex, year, month 01-12, department (2A/2B for Corsica), commune,
# order number, key. Numbers of another shape are not NIRs and are left alone.
NIR = re.compile(r"(?<![0-9A-Za-z])([12][0-9]{2}(?:0[1-9]|1[0-2])(?:[0-9]{2}|2[AB])[0-9]{6})([0-9]{2})(?![0-9A-Za-z])")
# RPPS numbers start with 10; an IdNat_PS is « 8 » followed by the RPPS.
RPPS = re.compile(r"(?<![0-9])8?(10[0-9]{9})(?![0-9])")


def luhn_ok(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def nir_key(first13: str) -> str:
    digits = first13[:5] + first13[5:7].replace("2A", "19").replace("2B", "18") + first13[7:]
    return f"{97 - int(digits) % 97:02d}"


def lines_of(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return [line for cell in cells for line in "".join(cell["source"]).splitlines()]
    return path.read_text(encoding="utf-8").splitlines()


def broken_identifiers(lines: list[str]) -> list[str]:
    problems = []
    for line in lines:
        if ON_PURPOSE.search(line):
            continue
        for first13, key in NIR.findall(line):
            if nir_key(first13) != key:
                problems.append(f"NIR {first13}{key} (clé attendue {nir_key(first13)}) : {line.strip()[:120]}")
        for rpps in RPPS.findall(line):
            if not luhn_ok(rpps):
                problems.append(f"RPPS {rpps} (clé de Luhn fausse) : {line.strip()[:120]}")
    return problems


def test_the_rules_catch_a_wrong_key():
    assert nir_key("1850520123456") == "06" and nir_key("284052A321025") == "52"
    assert broken_identifiers(['"value": "810001234567"']) and not broken_identifiers(['"value": "810002487618"'])
    assert broken_identifiers(["NIR 185052012345607"]) and not broken_identifiers(["NIR 185052012345606"])
    assert not broken_identifiers(["assert nir_valide('185052012345607') == False, 'clé fausse'"])


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_identifiers_shown_in_the_course_follow_their_rules(path):
    problems = broken_identifiers(lines_of(path))
    assert not problems, "\n".join(problems)


def test_running_case_finess_numbers_have_nine_characters():
    case = yaml.safe_load((DATA / "fil_rouge.yaml").read_text(encoding="utf-8"))
    numbers = [s[f] for s in case["structures"] for f in ("finess_ej", "finess_et") if f in s]
    assert numbers and all(len(n) == 9 and n.isalnum() for n in numbers), numbers


def test_well_formed_national_identifiers_of_the_data_set_have_valid_keys():
    # identifiants_fictifs.csv holds malformed identifiers on purpose (wrong length, letters, spaces…),
    # but a well-formed IdNat_PS must carry a real RPPS key and a well-formed IdNat_Struct a 9-character FINESS.
    with (DATA / "identifiants_fictifs.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["jeu"] for r in rows} == {"FICTIF"}
    rpps = [r["identifiant"][1:] for r in rows if re.fullmatch(r"8[0-9]{11}", r["identifiant"])]
    assert rpps and all(luhn_ok(n) for n in rpps), [n for n in rpps if not luhn_ok(n)]
    finess = [r["identifiant"][1:] for r in rows if r["porteur"] == "structure" and re.fullmatch(r"1[0-9A-Za-z]{9}", r["identifiant"])]
    assert finess and all(len(n) == 9 for n in finess)


def test_nirs_of_the_identity_data_set_match_their_traits():
    # identites_fictives.csv keeps wrong keys on purpose (exercise material, documented in its notice);
    # what must hold is the structure: sex, year and month of birth and birthplace as in the traits.
    with (DATA / "identites_fictives.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["nir"]]
    assert rows and {r["jeu"] for r in rows} == {"FICTIF"}
    for r in rows:
        assert len(r["nir"]) == 15, r["id_local"]
        if r["sexe"] in ("F", "M"):
            assert r["nir"][0] == ("2" if r["sexe"] == "F" else "1"), r["id_local"]
        if r["date_naissance"]:
            assert r["nir"][1:5] == r["date_naissance"][2:4] + r["date_naissance"][5:7], r["id_local"]
    valid = sum(nir_key(r["nir"][:13]) == r["nir"][13:] for r in rows if r["nir"][:13].replace("A", "0").replace("B", "0").isdigit())
    assert valid > len(rows) * 0.8, "la plupart des NIR du jeu doivent avoir une clé juste"
