"""End to end: a training session on the course's JupyterHub, with real unix accounts.

The hub (tests/hub_support.py, started once for all the hub tests) is installed in
COURS_DNS_TEST_PREFIX with deploy/hub/install.sh and runs on 127.0.0.1 (free ports); 1 trainer
and 3 learners were created from a roster with « formation comptes », and each one logs in with
their own password; the trainer publishes module 0; learners fetch, answer and submit through
their own JupyterLab (nbgrader's server-extension endpoints, as the Assignments tab does); one
learner also plants a deposit in another's name; the trainer collects, grades, sends feedback;
learners fetch it. Grades, isolation, the refused impersonation and the French hub pages are
asserted; figures (hub start, spawn, memory with a kernel, submit) are printed.

Root only, and only with COURS_DNS_TEST_HUB=1 (« make test-hub »).
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from hub_support import COURSE, HTTP_TIMEOUT, MEASURES, PREFIX, TRAINER, run, skip_unless_enabled

pytestmark = pytest.mark.hub
skip_unless_enabled()
requests = pytest.importorskip("requests")

from learners import ASSIGNMENT, SOURCE, answer_kinds, fill_notebook, save_quiz  # noqa: E402 (after the skips)

KINDS = answer_kinds()
LEARNERS = {"hubjuste": KINDS["juste"][:2], "hubfaux": KINDS["faux"][:2], "hubpartie": KINDS["partie"][:2]}
EXPECTED = {name: KINDS[name[3:]][2] for name in LEARNERS}


def test_accounts_have_private_homes_and_distinct_passwords(hub):
    import pwd
    for name in [TRAINER, *LEARNERS]:
        assert oct(os.stat(pwd.getpwnam(name).pw_dir).st_mode & 0o777) == "0o700"
    assert len(set(hub.passwords.values())) == len(hub.passwords)


def test_everyone_logs_in_and_gets_a_server(hub):
    page = requests.Session()
    assert "Mot de passe" in page.get(f"{hub.base}/hub/login", timeout=HTTP_TIMEOUT).text
    refused = page.post(f"{hub.base}/hub/login", allow_redirects=False, timeout=HTTP_TIMEOUT,
                        data={"username": "hubjuste", "password": "mauvais", "_xsrf": page.cookies.get("_xsrf")})
    assert refused.status_code != 302 and "Identifiant ou mot de passe incorrect." in refused.text
    for name in [TRAINER, *LEARNERS]:
        hub.login(name)
    started = time.monotonic()
    for name in LEARNERS:
        assert hub.api("POST", f"/hub/api/users/{name}/server", name).status_code in (201, 202)
    pending = set(LEARNERS)
    while pending and time.monotonic() - started < 180:
        for name in sorted(pending):
            if hub.api("GET", f"/hub/api/users/{name}", name).json()["servers"].get("", {}).get("ready"):
                pending.discard(name)
        time.sleep(0.5)
    assert not pending, f"serveurs non prêts en 180 s : {pending}\n{hub.log()}"
    MEASURES["3 serveurs apprenants démarrés ensemble (s)"] = round(time.monotonic() - started, 1)
    # The trainer is the hub's admin: he sees every account.
    listed = hub.api("GET", "/hub/api/users", TRAINER)
    assert listed.status_code == 200 and set(LEARNERS) <= {u["name"] for u in listed.json()}
    # One server alone (the trainer's): the spawn time a learner waits when nobody else starts.
    started = time.monotonic()
    assert hub.api("POST", f"/hub/api/users/{TRAINER}/server", TRAINER).status_code in (201, 202)
    while not hub.api("GET", f"/hub/api/users/{TRAINER}", TRAINER).json()["servers"].get("", {}).get("ready"):
        assert time.monotonic() - started < 120, hub.log()
        time.sleep(0.3)
    MEASURES["un serveur seul démarré (s)"] = round(time.monotonic() - started, 1)


def test_formgrader_is_the_trainers_alone(hub):
    response = hub.api("GET", "/services/formgrader/formgrader/api/assignments", TRAINER)
    assert response.status_code == 200, f"{response.status_code} {response.text[:300]}\n{hub.log()}"
    assert "module0" in response.text
    assert hub.api("GET", "/services/formgrader/formgrader/api/assignments", "hubjuste").status_code in (302, 403)
    page = hub.api("GET", "/services/formgrader/formgrader/manage_assignments", TRAINER)
    assert page.status_code == 200 and "module0" in page.text, page.status_code


def test_lab_is_in_french_with_the_assignments_tab_and_no_trainer_tool(hub):
    response = hub.server("GET", "hubjuste", "lab/api/settings/@jupyterlab/translation-extension:plugin")
    assert response.status_code == 200
    assert json.loads(response.text)["schema"]["properties"]["locale"]["default"] == "fr_FR"
    assert "fr_FR" in hub.server("GET", "hubjuste", "lab/api/translations/").json()["data"]
    page = hub.server("GET", "hubjuste", "lab").text
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    disabled = set(config.get("disabledExtensions", []))
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= disabled
    assert hub.server("GET", "hubjuste", "formgrader").status_code == 404
    lessons = hub.server("GET", "hubjuste", "api/contents/cours")
    assert lessons.status_code == 200 and "sommaire.ipynb" in {f["name"] for f in lessons.json()["content"]}


def test_trainer_publishes_and_learners_fetch_answer_and_submit(hub, tmp_path):
    hub.formation("publier", ASSIGNMENT)
    name_of_notebook = SOURCE.name
    for name, (answers, code) in LEARNERS.items():
        hub.assignment_action(name, "fetch", ASSIGNMENT)
        got = hub.server("GET", name, f"api/contents/{ASSIGNMENT}/{name_of_notebook}", params={"content": 1})
        assert got.status_code == 200, got.text
        # The learner's answers, written into their JupyterLab through its contents API (as saving does).
        work = tmp_path / name
        work.mkdir()
        nbformat.write(nbformat.from_dict(got.json()["content"]), work / name_of_notebook)
        fill_notebook(work, code)
        save_quiz(work, answers)
        hub.put_folder(name, ASSIGNMENT, work)
        seconds = hub.assignment_action(name, "submit", ASSIGNMENT)
        MEASURES[f"soumission par l'extension serveur, {name} (s)"] = round(seconds, 2)


def test_impersonated_deposit_is_quarantined(hub):
    """hubpartie drops a copy of their own work in the inbound under hubjuste's name."""
    inbound = hub.data / "echange" / COURSE / "inbound"
    stamp = time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime(time.time() + 60))
    fake = inbound / f"hubjuste+{ASSIGNMENT}+{stamp}+faux"
    home = Path(os.path.expanduser("~hubpartie"))
    run(["cp", "-r", str(home / ASSIGNMENT), str(fake)], user="hubpartie")
    output = hub.formation("collecter", ASSIGNMENT)
    assert "QUARANTAINE" in output and "hubpartie" in output, output
    assert not fake.exists()


def test_trainer_grades_and_sends_feedback(hub):
    from nbgrader.api import Gradebook

    started = time.monotonic()
    hub.formation("corriger", ASSIGNMENT, timeout=900)
    MEASURES["correction de 3 copies (s)"] = round(time.monotonic() - started, 1)
    hub.formation("retours", ASSIGNMENT)
    with Gradebook(f"sqlite:///{hub.data / 'session' / 'gradebook.db'}", COURSE) as gb:
        for name, expected in EXPECTED.items():
            notebook = gb.find_submission(ASSIGNMENT, name).notebooks[0]
            grades = {g.name: g.score for g in notebook.grades if g.name in expected}
            assert grades == pytest.approx(expected), name


def test_learners_fetch_their_feedback(hub):
    for name in LEARNERS:
        hub.assignment_action(name, "fetch_feedback", ASSIGNMENT)
        listing = hub.server("GET", name, f"api/contents/{ASSIGNMENT}/feedback")
        assert listing.status_code == 200, listing.text
        (stamp,) = listing.json()["content"]
        pages = hub.server("GET", name, f"api/contents/{stamp['path']}").json()["content"]
        assert any(p["name"].endswith(".html") for p in pages), pages


def test_isolation(hub):
    exchange = hub.data / "echange" / COURSE
    # The exchange root is root's and sticky (nobody moves the course folder away to plant a fake);
    # the course folder was made by the session, before any learner logged in.
    root = (hub.data / "echange").stat()
    assert root.st_uid == 0 and root.st_mode & 0o7777 == 0o1777
    assert exchange.stat().st_uid == 0 and (exchange / "inbound").stat().st_uid == 0
    # A learner's token opens neither another learner's server nor their account on the hub.
    assert hub.server("GET", "hubfaux", "api/contents", as_user="hubjuste").status_code in (302, 403, 404)
    assert hub.api("GET", "/hub/api/users/hubfaux", "hubjuste").status_code in (403, 404)
    assert hub.api("POST", "/hub/api/users/hubfaux/server", "hubjuste").status_code in (403, 404)
    assert hub.api("GET", "/hub/api/users", "hubjuste").status_code == 403
    # What code in a learner's kernel or terminal could try, as that unix user.
    for command in (["ls", str(exchange / "inbound")],
                    ["ls", os.path.expanduser("~hubfaux")],
                    ["ls", str(hub.data / "session")],
                    ["cat", str(PREFIX / "cours" / "solutions" / ASSIGNMENT / SOURCE.name)],
                    ["ls", str(PREFIX / "cours" / "solutions")],
                    [str(PREFIX / "venv" / "bin" / "formation"), "--aide"]):
        result = run(command, user="hubjuste", check=False, timeout=30)
        assert result.returncode != 0 and "Permission" in result.stderr, command
    # Another learner's feedback page is theirs alone.
    for page in (exchange / "feedback").glob("*.html"):
        assert page.stat().st_mode & 0o077 == 0


def test_memory_per_learner_with_a_kernel(hub):
    started = hub.server("POST", "hubjuste", "api/kernels", json={"name": "python3"})
    assert started.status_code == 201, started.text
    time.sleep(5)
    rss = run(["ps", "-u", "hubjuste", "-o", "rss="]).stdout.split()
    MEASURES["mémoire d'un apprenant avec un noyau (Mio)"] = round(sum(int(k) for k in rss) / 1024)
    rss = run(["ps", "-u", "hubfaux", "-o", "rss="]).stdout.split()
    MEASURES["mémoire d'un apprenant sans noyau (Mio)"] = round(sum(int(k) for k in rss) / 1024)
    hub.server("DELETE", "hubjuste", f"api/kernels/{started.json()['id']}")
    # The hub and its root children (proxy, culler, formgrader); learners' servers are its children too.
    rows = run(["ps", "-o", "rss=,user=,args=", "--ppid", str(hub.process.pid), "-p", str(hub.process.pid)]).stdout
    rss = {" ".join(row.split()[2:])[:60]: int(row.split()[0]) // 1024
           for row in rows.splitlines() if row.split()[1] == "root"}
    MEASURES["hub, proxy et services (Mio)"] = sum(rss.values())


# --------------------------------------------------------------------------- the hub's own pages, in French

ENGLISH_PAGE_WORDS = ("Logout", "Login", "Home", "My Server", "Your server", "Server not running", "refresh",
                      "Jupyter has lots of moons", "Event log", "Stop Server", "Would you like", "Spawn failed")


def french_page(response) -> str:
    """The page's text: the hub sends no charset, and requests would then read UTF-8 as Latin-1."""
    return response.content.decode("utf-8")


def english_in(page: str) -> list[str]:
    """English words of JupyterHub's own pages left in what a page shows: its text, tooltips and
    labels (scripts aside: the French templates' scripts name the English strings they replace)."""
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    shown = re.findall(r'(?:title|alt|aria-label|placeholder|value)="([^"]*)"', page)
    text = " ".join([re.sub(r"<[^>]+>", " ", page), *shown])
    return [word for word in ENGLISH_PAGE_WORDS if word in text]


def test_hub_pages_are_french(hub):
    session = hub.sessions.get("hubjuste") or (hub.login("hubjuste") and hub.sessions["hubjuste"])
    home = session.get(f"{hub.base}/hub/home", timeout=HTTP_TIMEOUT)
    assert home.status_code == 200
    home = french_page(home)
    for french in ("Accueil", "Se déconnecter", "mon serveur"):
        assert french in home, french
    assert not english_in(home), english_in(home)
    tokens = french_page(session.get(f"{hub.base}/hub/token", timeout=HTTP_TIMEOUT))
    assert "Demander un nouveau jeton" in tokens and "Jetons d'accès à l'API" in tokens  # the test's own token
    assert "Request new API token" not in tokens and "Revoking" not in tokens and "1 Hour" not in tokens
    missing = session.get(f"{hub.base}/hub/cette-page-n-existe-pas", timeout=HTTP_TIMEOUT)
    assert missing.status_code == 404
    missing = french_page(missing)
    assert "Page introuvable" in missing and "Revenir à l'accueil" in missing
    assert not english_in(missing), english_in(missing)


def test_hub_templates_render_in_french(hub):
    """The pages a learner only sees in passing (server starting, stopping, failed), rendered the way
    JupyterHub loads them: our folder first, « templates/… » naming JupyterHub's own."""
    import jinja2
    defaults = next((PREFIX / "venv" / "share" / "jupyterhub").glob("templates"))
    ours = PREFIX / "cours" / "deploy" / "hub" / "templates"
    env = jinja2.Environment(autoescape=True, loader=jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"templates": jinja2.FileSystemLoader(str(defaults))}, "/"),
        jinja2.FileSystemLoader([str(ours), str(defaults)])]))
    common = {"static_url": lambda *a, **k: "/static", "base_url": "/hub/", "prefix": "/", "parsed_scopes": set(),
              "user": {"name": "hubjuste", "json_escaped_name": "hubjuste"}, "logout_url": "/hub/logout",
              "xsrf_token": "x", "no_spawner_check": True, "services": [], "progress_url": "/p",
              "spawn_url": "/hub/spawn/hubjuste",
              "server_name": "", "default_server": {"active": True}, "url": "/user/hubjuste/"}
    pages = {"spawn_pending.html": ({}, "Votre serveur démarre"),
             "stop_pending.html": ({}, "Votre serveur est en cours d'arrêt"),
             "not_running.html": ({"failed": True, "failed_message": "boom"}, "Le démarrage a échoué"),
             "error.html": ({"status_code": 403, "status_message": "Forbidden"}, "Accès refusé"),
             "home.html": ({}, "Arrêter mon serveur")}
    for name, (extra, french) in pages.items():
        text = env.get_template(name).render(**common, **extra)
        assert french in text and "Accueil" in text, name  # the page and its French nav bar
        assert not english_in(text), (name, english_in(text))
