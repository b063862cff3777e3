"""`make lab` starts JupyterLab in French on the course home, without the trainer's tools."""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course.setup_lab import HIDDEN_LAB_PLUGINS, LAB_OVERRIDES, overrides_path, write_overrides

REPO = Path(__file__).resolve().parent.parent


def test_overrides_are_merged_not_clobbered(tmp_path):
    path = overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    write_overrides(tmp_path)
    write_overrides(tmp_path)  # idempotent
    content = json.loads(path.read_text())
    assert content["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert content["@jupyterlab/translation-extension:plugin"] == {"locale": "fr_FR"}
    assert content["@jupyterlab/apputils-extension:notification"] == LAB_OVERRIDES[
        "@jupyterlab/apputils-extension:notification"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab started exactly as a learner does, with `make lab`, on a loopback port.

    A stand-in browser (the BROWSER variable, honoured by Python's webbrowser module)
    records what JupyterLab asks the browser to open.
    """
    port, token = free_port(), secrets.token_hex(16)
    folder = tmp_path_factory.mktemp("navigateur")
    opened = folder / "ouvert.txt"
    browser = folder / "navigateur.sh"
    # JupyterLab hands the browser a local redirect page (file://…) holding the real address.
    browser.write_text(f'#!/bin/sh\nf="${{1#file://}}"\n{{ echo "$1"; [ -f "$f" ] && cat "$f"; }} >> "{opened}"\n')
    browser.chmod(0o755)
    env = dict(os.environ, JUPYTER_TOKEN=token, BROWSER=f"{browser} %s")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS=--port={port} --ip=127.0.0.1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make lab s'est arrêté :\n{process.stdout.read()}")
        try:
            get(f"{base}/api/status", token)
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        pytest.fail("JupyterLab n'a pas répondu en 90 s")
    yield base, token, opened
    os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    sys.stdout.write(output[-2000:])


def test_interface_is_french_by_default(lab_server):
    base, token, _ = lab_server
    _, body = get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin", token)
    assert json.loads(body)["schema"]["properties"]["locale"]["default"] == "fr_FR"
    _, body = get(f"{base}/lab/api/translations/", token)
    assert "fr_FR" in json.loads(body)["data"]


def test_news_and_update_popups_are_off(lab_server):
    base, token, _ = lab_server
    _, body = get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
    properties = json.loads(body)["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False


def test_lab_opens_on_the_course_home_and_hides_trainer_tools(lab_server):
    base, token, opened = lab_server
    deadline = time.monotonic() + 20
    while "sommaire" not in (opened.read_text() if opened.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"127.0.0.1:{base.rsplit(':', 1)[1]}/lab/tree/notebooks/sommaire.ipynb" in opened.read_text()
    _, page = get(f"{base}/lab/tree/notebooks/sommaire.ipynb", token)
    config = json.loads(page.split('id="jupyter-config-data" type="application/json">')[1].split("</script>")[0])
    assert config["treePath"] == "notebooks/sommaire.ipynb"
    assert "@jupyter/nbgrader:validate-assignment" in HIDDEN_LAB_PLUGINS
    for plugin in HIDDEN_LAB_PLUGINS:
        assert plugin in config["disabledExtensions"]
        assert plugin in config.get("lockedExtensions", {})
    with pytest.raises(urllib.error.HTTPError) as info:
        get(f"{base}/formgrader", token)
    assert info.value.code == 404
