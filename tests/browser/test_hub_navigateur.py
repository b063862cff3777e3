"""A learner on the course's JupyterHub, in a real browser: the French login page, the lab in French,
a lesson's practice quiz run and answered with its instant French feedback.

Runs in « make test-hub » (root, COURS_DNS_TEST_HUB=1) on the hub of tests/hub_support.py, with the
Chromium of the other browser tests (tests/browser/conftest.py). The learner's server is stopped first,
so the login goes through the hub's « server starting » page as on the first morning of a session.
"""
from __future__ import annotations

import re
import time

import pytest

from hub_support import MEASURES, TRAINER, pss_mib, run, skip_unless_enabled

from .conftest import Onglet

pytestmark = pytest.mark.hub
skip_unless_enabled()

LEARNER = "hubjuste"
LESSON = "cours/module0_doctrine.ipynb"  # copied into ~/cours at the learner's first login


class LabDuHub:
    """What Onglet needs of a lab: the address of a notebook in this learner's JupyterLab behind the hub
    (the browser is authenticated by the hub's cookie, no token in the address)."""

    def __init__(self, hub, name: str):
        self.base = f"{hub.base}/user/{name}"

    def url(self, chemin: str) -> str:
        return f"{self.base}/lab/tree/{chemin}?reset"


def test_un_apprenant_se_connecte_au_hub_et_fait_un_quiz(hub, navigateur, banque):
    for name in (TRAINER, LEARNER):
        if name not in hub.tokens:
            hub.login(name)
    # The trainer (the hub's admin) stops the learner's server: the login below starts it again.
    assert hub.api("DELETE", f"/hub/api/users/{LEARNER}/server", TRAINER).status_code in (202, 204)
    deadline = time.monotonic() + 60
    while hub.api("GET", f"/hub/api/users/{LEARNER}", TRAINER).json()["servers"]:
        assert time.monotonic() < deadline, f"le serveur de {LEARNER} ne s'arrête pas\n{hub.log()}"
        time.sleep(0.5)

    page = navigateur.new_page()
    apprenant = Onglet(page, LabDuHub(hub, LEARNER))
    page.goto(f"{hub.base}/hub/login")
    apprenant.attendre_texte(page.locator("h1"), "Connexion à la formation", "la page de connexion en français")
    page.locator("#username_input").fill(LEARNER)
    page.locator("#password_input").fill(hub.passwords[LEARNER])
    started = time.monotonic()
    page.get_by_role("button", name="Se connecter").click()

    # The hub starts the learner's JupyterLab and opens it, in French.
    menus = page.locator("#jp-menu-panel .lm-MenuBar-item")
    apprenant.attendre_texte(menus, "Fichier", "le JupyterLab de l'apprenant, menus en français", delai=180_000)
    MEASURES["navigateur : connexion jusqu'au JupyterLab prêt (s)"] = round(time.monotonic() - started, 1)
    if not re.search(rf"/user/{LEARNER}/lab", page.url):
        apprenant.echec(f"Après la connexion, le navigateur n'est pas dans le JupyterLab de {LEARNER}.")
    titres = [t.strip() for t in menus.all_inner_texts()]
    if not {"Fichier", "Édition", "Affichage", "Exécution", "Noyau"} <= set(titres) or "File" in titres:
        apprenant.echec(f"Menus de JupyterLab attendus en français, trouvés : {titres}")
    apprenant.capture("hub-1-jupyterlab")

    # A lesson of the course with its practice quiz, run in the learner's own kernel.
    apprenant.ouvrir(LESSON)
    apprenant.executer_tout()
    q = banque("m0-cadre", "m0-cadre-01")
    textes = {c["id"]: c["text"] for c in q["choices"]}
    fausse = next(i for i in textes if i != q["answer"])
    quiz = apprenant.sortie(f"Quiz d'entraînement : {q['titre']}")
    bloc = apprenant.question(quiz, 1)
    retour = bloc.locator(".widget-html").last
    bloc.locator(".widget-radio-box label", has_text=textes[fausse]).click()
    bloc.get_by_role("button", name="Vérifier").click()
    apprenant.attendre_texte(retour, "Ce n'est pas la bonne réponse", "le verdict d'une mauvaise réponse")
    if q["explanation"] not in retour.text_content():
        apprenant.echec("L'explication de la banque n'apparaît pas sous la question.")
    bloc.locator(".widget-radio-box label", has_text=textes[q["answer"]]).click()
    bloc.get_by_role("button", name="Vérifier").click()
    apprenant.attendre_texte(retour, "Bonne réponse", "le verdict d'une bonne réponse")
    apprenant.capture("hub-2-quiz", bloc)
    # A learner's real cost: their JupyterLab and a kernel that ran a whole lesson (pandas, widgets).
    MEASURES["mémoire de l'apprenant après la leçon du module 0 (PSS, Mio)"] = round(pss_mib(LEARNER))
    # RSS too: in a Kubernetes pod (deploy/k8s) nothing is shared with other learners.
    rss = run(["ps", "-u", LEARNER, "-o", "rss="]).stdout.split()
    MEASURES["mémoire de l'apprenant après la leçon du module 0 (RSS, Mio)"] = round(sum(map(int, rss)) / 1024)

    # The hub's home page, in French too.
    page.goto(f"{hub.base}/hub/home")
    apprenant.attendre_texte(page.locator("#start"), "Ouvrir mon serveur", "l'accueil du hub en français")
    barre = page.locator("nav").inner_text()
    if "Se déconnecter" not in barre or "Logout" in barre:
        apprenant.echec(f"Barre de navigation du hub attendue en français : {barre!r}")
    page.close()
    # Its kernel would weigh on the load test that follows: shut it down.
    for session in hub.server("GET", LEARNER, "api/sessions").json():
        hub.server("DELETE", LEARNER, f"api/sessions/{session['id']}")
