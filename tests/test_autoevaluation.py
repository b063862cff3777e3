"""« Évaluer sa conformité »: the bank, scoring, the action plan's order, persistence, exports."""
import csv
import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from course import autoevaluation as ae
from course.bank import BankError
from course.lessons import LESSONS, headings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def bank():
    return ae.load_bank()


# --- the bank ------------------------------------------------------------------------------

def test_the_real_bank_is_valid_and_covers_every_axis_for_every_profile(bank):
    assert set(bank.axes) == {"securite", "interoperabilite", "ethique", "services-socles", "referentiels", "identite"}
    assert set(bank.profiles.values()) == {
        "éditeur de logiciel", "établissement de santé", "structure sociale ou médico-sociale"}
    for profile in bank.profiles:
        axes = {item.axis for item in bank.items_for(profile)}
        assert axes == set(bank.axes), profile
        # The notebook announces « 18 à 20 » questions per profile.
        assert 18 <= len(bank.items_for(profile)) <= 20, profile


def test_every_item_links_an_existing_lesson_section_and_french_sources(bank):
    for item in bank.items:
        assert item.section in headings(item.module), (item.id, item.section)
        assert item.lesson_link.startswith(LESSONS[item.module][0] + "#")
        assert all(u.startswith("https://") and "/en/" not in u for u in item.sources), item.id
        assert "non vérifié" not in item.why and "écart entre sources" not in item.why


def write(tmp_path, text, name="conformite.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_errors_name_file_item_and_field_in_french(tmp_path, bank):
    # Start from the real bank and break one item in three ways at once.
    content = (REPO / "data/autoevaluation/conformite.yaml").read_text(encoding="utf-8")
    broken = content.replace("    axe: securite\n", "    axe: securité\n", 1)
    broken = broken.replace("      - https://esante.gouv.fr/labels-certifications/hebergement-des-donnees-de-sante",
                            "      - esante.gouv.fr/hds", 1)
    broken = broken.replace("    section: 4.1 Quatre briques", "    section: 4.1 Cinq briques", 1)
    with pytest.raises(BankError) as error:
        ae.load_bank(write(tmp_path, broken))
    problems = error.value.problems
    assert any(p.startswith("conformite.yaml, item « sec-pgssi », champ « axe »") for p in problems), problems
    assert any("item « sec-hds », champ « sources »" in p and "URL" in p for p in problems), problems
    assert any("item « int-tests », champ « section »" in p and "n'est pas un titre" in p for p in problems), problems


def test_unknown_fields_missing_texts_and_english_pages_are_refused(tmp_path):
    path = write(tmp_path, """\
        id: conformite
        titre: Test
        edition: "2025"
        date_contenu: novembre 2026
        axes: {securite: Sécurité}
        profils: {editeur: éditeur de logiciel}
        importances: {1: utile}
        items:
          - id: a-1
            titre: Un
            axe: securite
            profils: [editeur]
            importance: 1
            question: Une question ?
            action: Faire.
            sources: [https://industriels.esante.gouv.fr/en/node/1]
            edition: "2025"
            module: 2
            section: 5.1 La PGSSI-S
            couleur: rouge
        """)
    with pytest.raises(BankError) as error:
        ae.load_bank(path)
    text = str(error.value)
    assert "item « a-1 », champ « couleur » : champ inconnu" in text
    assert "item « a-1 », champ « pourquoi »" in text
    assert "version /en/" in text


# --- scoring and plan ------------------------------------------------------------------------

def test_axis_scores_weight_by_importance_and_leave_out_not_applicable(bank):
    # Éditeur, sécurité: sec-pgssi (3), sec-hds (3), sec-passi (2).
    scores = {s.axis: s for s in ae.axis_scores(bank, "editeur", {
        "sec-pgssi": "oui", "sec-hds": "partiel", "sec-passi": "non"})}
    assert scores["securite"].score == round(100 * (3 * 1 + 3 * 0.5 + 2 * 0) / 8, 1)
    assert (scores["securite"].answered, scores["securite"].applicable, scores["securite"].gaps) == (3, 3, 2)
    assert scores["ethique"].score is None  # nothing answered
    # « Sans objet » leaves the item out of the score.
    scores = {s.axis: s for s in ae.axis_scores(bank, "editeur", {"sec-hds": "sans-objet", "sec-pgssi": "oui"})}
    assert scores["securite"].score == 100.0
    # Answers of another profile's items, or outside the scale, are ignored.
    scores = {s.axis: s for s in ae.axis_scores(bank, "editeur", {"sec-care": "non", "sec-pgssi": "peut-être"})}
    assert scores["securite"].score is None


def test_action_plan_puts_importance_first_then_non_before_partiel_then_bank_order(bank):
    answers = {
        "eth-eco": "non",           # importance 1, non
        "sec-passi": "partiel",     # importance 2, partiel
        "eth-cens": "non",          # importance 2, non (after sec-passi in the bank)
        "ss-mss": "partiel",        # importance 3, partiel
        "sec-hds": "non",           # importance 3, non
        "sec-pgssi": "partiel",     # importance 3, partiel (before ss-mss in the bank)
        "int-cisis": "oui",         # no gap
        "ref-rpps": "sans-objet",   # not a gap
    }
    plan = ae.action_plan(bank, "editeur", answers)
    assert [g.item.id for g in plan] == ["sec-hds", "sec-pgssi", "ss-mss", "eth-cens", "sec-passi", "eth-eco"]
    assert [g.rank for g in plan] == [1, 2, 3, 4, 5, 6]


def test_the_worked_example_is_fictitious_and_produces_its_plan(bank):
    example = ae.exemple()
    assert example.name == "Logidoc Santé" and example.profile == "editeur"
    plan = example.plan()
    assert plan and plan[0].item.importance == 3
    importances = [g.item.importance for g in plan]
    assert importances == sorted(importances, reverse=True)
    assert not ae.unanswered(bank, "editeur", example.answers)
    page = example._repr_html_()
    assert "FICTIF" in page and "Plan d'action priorisé" in page and "data:image/png;base64," in page
    assert "pas Convergence" in page


def test_radar_is_a_png(bank):
    png = ae.radar_png(ae.axis_scores(bank, "esms", {"id-ins": "oui"}))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


# --- the learner's questionnaire ----------------------------------------------------------------

def test_answers_are_saved_atomically_per_profile_and_restored(user_data_dir):
    first = ae.autoevaluation()
    assert first.path.parent == user_data_dir
    first.choose("etablissement")
    first.answer("id-ins", "partiel")
    first.answer("sec-care", "non")
    first.choose("esms")
    first.answer("id-ins", "oui")
    content = json.loads(first.path.read_text(encoding="utf-8"))
    assert content["evaluations"]["conformite:etablissement"]["reponses"] == {"id-ins": "partiel", "sec-care": "non"}
    assert content["profil"] == "esms"
    assert not list(user_data_dir.glob(".autoevaluation-*.tmp")), "fichier temporaire laissé"

    again = ae.autoevaluation()  # a re-run of the cell: last profile and its answers come back
    assert again.profile == "esms" and again.answers() == {"id-ins": "oui"}
    again.choose("etablissement")
    assert again.answers() == {"id-ins": "partiel", "sec-care": "non"}
    assert "Plan d'action" in again.results.value and "Programme CaRE" in again.results.value


def test_a_headless_run_writes_nothing(user_data_dir):
    ae.autoevaluation()
    assert not (user_data_dir / ae.ANSWERS_FILENAME).exists()


def test_a_corrupt_answers_file_is_set_aside_with_a_french_message(user_data_dir):
    path = user_data_dir / ae.ANSWERS_FILENAME
    path.write_text('{"evaluations": {"conformite:editeur": ', encoding="utf-8")
    view = ae.autoevaluation()
    assert "illisible" in view.banner.value and "mis de côté" in view.banner.value
    aside = list(user_data_dir.glob("autoevaluation.illisible-*.json"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8").startswith('{"evaluations"')
    view.choose("editeur")
    view.answer("ss-mss", "oui")
    assert json.loads(path.read_text(encoding="utf-8"))["evaluations"]["conformite:editeur"]["reponses"] == {"ss-mss": "oui"}


def test_wrong_answers_are_refused_in_french():
    view = ae.autoevaluation()
    with pytest.raises(ValueError, match="profil"):
        view.answer("sec-hds", "oui")
    view.choose("editeur")
    with pytest.raises(KeyError, match="sec-care"):
        view.answer("sec-care", "oui")  # not an item of this profile
    with pytest.raises(ValueError, match="Réponse impossible"):
        view.answer("sec-hds", "bof")


# --- exports ---------------------------------------------------------------------------------

def test_exports_contain_what_the_answers_imply(tmp_path):
    view = ae.autoevaluation()
    view.choose("editeur")
    view.answer("sec-hds", "non")
    view.answer("id-psc", "partiel")
    view.answer("int-cisis", "oui")
    view.answer("ref-rpps", "sans-objet")
    html_path, csv_path = view.export(tmp_path)
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "pas Convergence" in page and "édition 2025" in page
    assert page.index("Hébergement certifié HDS") < page.index("Connexion par Pro Santé Connect")  # plan order
    assert "https://esante.gouv.fr/labels-certifications/hebergement-des-donnees-de-sante" in page
    assert "Module 2 — Référentiels, § 5.2 La certification HDS" in page
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["item"]: row for row in csv.DictReader(handle, delimiter=";")}
    assert set(rows) == {i.id for i in view.bank.items_for("editeur")}
    assert (rows["sec-hds"]["reponse"], rows["sec-hds"]["points"], rows["sec-hds"]["rang_plan"]) == ("Non", "0", "1")
    assert (rows["id-psc"]["reponse"], rows["id-psc"]["rang_plan"]) == ("En partie", "2")
    assert (rows["int-cisis"]["points"], rows["int-cisis"]["rang_plan"]) == ("1", "")
    assert rows["ref-rpps"]["reponse"] == "Sans objet" and rows["ref-rpps"]["points"] == ""
    assert rows["eth-eco"]["reponse"] == "sans réponse"


def test_the_export_button_writes_in_the_export_folder_and_offers_downloads(user_data_dir):
    view = ae.autoevaluation()
    view.choose("esms")
    view.answer("id-mie", "non")
    view.export_button.click()
    folder = user_data_dir / "travail" / "bilans"  # COURS_DNS_TRAVAIL, set by conftest
    assert len(list(folder.glob("autoevaluation_esms_*.html"))) == 1
    assert len(list(folder.glob("autoevaluation_esms_*.csv"))) == 1
    assert "download=" in view.export_status.value


def test_default_export_folder_is_the_ignored_travail_folder(monkeypatch):
    monkeypatch.delenv("COURS_DNS_TRAVAIL")
    from course.user_data import export_dir
    assert export_dir() == REPO / "travail" / "bilans"
    assert subprocess.run(["git", "check-ignore", "-q", "travail/bilans/autoevaluation_editeur.html"],
                          cwd=REPO).returncode == 0
