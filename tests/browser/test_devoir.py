"""Scenario 4: the graded assignment keeps the quiz answers on disk and restores them after a kernel restart.

It runs in a second lab whose root is a temporary copy of exercises/module0 (see conftest.lab_devoir),
so the answers file never lands in the repository.
"""
import json

NOTEBOOK = "module0/module0_evaluation.ipynb"
CHOIX_UNIQUE = ("m0-eval-06", 6)   # answered by clicking a radio option
REPONSE_COURTE = ("m0-eval-07", 7)  # answered by typing, then Enter


def _numero_d_execution(quiz_cell) -> str:
    return quiz_cell.locator(".jp-InputArea-prompt").text_content().strip()


def test_devoir_reponses_enregistrees_et_restaurees(lab_devoir, onglets, banque):
    devoir = onglets(lab_devoir)
    page = devoir.page
    devoir.ouvrir(NOTEBOOK)
    devoir.executer_tout()
    q6 = banque("m0-evaluation", CHOIX_UNIQUE[0])
    titre = f"Quiz noté : {q6['titre']}"
    choix = next(c for c in q6["choices"] if c["id"] == "b")

    quiz = devoir.sortie(titre)
    bloc6, bloc7 = devoir.question(quiz, CHOIX_UNIQUE[1]), devoir.question(quiz, REPONSE_COURTE[1])
    bloc6.locator(".widget-radio-box label", has_text=choix["text"]).click()
    devoir.attendre_texte(bloc6, "Réponse enregistrée", "la confirmation d'enregistrement (question 6)")
    champ = bloc7.get_by_role("textbox", name="Votre réponse :")
    champ.fill("Convergence")
    champ.press("Enter")
    devoir.attendre_texte(bloc7, "Réponse enregistrée", "la confirmation d'enregistrement (question 7)")
    devoir.attendre_texte(quiz, "Questions répondues : 2 / 9", "le compteur de réponses")
    devoir.capture("4-devoir-repondu")

    fichier = lab_devoir.racine / "module0" / "reponses_quiz.json"
    if not fichier.exists():
        devoir.echec(f"Le fichier de réponses {fichier} n'a pas été créé à côté du notebook.")
    enregistre = json.loads(fichier.read_text(encoding="utf-8"))["quizzes"].get("m0-evaluation", {})
    lues = {qid: entry.get("answer") for qid, entry in enregistre.items()}
    attendu = {CHOIX_UNIQUE[0]: "b", REPONSE_COURTE[0]: "Convergence"}
    assert lues == attendu, f"reponses_quiz.json contient {lues} au lieu de {attendu}."

    cellule = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter(has_text=titre).first
    avant = _numero_d_execution(cellule)

    # « Noyau » → « Redémarrer le noyau… », confirmed in the dialog; then « Exécuter toutes les cellules ».
    devoir.menu("Noyau", "kernelmenu:restart")
    dialogue = devoir.attendre(page.locator(".jp-Dialog"), "la demande de confirmation du redémarrage")
    dialogue.locator(".jp-Dialog-button.jp-mod-accept").click()
    devoir.attendre(page.locator(".jp-Dialog"), "la fermeture du dialogue", etat="detached")
    devoir.executer_tout()

    quiz = devoir.sortie(titre)
    bloc6, bloc7 = devoir.question(quiz, CHOIX_UNIQUE[1]), devoir.question(quiz, REPONSE_COURTE[1])
    devoir.attendre_texte(bloc6, "Réponse restaurée depuis le fichier", "la restauration de la question 6")
    devoir.attendre_texte(bloc7, "Réponse restaurée depuis le fichier", "la restauration de la question 7")
    # A fresh kernel numbers the quiz cell 1 again; the same kernel would have given it a higher number.
    if avant != "[1]:":
        devoir.echec(f"Avant le redémarrage, la cellule du quiz est numérotée {avant} au lieu de [1]:.")
    devoir.attendre_texte(cellule.locator(".jp-InputArea-prompt"), "[1]:",
                          "la cellule du quiz exécutée par un noyau neuf (numéro [1]:)")
    coche = bloc6.locator("input[type=radio]:checked")
    if coche.count() != 1 or coche.evaluate("r => r.closest('label').textContent.trim()") != choix["text"]:
        devoir.echec(f"Après redémarrage, l'option « {choix['text']} » n'est pas cochée dans le widget.")
    valeur = bloc7.get_by_role("textbox", name="Votre réponse :").input_value()
    if valeur != "Convergence":
        devoir.echec(f"Après redémarrage, le champ de la question 7 contient « {valeur} » au lieu de « Convergence ».")
    devoir.attendre_texte(quiz, "Questions répondues : 2 / 9", "le compteur de réponses restauré")
    bloc6.scroll_into_view_if_needed()
    devoir.capture("4-devoir-restaure")
    devoir.capture("4-devoir-question-6", bloc6)
    page.close()
