"""Scenario 2: the module 0 lesson, run entirely; its first practice quiz answered with the mouse."""


def test_quiz_d_entrainement_a_la_souris(lecon, banque):
    q = banque("m0-cadre", "m0-cadre-01")
    textes = {c["id"]: c["text"] for c in q["choices"]}
    fausse = next(i for i in textes if i != q["answer"])
    quiz = lecon.sortie(f"Quiz d'entraînement : {q['titre']}")
    bloc = lecon.question(quiz, 1)
    lecon.attendre_texte(bloc, q["text"], "l'énoncé de la question 1 du premier quiz")
    retour = bloc.locator(".widget-html").last

    # A wrong answer: the verdict, the bank's explanation and the source link.
    bloc.locator(".widget-radio-box label", has_text=textes[fausse]).click()
    bloc.get_by_role("button", name="Vérifier").click()
    lecon.attendre_texte(retour, "Ce n'est pas la bonne réponse", "le verdict d'une mauvaise réponse")
    texte = retour.text_content()
    if q["explanation"] not in texte:
        lecon.echec(f"L'explication de la banque n'apparaît pas sous la question ; affiché : « {texte} ».")
    lien = retour.locator(f"a[href='{q['source']}']")
    if not lien.count() or lien.get_attribute("target") != "_blank":
        lecon.echec(f"Le lien vers la source {q['source']} manque ou ne s'ouvre pas dans un nouvel onglet.")
    bloc.scroll_into_view_if_needed()
    lecon.capture("2-mauvaise-reponse", bloc)

    # Changing the answer clears the old verdict; the right answer is then confirmed.
    bloc.locator(".widget-radio-box label", has_text=textes[q["answer"]]).click()
    lecon.attendre(retour.filter(has_not_text="Ce n'est pas"), "l'effacement de l'ancien verdict",
                   etat="attached")
    bloc.get_by_role("button", name="Vérifier").click()
    lecon.attendre_texte(retour, "Bonne réponse", "le verdict d'une bonne réponse")
    lecon.attendre_texte(quiz, "1 question réussie", "le bilan du quiz")
    lecon.capture("2-bonne-reponse", bloc)
    lecon.capture("2-lecon")
