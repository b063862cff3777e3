"""Real-browser acceptance tests: Debian's Chromium driven by Playwright, on a JupyterLab started like a learner's.

- The course lab is started with `make lab` (loopback port, JUPYTER_TOKEN, --no-browser); the graded
  assignment gets a second lab whose root is a temporary copy of exercises/module0.
- Both labs read their user settings and workspaces from temporary folders, so the tests neither see
  nor change the machine user's JupyterLab state; autosave is off there, so running the lesson in the
  browser never writes outputs into notebooks/ (the course lab's log is checked for saves at the end).
- Every wait is on a real state (kernel idle indicator, widget rendered, text present): no fixed sleep.
- Screenshots go to artifacts/browser/ (git-ignored); a failure saves one and prints what the page showed.

Chromium is /usr/bin/chromium (Debian package « chromium »; .ci/run installs it). When it or Playwright
is missing the tests fail with a French explanation under CI=true, and are skipped elsewhere.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "artifacts" / "browser"
# Debian's package; CHROMIUM_PATH may point elsewhere (used to check the message when it is missing).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Upper bound for each wait on a real state; a healthy run needs a few seconds at most.
DELAI_MS = 60_000
INSTALLATION = (
    "Installez-le puis relancez les tests :\n"
    "  sudo apt-get update && sudo apt-get install -y chromium   (paquet Debian « chromium »)\n"
    "  .venv/bin/python -m pip install -e '.[test]'             (Playwright pour Python)\n"
    "Les téléchargements de navigateur propres à Playwright (« playwright install ») échouent ici : "
    "les tests utilisent le Chromium de Debian, /usr/bin/chromium."
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: tests d'acceptation dans un vrai navigateur (Chromium piloté par Playwright)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- browser availability

# Why the browser tests cannot run; the installation notice is printed once, at the end of the run,
# instead of once per test (it is 36 lines long).
_ABSENCES: list[str] = []


def _absent(raison: str):
    first = not _ABSENCES
    _ABSENCES.append(raison)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(raison + ("\n" + INSTALLATION if first else " (explication plus haut)"), pytrace=False)
    pytest.skip(f"{raison} (tests navigateur ignorés hors CI ; voir la marche à suivre en fin de rapport).")


def pytest_terminal_summary(terminalreporter):
    if _ABSENCES:
        terminalreporter.write_sep("-", "tests navigateur : Chromium ou Playwright manquant")
        terminalreporter.write_line(f"{_ABSENCES[0]}\n{INSTALLATION}")


@pytest.fixture(scope="package")
def playwright_sync():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _absent(f"Chromium est introuvable : {CHROMIUM} n'existe pas ou n'est pas exécutable.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _absent("Le paquet Python « playwright » n'est pas installé dans cet environnement.")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def navigateur(playwright_sync, tmp_path_factory):
    """One headless Chromium with a fresh profile for all the browser tests."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = playwright_sync.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("profil-chromium")),
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900}, locale="fr-FR",
    )
    context.set_default_timeout(DELAI_MS)
    yield context
    context.close()


# --------------------------------------------------------------------------- JupyterLab servers

def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environnement_lab(dossier: Path, token: str, extra: dict | None = None) -> dict:
    """Private user settings and workspaces for one lab, with autosave off."""
    settings = dossier / "parametres"
    docmanager = settings / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    (dossier / "espaces").mkdir()
    return dict(os.environ, JUPYTER_TOKEN=token, JUPYTERLAB_SETTINGS_DIR=str(settings),
                JUPYTERLAB_WORKSPACES_DIR=str(dossier / "espaces"), **(extra or {}))


class Lab:
    """A running JupyterLab: its address, token, process and root folder."""

    def __init__(self, commande: list[str], cwd: Path, racine: Path, dossier: Path, env: dict | None = None):
        self.port, self.token, self.racine = _port_libre(), secrets.token_hex(16), racine
        self.base = f"http://127.0.0.1:{self.port}"
        self.journal = dossier / "jupyterlab.log"
        commande = [c.replace("{port}", str(self.port)) for c in commande]
        with self.journal.open("w") as log:
            self.process = subprocess.Popen(
                commande, cwd=cwd, env=_environnement_lab(dossier, self.token, env),
                stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab s'est arrêté au démarrage :\n{self.fin_du_journal()}", pytrace=False)
            try:
                request = urllib.request.Request(f"{self.base}/api/status",
                                                 headers={"Authorization": f"token {self.token}"})
                urllib.request.urlopen(request, timeout=5).close()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)  # polling the server, not waiting for the page
        self.arreter()
        pytest.fail(f"JupyterLab n'a pas répondu en 90 s :\n{self.fin_du_journal()}", pytrace=False)

    def url(self, chemin: str) -> str:
        # « reset »: start from an empty workspace, without the tabs an earlier page of the session left open.
        return f"{self.base}/lab/tree/{chemin}?reset&token={self.token}"

    def fin_du_journal(self, taille: int = 3000) -> str:
        return self.journal.read_text(errors="replace")[-taille:] if self.journal.exists() else ""

    def arreter(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="package")
def lab_cours(playwright_sync, tmp_path_factory):
    """The course as a learner starts it: `make lab`, on a loopback port, with a token, no browser opened."""
    lab = Lab(["make", "--no-print-directory", "lab", "LAB_ARGS=--no-browser --port={port} --ip=127.0.0.1"],
              cwd=REPO, racine=REPO, dossier=tmp_path_factory.mktemp("lab-cours"))
    yield lab
    lab.arreter()
    # This lab serves the working tree itself: the browser must never have saved anything into it.
    # (Read from the server's log, not by comparing files, which others may edit meanwhile.)
    saved = re.findall(r"Saving file at (\S+)", lab.journal.read_text(errors="replace"))
    assert not saved, (f"Les tests navigateur ont enregistré {saved} dans le dépôt (sauvegarde automatique ?) : "
                       "vérifiez ces fichiers avec « git diff ».")


@pytest.fixture(scope="package")
def lab_devoir(playwright_sync, tmp_path_factory):
    """A second lab whose root is a temporary folder holding a copy of exercises/module0."""
    dossier = tmp_path_factory.mktemp("lab-devoir")
    racine = dossier / "racine"
    shutil.copytree(REPO / "exercises" / "module0", racine / "module0",
                    ignore=shutil.ignore_patterns("reponses_quiz*.json", ".ipynb_checkpoints"))
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []
    lab = Lab([str(REPO / ".venv" / "bin" / "jupyter"), "lab", f"--ServerApp.root_dir={racine}",
               "--no-browser", "--port={port}", "--ip=127.0.0.1", *root_flag],
              cwd=racine, racine=racine, dossier=dossier)
    yield lab
    lab.arreter()


@pytest.fixture(scope="package")
def lab_autonomie(playwright_sync, tmp_path_factory):
    """A learner alone: a lab whose root holds a copy of notebooks/ and an empty personal travail/.

    The self-study page keeps its copies in that travail/ and its personal course in a temporary
    folder (COURS_DNS_TRAVAIL, COURS_DNS_DONNEES), so neither the repository nor the machine
    user's data are touched.
    """
    dossier = tmp_path_factory.mktemp("lab-autonomie")
    racine = dossier / "racine"
    shutil.copytree(REPO / "notebooks", racine / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (racine / "travail").mkdir()
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []
    lab = Lab([str(REPO / ".venv" / "bin" / "jupyter"), "lab", f"--ServerApp.root_dir={racine}",
               "--no-browser", "--port={port}", "--ip=127.0.0.1", *root_flag],
              cwd=racine, racine=racine, dossier=dossier,
              env={"COURS_DNS_TRAVAIL": str(racine / "travail"), "COURS_DNS_DONNEES": str(dossier / "donnees")})
    yield lab
    lab.arreter()


# --------------------------------------------------------------------------- pages and helpers

_ouverts: list["Onglet"] = []


class Onglet:
    """A JupyterLab page in the browser, with the waits and reports the tests share."""

    def __init__(self, page, lab: Lab):
        self.page, self.lab = page, lab

    # -- reports
    def etat(self) -> str:
        """What the page showed: kernel status and the visible text of the notebook panel."""
        page = self.page
        try:
            statut = page.evaluate("""() => {
                const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
                const bar = document.querySelector('#jp-main-statusbar');
                const dlg = document.querySelector('.jp-Dialog');
                return {indicateur: ind ? ind.getAttribute('data-status') : null,
                        barre: bar ? bar.innerText.replace(/\\s+/g, ' ') : null,
                        dialogue: dlg ? dlg.innerText : null};
            }""")
            visible = page.evaluate("""() => {
                const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
                    || document.querySelector('#jp-main-dock-panel');
                if (!panel) return document.body.innerText;
                const box = panel.getBoundingClientRect();
                return [...panel.querySelectorAll('.jp-Cell')].filter(c => {
                    const r = c.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom;
                }).map(c => c.innerText).join('\\n---\\n');
            }""")
            sorties = page.evaluate("""() => {
                const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                if (!panel) return [];
                return [...panel.querySelectorAll('.jp-CodeCell')].map(c => {
                    const prompt = c.querySelector('.jp-InputArea-prompt');
                    const out = c.querySelector('.jp-OutputArea');
                    return (prompt ? prompt.textContent.trim() : '?') + ' '
                        + (out ? out.textContent.replace(/\\s+/g, ' ').slice(0, 160) : '');
                });
            }""")
        except Exception as exc:  # the page itself may be the problem
            return f"(état de la page illisible : {exc})"
        return (f"Adresse : {page.url}\n"
                f"Dernier état du noyau : indicateur d'exécution = {statut['indicateur']!r} ; "
                f"barre d'état = {statut['barre']!r}\n"
                + (f"Dialogue ouvert : {statut['dialogue']!r}\n" if statut["dialogue"] else "")
                + "Cellules de code (numéro, début de la sortie) :\n  " + "\n  ".join(sorties) + "\n"
                + f"Texte visible du notebook :\n{visible[-3000:]}")

    def capture(self, nom: str, element=None) -> Path:
        path = ARTEFACTS / f"{nom}.png"
        (element or self.page).screenshot(path=str(path))
        return path

    def echec(self, message: str) -> None:
        try:
            image = self.capture(f"echec-{re.sub(r'[^a-z0-9]+', '-', message.lower())[:50]}")
            where = f"\nCapture d'écran : {image}"
        except Exception:
            where = ""
        pytest.fail(f"{message}{where}\n{self.etat()}", pytrace=False)

    # -- waits on real states
    def attendre(self, locator, quoi: str, etat: str = "visible", delai: int = DELAI_MS):
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            locator.first.wait_for(state=etat, timeout=delai)
            return locator
        except PlaywrightTimeout:
            pass
        self.echec(f"Attente dépassée ({delai // 1000} s) : {quoi}.")

    def attendre_texte(self, locator, texte: str, quoi: str, delai: int = DELAI_MS):
        return self.attendre(locator.filter(has_text=texte), f"{quoi} (texte attendu : « {texte} »)",
                             delai=delai)

    # The execution indicator already says « idle » while the notebook has no kernel yet; the status bar
    # item of the kernel (« Python 3 (ipykernel) | Inactif ») only does once the kernel is connected.
    _NOYAU_PRET = """() => {
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const indicator = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
        const kernel = document.querySelector('#jp-main-statusbar .jp-StatusBar-TextItem[title^="Changer de noyau"]');
        return !!(indicator && indicator.getAttribute('data-status') === 'idle' && kernel
                  && /\\(ipykernel\\) \\| Inactif$/.test(kernel.textContent.trim()));
    }"""

    def attendre_noyau_inactif(self) -> None:
        self.attendre_condition(self._NOYAU_PRET, "le noyau connecté et inactif (« Python 3 (ipykernel) | Inactif » "
                                "dans la barre d'état, indicateur d'exécution « idle »)")

    # -- JupyterLab actions, the way a learner does them
    def ouvrir(self, chemin: str) -> None:
        self.page.goto(self.lab.url(chemin))
        onglet = self.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current",
                                   has_text=Path(chemin).name)
        self.attendre(onglet, f"l'onglet de {chemin} s'ouvre")
        self.attendre(self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell"),
                      f"les cellules de {chemin} s'affichent")
        self.attendre_noyau_inactif()

    def menu(self, titre: str, commande: str) -> None:
        """Open a menu of the menu bar by its French title, then click the item of a command id."""
        self.page.locator("#jp-menu-panel .lm-MenuBar-item", has_text=titre).click()
        item = self.page.locator(f".lm-Menu .lm-Menu-item[data-command='{commande}']")
        self.attendre(item, f"l'entrée {commande} du menu « {titre} »")
        item.click()

    def attendre_condition(self, js: str, quoi: str, delai: int = DELAI_MS) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            self.page.wait_for_function(js, timeout=delai)
            return
        except PlaywrightTimeout:
            pass
        self.echec(f"Attente dépassée ({delai // 1000} s) : {quoi}.")

    def executer_tout(self) -> None:
        """« Exécution » → « Exécuter toutes les cellules » (runmenu:run-all), then wait for the end of the run.

        JupyterLab marks every queued cell « [*] » as soon as the command runs; the run is over when no
        prompt shows « [*] » any more and the execution indicator is idle.
        """
        self.menu("Exécution", "runmenu:run-all")
        self.attendre_condition("""() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            if (!panel) return false;
            const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
            const queued = [...panel.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.includes('[*]'));
            return !queued && indicator && indicator.getAttribute('data-status') === 'idle';
        }""", "la fin de « Exécuter toutes les cellules » (plus aucune cellule « [*] », noyau inactif)")
        self.attendre_noyau_inactif()
        premiere = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt").first
        numero = premiere.text_content().strip()
        if not re.search(r"\[\d+\]", numero):
            self.echec("« Exécuter toutes les cellules » n'a exécuté aucune cellule (la première cellule de code "
                       f"est numérotée « {numero} »).")

    def sortie(self, texte: str):
        """The output area (one cell's output) holding ``texte``, e.g. a quiz title."""
        sortie = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").filter(
            has_text=texte).first
        self.attendre(sortie, f"l'affichage de « {texte} »", etat="attached")
        sortie.scroll_into_view_if_needed()
        return sortie

    @staticmethod
    def question(quiz, numero: int):
        """The block of question ``numero`` (header, controls, button, feedback) inside a quiz output."""
        return quiz.locator(".widget-html", has_text=re.compile(rf"Question {numero}/\d+")).locator("xpath=..")

    def focus(self) -> dict:
        """What has the keyboard focus: tag, type, label or text, value and checked state."""
        return self.page.evaluate("""() => {
            const a = document.activeElement;
            const label = a.labels && a.labels.length ? a.labels[0].textContent
                : (a.closest('label') ? a.closest('label').textContent : a.textContent);
            return {tag: a.tagName.toLowerCase(), type: a.type || null, libelle: (label || '').trim(),
                    valeur: a.value === undefined ? null : a.value, coche: a.checked === undefined ? null : a.checked};
        }""")


@pytest.fixture(scope="package")
def onglets(navigateur):
    """Open a new JupyterLab page on a lab: ``onglets(lab)``. Pages are kept for failure reports."""
    def ouvrir(lab: Lab) -> Onglet:
        onglet = Onglet(navigateur.new_page(), lab)
        _ouverts.append(onglet)
        return onglet
    yield ouvrir
    _ouverts.clear()


@pytest.fixture(scope="package")
def lecon(lab_cours, onglets):
    """The module 0 lesson, opened in the course lab and run entirely (« Exécuter toutes les cellules »)."""
    onglet = onglets(lab_cours)
    onglet.ouvrir("notebooks/module0_doctrine.ipynb")
    onglet.executer_tout()
    onglet.attendre(onglet.page.locator(".jp-OutputArea-output .widget-radio-box"),
                    "les widgets des quiz sont rendus", etat="attached")
    return onglet


@pytest.fixture(scope="package")
def banque():
    """A question of a bank, read from data/questions/<quiz>.yaml (practice banks hold their answers)."""
    def lire(quiz_id: str, question_id: str) -> dict:
        content = yaml.safe_load((REPO / "data" / "questions" / f"{quiz_id}.yaml").read_text(encoding="utf-8"))
        for question in content["questions"]:
            if question["id"] == question_id:
                return {"titre": content["title"], **question}
        raise KeyError(f"question {question_id} absente de data/questions/{quiz_id}.yaml")
    return lire


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and _ouverts:
        for number, onglet in enumerate(_ouverts):
            if onglet.page.is_closed():
                continue
            try:
                path = onglet.capture(f"echec-{item.name}-{number}")
                report.sections.append(("capture d'écran", str(path)))
            except Exception:
                pass
