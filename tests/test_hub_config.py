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
