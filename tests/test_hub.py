"""End to end: a training session on the course's JupyterHub, with real unix accounts.

Installs (or updates) the hub in COURS_DNS_TEST_PREFIX with deploy/hub/install.sh, starts
it on 127.0.0.1 (free ports), creates 1 trainer and 3 learners from a roster with
« formation comptes », logs each one in with their own password; the trainer publishes
module 0; learners fetch, answer and submit through their own JupyterLab (nbgrader's
server-extension endpoints, as the Assignments tab does); one learner also plants a
deposit in another's name; the trainer collects, grades, sends feedback; learners
fetch it. Grades, isolation and the refused impersonation are asserted; figures
(hub start, spawn, memory with a kernel, submit) are printed.

Root only, and only with COURS_DNS_TEST_HUB=1 (« make test-hub »): it creates and
removes unix accounts (hubformateur, hubjuste, hubfaux, hubpartie) and kills their processes.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.hub

if os.environ.get("COURS_DNS_TEST_HUB") != "1":
    pytest.skip("test du serveur JupyterHub : lancez « make test-hub » (root ; crée de vrais comptes unix)",
                allow_module_level=True)
if os.geteuid() != 0:
    pytest.skip("test du serveur JupyterHub réservé à root : il crée et supprime de vrais comptes unix",
                allow_module_level=True)
requests = pytest.importorskip("requests")

from learners import (  # noqa: E402 (after the skips: nothing to import when the test does not run)
    ASSIGNMENT, PANDAS_POINTS, PARTLY_RIGHT_CODE, QUIZ_POINTS, RIGHT_CODE, SOURCE, WRONG_CODE, fill_notebook,
    partial_answers, right_answers, save_quiz, wrong_answers,
)

REPO = Path(__file__).resolve().parent.parent
PREFIX = Path(os.environ.get("COURS_DNS_TEST_PREFIX", "/opt/cours-dns-test"))
COURSE = "dns-hubtest"
TRAINER = "hubformateur"
LEARNERS = {"hubjuste": (right_answers(), RIGHT_CODE),
            "hubfaux": (wrong_answers(), WRONG_CODE),
            "hubpartie": (partial_answers()[0], PARTLY_RIGHT_CODE)}
EXPECTED = {
    "hubjuste": {**QUIZ_POINTS, **PANDAS_POINTS},
    "hubfaux": {**{g: 0 for g in QUIZ_POINTS}, **{g: 0 for g in PANDAS_POINTS}},
    "hubpartie": {**partial_answers()[1], **PANDAS_POINTS, "test-concertations": 0},
}
HTTP_TIMEOUT = 60
MEASURES: dict[str, float] = {}


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run(command, timeout=600, user=None, check=True, **kwargs) -> subprocess.CompletedProcess:
    if user:
        command = ["runuser", "-u", user, "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check:
        assert result.returncode == 0, f"{' '.join(map(str, command))} :\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


def passwords_in(output: str) -> dict[str, str]:
    return dict(re.findall(r"^([a-z_][a-z0-9_-]*)\t([A-Za-z0-9]{12})$", output, re.MULTILINE))


def remove_accounts(names) -> None:
    for name in names:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True, timeout=30)
        subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60)


class Hub:
    def __init__(self, data: Path, ports: list[int]):
        self.data, self.ports = data, ports
        self.base = f"http://127.0.0.1:{ports[0]}"
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("COURS_DNS")},
                    "COURS_DNS_PREFIX": str(PREFIX), "COURS_DNS_DATA": str(data), "COURS_DNS_COURS": COURSE,
                    "COURS_DNS_FORMATEUR": TRAINER, "COURS_DNS_IP": "127.0.0.1",
                    "COURS_DNS_PORT": str(ports[0]), "COURS_DNS_PORT_PROXY": str(ports[1]),
                    "COURS_DNS_PORT_HUB": str(ports[2]), "COURS_DNS_PORT_FORMGRADER": str(ports[3]),
                    "COURS_DNS_SUDO": "0"}
        self.process = None
        self.passwords: dict[str, str] = {}
        self.tokens: dict[str, str] = {}

    def formation(self, *args, timeout=600) -> str:
        result = run([str(PREFIX / "venv" / "bin" / "formation"), "--session", str(self.data / "session"), *args],
                     timeout=timeout, env=self.env)
        return result.stdout

    def start(self) -> None:
        log = open(self.data / "hub" / "hub.log", "wb")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(PREFIX / "venv" / "bin" / "jupyterhub"), "-f", str(PREFIX / "cours/deploy/hub/jupyterhub_config.py")],
            cwd=self.data / "hub", env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        while time.monotonic() - started < 90:
            assert self.process.poll() is None, f"le hub s'est arrêté :\n{self.log()}"
            try:
                if requests.get(f"{self.base}/hub/api", timeout=5).status_code == 200:
                    MEASURES["démarrage du hub (s)"] = round(time.monotonic() - started, 1)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError(f"le hub n'a pas répondu en 90 s :\n{self.log()}")

    def log(self) -> str:
        path = self.data / "hub" / "hub.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def login(self, name: str) -> str:
        """Log in with the password « formation comptes » printed; return an API token of the user's."""
        session = requests.Session()
        session.get(f"{self.base}/hub/login", timeout=HTTP_TIMEOUT)
        xsrf = session.cookies.get("_xsrf")
        response = session.post(f"{self.base}/hub/login", allow_redirects=False, timeout=HTTP_TIMEOUT,
                                data={"username": name, "password": self.passwords[name], "_xsrf": xsrf})
        assert response.status_code == 302, f"connexion de {name} refusée ({response.status_code})"
        # Logging in sets a new XSRF cookie (bound to the user): the API checks that one.
        home = session.get(f"{self.base}/hub/home", timeout=HTTP_TIMEOUT)
        xsrf = re.search(r'xsrf_token[^"]*"([^"]+)"', home.text)
        xsrf = xsrf.group(1) if xsrf else [c.value for c in session.cookies if c.name == "_xsrf"][-1]
        response = session.post(f"{self.base}/hub/api/users/{name}/tokens", json={"note": "test", "expires_in": 3600},
                                headers={"X-XSRFToken": xsrf}, timeout=HTTP_TIMEOUT)
        assert response.status_code == 201, response.text
        self.tokens[name] = response.json()["token"]
        return self.tokens[name]

    def api(self, method: str, path: str, as_user: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.tokens[as_user]}"}
        return requests.request(method, f"{self.base}{path}", headers=headers, allow_redirects=False,
                                timeout=HTTP_TIMEOUT, **kwargs)

    def server(self, method: str, owner: str, path: str, as_user: str | None = None, **kwargs) -> requests.Response:
        return self.api(method, f"/user/{owner}/{path}", as_user or owner, **kwargs)

    def assignment_action(self, name: str, action: str) -> float:
        started = time.monotonic()
        response = self.server("POST", name, f"assignments/{action}", json={"assignment_id": ASSIGNMENT,
                                                                            "course_id": COURSE})
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.text
        body = response.json()
        assert not (isinstance(body, dict) and body.get("success") is False), body
        return elapsed


@pytest.fixture(scope="module")
def hub():
    for tool in ("runuser", "useradd", "npm"):
        if not shutil.which(tool):
            pytest.skip(f"« {tool} » est introuvable sur cette machine")
    total = time.monotonic()
    data = Path(tempfile.mkdtemp(prefix="cours-dns-hub-", dir="/tmp"))
    data.chmod(0o755)  # learners cross it to reach the exchange
    hub = Hub(data, free_ports(4))
    names = [TRAINER, *LEARNERS]
    remove_accounts(names)  # leftovers of an interrupted run: start from fresh accounts and passwords
    try:
        started = time.monotonic()
        installed = run(["bash", str(REPO / "deploy/hub/install.sh")], timeout=1200, env=hub.env)
        MEASURES["installation / mise à jour (s)"] = round(time.monotonic() - started, 1)
        hub.passwords.update(passwords_in(installed.stdout))
        roster = data / "apprenants.csv"
        roster.write_text("identifiant;prenom;nom\n" + "".join(f"{n};Test;{n}\n" for n in LEARNERS), encoding="utf-8")
        hub.formation("apprenants", "importer", str(roster))
        hub.passwords.update(passwords_in(hub.formation("comptes", "creer")))
        assert set(hub.passwords) == set(names), hub.passwords
        hub.start()
        yield hub
    finally:
        hub.stop()
        remove_accounts(names)
        shutil.rmtree(data, ignore_errors=True)
        MEASURES["durée totale du test (s)"] = round(time.monotonic() - total, 1)
        print("\nMesures du hub :", json.dumps(MEASURES, ensure_ascii=False, indent=1))


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
        hub.assignment_action(name, "fetch")
        got = hub.server("GET", name, f"api/contents/{ASSIGNMENT}/{name_of_notebook}", params={"content": 1})
        assert got.status_code == 200, got.text
        # The learner's answers, written into their JupyterLab through its contents API (as saving does).
        work = tmp_path / name
        work.mkdir()
        nbformat.write(nbformat.from_dict(got.json()["content"]), work / name_of_notebook)
        fill_notebook(work, code)
        save_quiz(work, answers)
        for path in work.iterdir():
            if path.suffix == ".ipynb":
                body = {"type": "notebook", "format": "json", "content": json.loads(path.read_text(encoding="utf-8"))}
            else:
                body = {"type": "file", "format": "text", "content": path.read_text(encoding="utf-8")}
            saved = hub.server("PUT", name, f"api/contents/{ASSIGNMENT}/{path.name}", json=body)
            assert saved.status_code in (200, 201), saved.text
        MEASURES[f"soumission par l'extension serveur, {name} (s)"] = round(hub.assignment_action(name, "submit"), 2)


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
        hub.assignment_action(name, "fetch_feedback")
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


def test_end_of_session_removes_the_learners_accounts(hub):
    import pwd
    homes = [pwd.getpwnam(name).pw_dir for name in LEARNERS]
    output = hub.formation("comptes", "supprimer", "--oui")
    assert "3 compte(s) supprimé(s)" in output
    for name, home in zip(LEARNERS, homes):
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
        assert not os.path.exists(home)
