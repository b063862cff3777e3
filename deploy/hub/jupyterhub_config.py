"""JupyterHub of a training session of the course, on one Linux server (see docs/guide_formateur.md).

Read by ``deploy/hub/start.sh`` with the settings written by ``install.sh`` (COURS_DNS_* variables).
Every learner and the trainer have a real unix account (``formation comptes``), their own
JupyterLab process under that account (LocalProcessSpawner: never SimpleLocalProcessSpawner,
which runs everyone as root), and nbgrader's exchange is the session's.
"""
import os

c = get_config()  # noqa: F821 (provided by JupyterHub)

PREFIX = os.environ.get("COURS_DNS_PREFIX", "/opt/cours-dns")
DATA = os.environ.get("COURS_DNS_DATA", "/srv/cours-dns")
TRAINER = os.environ.get("COURS_DNS_FORMATEUR", "formateur")
IP = os.environ.get("COURS_DNS_IP", "127.0.0.1")
PORT = int(os.environ.get("COURS_DNS_PORT", "8000"))
# Internal ports next to the public one, so that two hubs (e.g. a test) can run side by side.
PROXY_API_PORT = int(os.environ.get("COURS_DNS_PORT_PROXY", PORT + 1))
HUB_PORT = int(os.environ.get("COURS_DNS_PORT_HUB", PORT + 2))
FORMGRADER_PORT = int(os.environ.get("COURS_DNS_PORT_FORMGRADER", PORT + 3))
IDLE_TIMEOUT = int(os.environ.get("COURS_DNS_INACTIVITE", "3600"))
VENV_BIN = f"{PREFIX}/venv/bin"
STATE = f"{DATA}/hub"

# --- network: the public address, the proxy (npm), the hub's own API on loopback ---------
scheme = "https" if os.environ.get("COURS_DNS_CERT") else "http"
c.JupyterHub.bind_url = f"{scheme}://{IP}:{PORT}"
if scheme == "https":
    c.JupyterHub.ssl_cert = os.environ["COURS_DNS_CERT"]
    c.JupyterHub.ssl_key = os.environ["COURS_DNS_CLE"]
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_PORT}"
# The npm proxy: the PyPI port broke JupyterLab's kernel websockets in a browser here.
c.ConfigurableHTTPProxy.command = [f"{PREFIX}/proxy/node_modules/.bin/configurable-http-proxy"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.auth_token = os.environ.get("CONFIGPROXY_AUTH_TOKEN") or os.urandom(24).hex()

# The login page in French (the lab itself is French through its settings).
c.JupyterHub.template_paths = [f"{PREFIX}/cours/deploy/hub/templates"]
c.JupyterHub.db_url = f"sqlite:///{STATE}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{STATE}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{STATE}/jupyterhub.pid"

# --- who may log in: the session's accounts, with their own passwords (PAM) ---------------
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set()
c.LocalAuthenticator.allowed_groups = {"apprenants", "formateurs"}
c.Authenticator.admin_users = {TRAINER}
c.LocalAuthenticator.create_system_users = False  # accounts come from « formation comptes » only

# --- each user's JupyterLab, as that user --------------------------------------------------
MEMORY_LIMIT = os.environ.get("COURS_DNS_MEMOIRE", "1G")  # per learner, SystemdSpawner only
CPU_LIMIT = float(os.environ.get("COURS_DNS_CPU", "1"))  # cores per learner, SystemdSpawner only


def systemd_spawner_available(run_dir="/run/systemd/system"):
    """systemd runs this machine (its own test, sd_booted) and install.sh installed its spawner."""
    if not os.path.isdir(run_dir):
        return False
    try:
        import systemdspawner  # noqa: F401
    except ImportError:
        return False
    return True


if systemd_spawner_available():
    # One systemd unit per learner: memory and CPU capped, so that one runaway computation cannot
    # starve the group (LocalProcessSpawner has no limit). Same account, home and command.
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.mem_limit = MEMORY_LIMIT
    c.SystemdSpawner.cpu_limit = CPU_LIMIT
    c.SystemdSpawner.isolate_tmp = True  # a private /tmp: nothing left there for the others to read
    # Its default (NoNewPrivileges) would also block « passwd » for learners and « sudo formation-hub »
    # for the trainer, both set-uid: keep them (learners are in no sudoers file). isolate_devices stays
    # off for the same reason: PrivateDevices adds a system-call filter, which has implied
    # NoNewPrivileges for units running as a plain user in some systemd versions (not testable here).
    c.SystemdSpawner.disable_user_sudo = False
    c.SystemdSpawner.unit_name_template = "cours-dns-{USERNAME}"
else:
    c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [f"{VENV_BIN}/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# An explicit PATH: the hub's own (root's) may point into root's home, unreadable by learners.
c.Spawner.environment = {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def copy_lessons(spawner):
    """First login: the lessons in ~/cours, copied by the user's own account (never root
    writing into a learner's home, where a planted link could redirect it)."""
    import os.path
    import subprocess

    name = spawner.user.name
    home = os.path.expanduser(f"~{name}")
    if home.startswith("~") or os.path.lexists(f"{home}/cours"):
        return
    subprocess.run(["runuser", "-u", name, "--", "cp", "-r", f"{PREFIX}/cours/notebooks", f"{home}/cours"],
                   check=False, timeout=60)


c.Spawner.pre_spawn_hook = copy_lessons
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90

# --- services ----------------------------------------------------------------------------
# The idle culler stops a server unused for an hour (its memory comes back).
# formgrader (manual grading of open answers) runs in the session folder, as root like
# « formation » (the session is root's, 0700), reachable through the hub at
# /services/formgrader/formgrader by the trainer only; learners get 403.
c.JupyterHub.load_roles = [
    {"name": "culler", "services": ["culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
    {"name": "formgrader", "users": [TRAINER], "scopes": ["access:services!service=formgrader"]},
]
c.JupyterHub.services = [
    {"name": "culler",
     "command": [f"{VENV_BIN}/python", "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}"]},
    {"name": "formgrader", "url": f"http://127.0.0.1:{FORMGRADER_PORT}", "oauth_no_confirm": True,
     "cwd": f"{DATA}/session",
     "environment": {"PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
     "command": [f"{VENV_BIN}/jupyterhub-singleuser", "--allow-root", f"--ServerApp.root_dir={DATA}/session",
                 "--ServerApp.default_url=/formgrader",
                 "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}"]},
]

c.JupyterHub.log_level = os.environ.get("COURS_DNS_LOG", "INFO")
