"""The hub's configuration (deploy/hub), read without starting anything: runs everywhere, no root.

The end-to-end behaviour is tests/test_hub.py (root, « make test-hub »); this guards the
settings each trap of VERIFIED.md depends on against an innocent-looking edit.
"""
from __future__ import annotations

import runpy
import subprocess
from pathlib import Path

import pytest
from traitlets.config import Config

REPO = Path(__file__).resolve().parent.parent
HUB = REPO / "deploy" / "hub"


def load(monkeypatch, **env) -> Config:
    for name, value in {"COURS_DNS_PREFIX": "/opt/x", "COURS_DNS_DATA": "/srv/x", **env}.items():
        monkeypatch.setenv(name, value)
    config = Config()
    runpy.run_path(str(HUB / "jupyterhub_config.py"), init_globals={"get_config": lambda: config})
    return config


def test_each_learner_runs_as_their_own_account(monkeypatch):
    c = load(monkeypatch, COURS_DNS_FORMATEUR="cdupont")
    # SimpleLocalProcessSpawner would run every learner as root: no isolation.
    assert c.JupyterHub.spawner_class == "localprocess"
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.Authenticator.admin_users == {"cdupont"}
    assert c.LocalAuthenticator.allowed_groups == {"apprenants", "formateurs"}
    assert c.LocalAuthenticator.create_system_users is False
    # Learners' processes get an explicit PATH into the shared environment, never root's.
    assert c.Spawner.environment["PATH"].startswith("/opt/x/venv/bin:")
    assert c.Spawner.cmd == ["/opt/x/venv/bin/jupyterhub-singleuser"]


def test_loopback_by_default_and_npm_proxy(monkeypatch):
    c = load(monkeypatch)
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    # The PyPI port of the proxy broke kernel websockets in a browser.
    assert c.ConfigurableHTTPProxy.command == ["/opt/x/proxy/node_modules/.bin/configurable-http-proxy"]
    https = load(monkeypatch, COURS_DNS_IP="0.0.0.0", COURS_DNS_CERT="/c.pem", COURS_DNS_CLE="/k.pem")
    assert https.JupyterHub.bind_url == "https://0.0.0.0:8000" and https.JupyterHub.ssl_key == "/k.pem"


def test_services_culler_and_trainer_only_formgrader(monkeypatch):
    c = load(monkeypatch, COURS_DNS_FORMATEUR="cdupont")
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert "jupyterhub_idle_culler" in services["culler"]["command"]
    assert services["formgrader"]["cwd"] == "/srv/x/session"
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert roles["formgrader"] == {"name": "formgrader", "users": ["cdupont"],
                                   "scopes": ["access:services!service=formgrader"]}


def test_learner_nbgrader_config_points_to_the_session_exchange():
    from importlib.util import module_from_spec, spec_from_file_location
    spec = spec_from_file_location("setup_env", HUB / "setup_env.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    config = Config()
    exec(module.learner_nbgrader_config(Path("/srv/x/echange"), "dns"), {"get_config": lambda: config})
    assert config.Exchange.root == "/srv/x/echange" and config.CourseDirectory.course_id == "dns"
    # Learners get the Assignments tab back; trainer tools stay hidden.
    assert "@jupyter/nbgrader:assignment-list" in module.SESSION_LAB_PLUGINS
    assert not any("formgrader" in name for name in module.SESSION_LAB_PLUGINS + module.SESSION_SERVER_EXTENSIONS)


@pytest.mark.parametrize("script", ["install.sh", "start.sh"])
def test_scripts_parse(script):
    assert subprocess.run(["bash", "-n", str(HUB / script)]).returncode == 0


def test_login_page_is_french_and_keeps_the_form_fields(monkeypatch):
    c = load(monkeypatch)
    assert c.JupyterHub.template_paths == ["/opt/x/cours/deploy/hub/templates"]
    page = (HUB / "templates" / "login.html").read_text(encoding="utf-8")
    assert "Mot de passe" in page and "Sign in" not in page
    for field in ('name="username"', 'name="password"', 'name="_xsrf"'):
        assert field in page


# --------------------------------------------------------------------------- spawner: systemd where it runs

def load_with_systemd(monkeypatch, systemd_runs: bool, spawner_installed: bool, **env) -> Config:
    """The configuration as read on a machine where systemd runs (or not) and its spawner is installed (or not).

    These machines have neither: the SystemdSpawner branch cannot run for real here (docs/guide_formateur.md)."""
    import os.path
    import sys
    import types

    real_isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir",
                        lambda p: systemd_runs if p == "/run/systemd/system" else real_isdir(p))
    if spawner_installed:
        monkeypatch.setitem(sys.modules, "systemdspawner", types.ModuleType("systemdspawner"))
    else:
        monkeypatch.setitem(sys.modules, "systemdspawner", None)  # import fails, as when not installed
    return load(monkeypatch, **env)


def test_systemd_spawner_with_limits_where_systemd_runs(monkeypatch):
    c = load_with_systemd(monkeypatch, True, True, COURS_DNS_MEMOIRE="3G", COURS_DNS_CPU="0.5")
    assert c.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner"
    assert c.SystemdSpawner.mem_limit == "3G" and c.SystemdSpawner.cpu_limit == 0.5
    # passwd (learners) and sudo formation-hub (trainer) are set-uid: NoNewPrivileges would break them.
    assert c.SystemdSpawner.disable_user_sudo is False and "isolate_devices" not in c.SystemdSpawner
    assert c.SystemdSpawner.isolate_tmp is True
    # The same account, command and paths as with LocalProcessSpawner.
    assert c.Spawner.cmd == ["/opt/x/venv/bin/jupyterhub-singleuser"]
    assert c.Spawner.environment["PATH"].startswith("/opt/x/venv/bin:")
    assert c.Spawner.notebook_dir == "~" and c.Spawner.pre_spawn_hook.__name__ == "copy_lessons"
    monkeypatch.delenv("COURS_DNS_MEMOIRE")
    monkeypatch.delenv("COURS_DNS_CPU")
    default = load_with_systemd(monkeypatch, True, True)
    assert default.SystemdSpawner.mem_limit == "1G" and default.SystemdSpawner.cpu_limit == 1.0


@pytest.mark.parametrize("systemd_runs, spawner_installed", [(False, True), (True, False), (False, False)])
def test_local_processes_without_systemd_or_its_spawner(monkeypatch, systemd_runs, spawner_installed):
    c = load_with_systemd(monkeypatch, systemd_runs, spawner_installed)
    assert c.JupyterHub.spawner_class == "localprocess"
    assert "SystemdSpawner" not in c


def test_install_adds_the_systemd_spawner_only_where_systemd_runs():
    script = (HUB / "install.sh").read_text(encoding="utf-8")
    line = next(line for line in script.splitlines() if "import systemdspawner" in line)
    assert line.startswith("if [ -d /run/systemd/system ]")
    assert 'jupyterhub-systemdspawner==$SYSTEMD_SPAWNER_VERSION' in script


# --------------------------------------------------------------------------- the hub's pages in French

@pytest.mark.parametrize("page, french", [
    ("page.html", "Se déconnecter"), ("home.html", "Démarrer mon serveur"),
    ("spawn_pending.html", "Votre serveur démarre"), ("not_running.html", "n'est pas démarré"),
    ("stop_pending.html", "en cours d'arrêt"), ("error.html", "Page introuvable"),
    ("token.html", "Demander un nouveau jeton"),
])
def test_hub_pages_have_french_templates(page, french):
    """Rendered through the running hub in tests/test_hub.py (root); here: each template is there and French."""
    text = (HUB / "templates" / page).read_text(encoding="utf-8")
    assert french in text
    # Extending JupyterHub's own template (« templates/… ») or our French page.html: never a stale
    # full copy of page.html.
    assert '{% extends "templates/' in text or '{% extends "page.html" %}' in text
