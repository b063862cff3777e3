"""Scenario 5: a learner alone fetches module 0, answers, checks, hands it in and reads the correction.

Everything on that path is French: the test reads the page text and the correction for nbgrader's
English strings. It runs in a lab whose root is a temporary copy of notebooks/ (see
conftest.lab_autonomie), so the learner's copy and personal course never land in the repository.
"""
import re

from .conftest import ARTEFACTS

PAGE = "notebooks/mes_devoirs.ipynb"
DEVOIR = "travail/module0/module0_evaluation.ipynb"
ANGLAIS = ("Assignments", "Validate", "Success", "Error fetching", "exchange directory", "Score:", "Test cell",
           "Grade cell", "Student's answer", "(Top)", "Written response", "Traceback")


def _pas_d_anglais(onglet, texte: str, ou: str) -> None:
    trouves = [mot for mot in ANGLAIS if mot in texte]
    if trouves:
        onglet.echec(f"Texte anglais de nbgrader visible ({ou}) : {trouves}")


def test_un_apprenant_seul_rend_son_devoir_et_lit_sa_correction(lab_autonomie, onglets, banque):
    apprenant = onglets(lab_autonomie)
    page = apprenant.page
    apprenant.ouvrir(PAGE)
    apprenant.executer_tout()
    ligne = apprenant.sortie("Devoir du module 0")
    ligne.get_by_role("button", name="Récupérer le devoir").first.click()
    apprenant.attendre_texte(ligne, "Devoir copié", "la copie du devoir dans travail/")
    if not (lab_autonomie.racine / DEVOIR).exists():
        apprenant.echec(f"{DEVOIR} n'a pas été créé par « Récupérer le devoir ».")

    # The learner's copy: answer one question, then « Vérifier mon devoir » lists what is missing.
    devoir = onglets(lab_autonomie)
    devoir.ouvrir(DEVOIR)
    devoir.executer_tout()
    question = banque("m0-evaluation", "m0-eval-06")
    quiz = devoir.sortie(f"Quiz noté : {question['titre']}")
    bloc = devoir.question(quiz, 6)
    bloc.locator(".widget-radio-box label").first.click()
    devoir.attendre_texte(bloc, "Réponse enregistrée", "la confirmation d'enregistrement")
    verification = devoir.sortie("Vérifier mon devoir")
    verification.get_by_role("button", name="Vérifier mon devoir").click()
    devoir.attendre_texte(verification, "pas terminé", "la liste de ce qui manque")
    texte = verification.inner_text()
    if "sans réponse" not in texte:
        devoir.echec(f"« Vérifier mon devoir » ne liste pas les questions sans réponse : {texte[:300]}")
    _pas_d_anglais(devoir, texte, "Vérifier mon devoir")
    devoir.menu("Fichier", "docmanager:save")
    devoir.attendre(devoir.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty"),
                    "l'enregistrement du notebook", etat="detached")
    devoir.capture("5-autonomie-devoir")
    devoir.page.close()

    # Hand it in from the French page: a grade within seconds, then the correction.
    page.bring_to_front()
    ligne = apprenant.sortie("Devoir du module 0")
    ligne.get_by_role("button", name="Rendre et voir ma note").first.click()
    apprenant.attendre_texte(ligne, "Note :", "la note après correction", delai=180_000)
    resultat = ligne.inner_text()
    note = re.search(r"Note : ([\d,]+) / ([\d,]+)", resultat)
    if not note or float(note.group(1).replace(",", ".")) > 1:
        apprenant.echec(f"Note inattendue pour une seule réponse au quiz : {resultat[:200]}")
    _pas_d_anglais(apprenant, page.locator("#jp-main-dock-panel").inner_text(), "la page Mes devoirs")
    apprenant.capture("5-autonomie-note")

    correction = onglets(lab_autonomie).page
    correction.goto(f"{lab_autonomie.base}/files/travail/module0/correction.html?token={lab_autonomie.token}")
    texte = correction.locator("body").inner_text()
    for attendu in ("Retour sur votre devoir", "Question 6 du quiz", "Votre réponse", "Bonne réponse",
                    "Pourquoi", "Source", "Corrigé et barème"):
        if attendu not in texte:
            apprenant.echec(f"La correction ne montre pas « {attendu} ».")
    _pas_d_anglais(apprenant, texte, "la correction")
    correction.set_viewport_size({"width": 390, "height": 844})  # a phone: lines wrap, no sideways scroll
    largeur = correction.evaluate("() => document.documentElement.scrollWidth")
    if largeur > 420:
        apprenant.echec(f"Sur un écran de téléphone, la correction déborde (largeur {largeur} px).")
    correction.locator("text=Bonne réponse").first.scroll_into_view_if_needed()
    correction.screenshot(path=str(ARTEFACTS / "5-autonomie-correction-telephone.png"))
    correction.close()
