"""Scenario 3: practice quizzes answered with the keyboard alone.

The only non-keyboard step is focusing the first control of a question (element.focus(), as if the
learner had tabbed to it); after that every choice and every « Vérifier » goes through key presses.
"""
import pytest


def _tabuler_jusqu_a(lecon, cible, quoi: str, essais: int = 12) -> dict:
    """Press Tab until ``cible(focus)`` holds; fails listing every element the focus went through."""
    parcours = []
    for _ in range(essais):
        lecon.page.keyboard.press("Tab")
        focus = lecon.focus()
        parcours.append(f"{focus['tag']}[{focus['type']}] « {focus['libelle'][:50]} »")
        if cible(focus):
            return focus
    lecon.echec(f"Au clavier, Tab n'atteint pas {quoi} ; le focus est passé par : " + " → ".join(parcours))


def _vers_verifier(lecon, bloc_question: str) -> None:
    _tabuler_jusqu_a(lecon, lambda f: f["tag"] == "button" and f["libelle"] == "Vérifier",
                     f"le bouton « Vérifier » de {bloc_question}")


def _bloc(lecon, banque, quiz_id: str, question_id: str, numero: int):
    q = banque(quiz_id, question_id)
    quiz = lecon.sortie(f"Quiz d'entraînement : {q['titre']}")
    bloc = lecon.question(quiz, numero)
    lecon.attendre_texte(bloc, q["text"], f"l'énoncé de la question {question_id}")
    bloc.scroll_into_view_if_needed()
    return q, bloc, bloc.locator(".widget-html").last


def test_choix_unique_au_clavier(lecon, banque):
    q, bloc, retour = _bloc(lecon, banque, "m0-doctrine", "m0-doctrine-01", 1)
    bonne = next(c["text"] for c in q["choices"] if c["id"] == q["answer"])
    bloc.locator("input[type=radio]").first.focus()
    focus = lecon.focus()
    if focus["libelle"] != bonne:
        focus = _tabuler_jusqu_a(lecon, lambda f: f["type"] == "radio" and f["libelle"] == bonne,
                                 f"l'option « {bonne} »")
    lecon.page.keyboard.press("Space")
    if not lecon.focus()["coche"]:
        lecon.echec(f"La barre d'espace ne coche pas l'option radio « {bonne} ».")
    _vers_verifier(lecon, "la question à choix unique")
    lecon.page.keyboard.press("Enter")
    lecon.attendre_texte(retour, "Bonne réponse", "le verdict après Entrée sur « Vérifier »")
    lecon.capture("3-clavier-choix-unique", bloc)


def test_choix_multiple_au_clavier(lecon, banque):
    q, bloc, retour = _bloc(lecon, banque, "m0-doctrine", "m0-doctrine-02", 2)
    bonnes = {c["text"] for c in q["choices"] if c["id"] in q["answer"]}
    cases = bloc.locator("input[type=checkbox]")
    cases.first.focus()
    for numero in range(cases.count()):
        focus = lecon.focus()
        if focus["type"] != "checkbox":
            lecon.echec(f"Au clavier, la case n° {numero + 1} n'est pas atteinte par Tab (focus sur {focus}).")
        if focus["libelle"] in bonnes:
            lecon.page.keyboard.press("Space")
            if not lecon.focus()["coche"]:
                lecon.echec(f"La barre d'espace ne coche pas la case « {focus['libelle']} ».")
        if numero < cases.count() - 1:
            lecon.page.keyboard.press("Tab")
    _vers_verifier(lecon, "la question à choix multiple")
    lecon.page.keyboard.press("Space")
    lecon.attendre_texte(retour, "Bonne réponse", "le verdict après Espace sur « Vérifier »")
    lecon.capture("3-clavier-choix-multiple", bloc)


def test_liste_deroulante_au_clavier(lecon, banque):
    """Ordering question: one drop-down list per position, opened with Space, arrows, Enter to pick."""
    q, bloc, retour = _bloc(lecon, banque, "m0-editions", "m0-editions-01", 1)
    textes = {i["id"]: i["text"] for i in q["items"]}
    listes = bloc.locator("select")
    listes.first.focus()
    for position, element in enumerate(q["answer"]):
        liste = listes.nth(position)
        options = [t.replace("\xa0", " ").strip() for t in liste.locator("option").all_text_contents()]
        rang = options.index(textes[element])
        if lecon.focus()["tag"] != "select":
            lecon.echec(f"Au clavier, la liste de la position {position + 1} n'a pas le focus ({lecon.focus()}).")
        lecon.page.keyboard.press("Space")  # opens the list, starting on the current option
        for _ in range(rang - liste.evaluate("s => s.selectedIndex")):
            lecon.page.keyboard.press("ArrowDown")
        lecon.page.keyboard.press("Enter")
        choisi = liste.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
        if choisi != textes[element]:
            lecon.echec(f"Position {position + 1} : « {choisi} » choisi au clavier au lieu de « {textes[element]} ».")
        if position < len(q["answer"]) - 1:
            lecon.page.keyboard.press("Tab")
    _vers_verifier(lecon, "la question de remise en ordre")
    lecon.page.keyboard.press("Enter")
    lecon.attendre_texte(retour, "Bonne réponse", "le verdict après Entrée sur « Vérifier »")
    lecon.capture("3-clavier-liste-deroulante", bloc)


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "Anomalie connue : dans un notebook en mode commande, JupyterLab capte les flèches "
    "(notebook:move-cursor-down) quand le focus est sur une option radio ou une liste fermée ; les "
    "boutons radio d'ipywidgets n'ont de plus pas d'attribut name commun. Choix au clavier possible "
    "avec Tab + Espace (radio) ou Espace/Alt+Bas puis flèches + Entrée (liste)."))
@pytest.mark.parametrize("controle", ["radio", "liste"])
def test_les_fleches_choisissent_une_option(lecon, banque, controle):
    if controle == "radio":
        _, bloc, _ = _bloc(lecon, banque, "m0-maison", "m0-maison-06", 6)
        premier = bloc.locator("input[type=radio]").first
    else:
        _, bloc, _ = _bloc(lecon, banque, "m0-maison", "m0-maison-03", 3)
        premier = bloc.locator("select").first
    premier.focus()
    lecon.page.keyboard.press("ArrowDown")
    focus = lecon.focus()
    assert focus["tag"] in ("input", "select"), (
        f"La flèche bas a fait sortir le focus du contrôle ({controle}) : il est maintenant sur {focus}.")
    if controle == "radio":
        assert bloc.locator("input[type=radio]:checked").count() == 1, "La flèche bas n'a coché aucune option."
    else:
        assert premier.evaluate("s => s.selectedIndex") == 1, "La flèche bas n'a pas choisi l'option suivante."
