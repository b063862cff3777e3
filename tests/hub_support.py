"""The course's JupyterHub started for the hub tests: one install and one hub for the whole run.

Used by tests/test_hub.py (the session with 1 trainer and 3 learners), tests/browser/test_hub_navigateur.py
(a learner in a real browser) and tests/test_hub_charge.py (20 learners at once), through the
session-scoped ``hub`` fixture of tests/conftest.py: the hub is installed and started once.

Root only, and only with COURS_DNS_TEST_HUB=1 (« make test-hub »): it creates and removes unix
accounts (hubformateur, hubjuste, hubfaux, hubpartie, hubcharge01…) and kills their processes.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PREFIX = Path(os.environ.get("COURS_DNS_TEST_PREFIX", "/opt/cours-dns-test"))
COURSE = "dns-hubtest"
TRAINER = "hubformateur"
LEARNERS = ("hubjuste", "hubfaux", "hubpartie")
HTTP_TIMEOUT = 60
# Figures printed at the end of the run (« make test-hub PYTEST_ARGS=-s »), reported in the trainer guide.
MEASURES: dict[str, float] = {}


def skip_unless_enabled() -> None:
    """Module-level skip of a hub test file when it must not run here."""
    if os.environ.get("COURS_DNS_TEST_HUB") != "1":
        pytest.skip("test du serveur JupyterHub : lancez « make test-hub » (root ; crée de vrais comptes unix)",
                    allow_module_level=True)
    if os.geteuid() != 0:
        pytest.skip("test du serveur JupyterHub réservé à root : il crée et supprime de vrais comptes unix",
                    allow_module_level=True)


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


def pss_mib(user: str) -> float:
    """Proportional set size of all of a user's processes (shared pages split between their users):
    what one more learner really costs when many run the same Python and libraries."""
    return sum(process_pss_mib(pid) for pid in run(["pgrep", "-u", user], check=False).stdout.split())


def process_pss_mib(pid) -> float:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0  # ended meanwhile
    found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


class Hub:
    def __init__(self, data: Path, ports: list[int]):
        import requests  # noqa: F401 (checked by the fixture)
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
        self.sessions: dict = {}  # name → logged-in requests.Session (the hub's cookie)
        self.accounts: set[str] = set()  # every unix account the tests made, removed at the end

    def formation(self, *args, timeout=600) -> str:
        result = run([str(PREFIX / "venv" / "bin" / "formation"), "--session", str(self.data / "session"), *args],
                     timeout=timeout, env=self.env)
        return result.stdout

    def add_learners(self, names) -> dict[str, str]:
        """Import a roster and create its accounts with « formation comptes »; returns their passwords."""
        roster = self.data / f"apprenants-{len(self.accounts)}.csv"
        roster.write_text("identifiant;prenom;nom\n" + "".join(f"{n};Test;{n}\n" for n in names), encoding="utf-8")
        self.formation("apprenants", "importer", str(roster))
        self.accounts.update(names)  # before creating them: removed even if creation fails half-way
        created = passwords_in(self.formation("comptes", "creer"))
        self.passwords.update(created)
        return created

    def start(self) -> None:
        import requests
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
        import requests
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
        self.sessions[name] = session
        return self.tokens[name]

    def api(self, method: str, path: str, as_user: str, **kwargs):
        import requests
        headers = {"Authorization": f"token {self.tokens[as_user]}"}
        return requests.request(method, f"{self.base}{path}", headers=headers, allow_redirects=False,
                                timeout=HTTP_TIMEOUT, **kwargs)

    def server(self, method: str, owner: str, path: str, as_user: str | None = None, **kwargs):
        return self.api(method, f"/user/{owner}/{path}", as_user or owner, **kwargs)

    def put_folder(self, name: str, remote: str, folder: Path) -> None:
        """Write every file of ``folder`` into ``remote`` in the learner's JupyterLab (its contents API,
        as saving does)."""
        for path in sorted(folder.iterdir()):
            if path.suffix == ".ipynb":
                body = {"type": "notebook", "format": "json", "content": json.loads(path.read_text(encoding="utf-8"))}
            else:
                body = {"type": "file", "format": "text", "content": path.read_text(encoding="utf-8")}
            saved = self.server("PUT", name, f"api/contents/{remote}/{path.name}", json=body)
            assert saved.status_code in (200, 201), saved.text

    def ready(self, name: str) -> bool:
        return bool(self.api("GET", f"/hub/api/users/{name}", name).json()["servers"].get("", {}).get("ready"))

    def spawn(self, names, at_once: int, timeout: float) -> float:
        """Start the servers of ``names``, ``at_once`` at a time (each waits for its own); returns the seconds."""
        def one(name: str) -> None:
            if self.ready(name):
                return
            assert self.api("POST", f"/hub/api/users/{name}/server", name).status_code in (201, 202)
            while not self.ready(name):
                assert time.monotonic() - started < timeout, f"serveur de {name} non prêt en {timeout} s\n{self.log()}"
                time.sleep(0.5)

        started = time.monotonic()
        with ThreadPoolExecutor(at_once) as pool:
            list(pool.map(one, names))  # list(): re-raises the first failure
        return time.monotonic() - started

    def assignment_action(self, name: str, action: str, assignment: str) -> float:
        started = time.monotonic()
        response = self.server("POST", name, f"assignments/{action}", json={"assignment_id": assignment,
                                                                            "course_id": COURSE})
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.text
        body = response.json()
        assert not (isinstance(body, dict) and body.get("success") is False), body
        return elapsed


def hub_session():
    """Generator behind the ``hub`` fixture: install, accounts, start; stop and remove everything after."""
    pytest.importorskip("requests")
    for tool in ("runuser", "useradd", "npm"):
        if not shutil.which(tool):
            pytest.skip(f"« {tool} » est introuvable sur cette machine")
    total = time.monotonic()
    data = Path(tempfile.mkdtemp(prefix="cours-dns-hub-", dir="/tmp"))
    data.chmod(0o755)  # learners cross it to reach the exchange
    hub = Hub(data, free_ports(4))
    remove_accounts([TRAINER, *LEARNERS])  # leftovers of an interrupted run: start from fresh accounts
    hub.accounts.add(TRAINER)
    try:
        started = time.monotonic()
        installed = run(["bash", str(REPO / "deploy/hub/install.sh")], timeout=1200, env=hub.env)
        MEASURES["installation / mise à jour (s)"] = round(time.monotonic() - started, 1)
        hub.passwords.update(passwords_in(installed.stdout))
        hub.add_learners(LEARNERS)
        assert set(hub.passwords) == {TRAINER, *LEARNERS}, hub.passwords
        hub.start()
        yield hub
    finally:
        hub.stop()
        remove_accounts(sorted(hub.accounts))
        shutil.rmtree(data, ignore_errors=True)
        MEASURES["durée totale des tests du hub (s)"] = round(time.monotonic() - total, 1)
        print("\nMesures du hub :", json.dumps(MEASURES, ensure_ascii=False, indent=1))
