"""Load: 20 learners of a roster submit module 0 at the same moment through their own JupyterLab on the
course's hub; the trainer collects and grades them all. Nothing lost, nothing corrupted, each graded.

- 20 real unix accounts (hubcharge01…hubcharge20) made from a roster with « formation comptes »; their
  JupyterLab servers started 5 at a time (JupyterHub itself would start them all; on 2 cores a bound
  keeps each start inside its timeout);
- all 20 submit in the same instant (one thread each, released together) through nbgrader's server
  extension, as the Assignments tab does; the collected copies are compared with what each learner saved;
- « formation collecter » (nothing quarantined) and « formation corriger »: each learner gets the grades
  of their kind of answers (all right, all wrong, partly right);
- memory per learner (PSS: shared pages split between the users of the same Python) with and without a
  kernel, and how many learners fit in 24 GiB;
- then « formation comptes supprimer » ends the session: every account of the roster and its home gone.
  The accounts and their processes are removed even when a test fails (fixture, then the hub's own).

Root only, and only with COURS_DNS_TEST_HUB=1 (« make test-hub »). Figures go to MEASURES (printed at the end).
"""
from __future__ import annotations

import json
import os
import threading
import time

import nbformat
import pytest

from hub_support import (
    COURSE, HTTP_TIMEOUT, LEARNERS, MEASURES, TRAINER, process_pss_mib, pss_mib, remove_accounts, run,
)
from hub_support import skip_unless_enabled

pytestmark = pytest.mark.hub
skip_unless_enabled()

from learners import ASSIGNMENT, SOURCE, answer_kinds, fill_notebook, save_quiz  # noqa: E402 (after the skips)

COUNT = 20
NAMES = [f"hubcharge{i:02d}" for i in range(1, COUNT + 1)]
KINDS = answer_kinds()
KIND_OF = {name: list(KINDS)[i % len(KINDS)] for i, name in enumerate(NAMES)}
SPAWN_AT_ONCE = 5
GIB = 1024  # MiB
SYSTEM_RESERVE_MIB = 2 * GIB  # left to the system on the 24 GiB server of the guide


@pytest.fixture(scope="module")
def cohorte(hub, tmp_path_factory):
    """The 20 accounts, logged in, module 0 published; answered copies of each kind ready to save."""
    remove_accounts(NAMES)  # leftovers of an interrupted run
    try:
        started = time.monotonic()
        created = hub.add_learners(NAMES)
        MEASURES[f"{COUNT} comptes créés par « formation comptes » (s)"] = round(time.monotonic() - started, 1)
        assert set(created) == set(NAMES), sorted(created)
        for name in NAMES:
            hub.login(name)
        if TRAINER not in hub.tokens:
            hub.login(TRAINER)
        hub.formation("publier", ASSIGNMENT)  # already done by test_hub.py: publishing again changes nothing
        yield tmp_path_factory.mktemp("copies")
    finally:
        remove_accounts(NAMES)


def test_a_learner_whose_server_is_stopped_sees_a_french_page(hub, cohorte):
    page = hub.sessions[NAMES[0]].get(f"{hub.base}/hub/user/{NAMES[0]}/lab", timeout=HTTP_TIMEOUT)
    assert page.status_code == 424, page.status_code
    text = page.content.decode("utf-8")  # no charset sent: requests would read it as Latin-1
    assert "Votre serveur n'est pas démarré" in text and "Démarrer mon serveur" in text
    assert "Server not running" not in text and "Launch" not in text


def test_twenty_servers_start(hub, cohorte):
    seconds = hub.spawn(NAMES, at_once=SPAWN_AT_ONCE, timeout=300)
    MEASURES[f"{COUNT} serveurs apprenants démarrés, {SPAWN_AT_ONCE} à la fois (s)"] = round(seconds, 1)


def test_twenty_learners_submit_at_once(hub, cohorte):
    copies = cohorte
    for name in NAMES:
        hub.assignment_action(name, "fetch", ASSIGNMENT)
    # Each kind of answers written once into a copy of the released notebook, then saved by each learner.
    released = hub.server("GET", NAMES[0], f"api/contents/{ASSIGNMENT}/{SOURCE.name}", params={"content": 1})
    assert released.status_code == 200, released.text
    for kind, (answers, code, _) in KINDS.items():
        folder = copies / kind
        folder.mkdir()
        nbformat.write(nbformat.from_dict(released.json()["content"]), folder / SOURCE.name)
        fill_notebook(folder, code)
        save_quiz(folder, answers)
    for name in NAMES:
        hub.put_folder(name, ASSIGNMENT, copies / KIND_OF[name])

    barrier = threading.Barrier(COUNT)
    took: dict[str, float] = {}
    errors: list[str] = []

    def submit(name: str) -> None:
        barrier.wait(timeout=60)
        try:
            took[name] = hub.assignment_action(name, "submit", ASSIGNMENT)
        except BaseException as exc:  # reported below, with the others
            errors.append(f"{name} : {exc}")

    threads = [threading.Thread(target=submit, args=(name,)) for name in NAMES]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=300)
    MEASURES[f"{COUNT} soumissions simultanées (s, toutes)"] = round(time.monotonic() - started, 2)
    assert not errors, errors
    assert set(took) == set(NAMES)
    MEASURES[f"{COUNT} soumissions simultanées (s, la plus lente)"] = round(max(took.values()), 2)
    inbound = hub.data / "echange" / COURSE / "inbound"
    deposits = [p.name.split("+")[0] for p in inbound.iterdir() if p.name.startswith("hubcharge")]
    assert sorted(deposits) == NAMES  # one each, none lost


def test_trainer_collects_and_grades_the_twenty(hub, cohorte):
    from nbgrader.api import Gradebook

    copies = cohorte
    started = time.monotonic()
    collected = hub.formation("collecter", ASSIGNMENT)
    MEASURES[f"{COUNT} copies ramassées (collecter, s)"] = round(time.monotonic() - started, 1)
    assert "QUARANTAINE" not in collected, collected
    graded = hub.formation("corriger", ASSIGNMENT, timeout=900)
    MEASURES[f"{COUNT} copies ramassées et corrigées (collecter + corriger, s)"] = round(time.monotonic() - started, 1)
    print(graded[-1500:])
    session = hub.data / "session"
    assert not any(p.name.startswith("hubcharge") for p in (session / "quarantaine").glob("*")), graded
    for name in NAMES:
        # The collected copy is what the learner saved: same cells, same quiz answers.
        kept = session / "submitted" / name / ASSIGNMENT
        sent = copies / KIND_OF[name]
        got = nbformat.read(kept / SOURCE.name, as_version=4)
        expected = nbformat.read(sent / SOURCE.name, as_version=4)
        assert [c.source for c in got.cells] == [c.source for c in expected.cells], name
        for answers in sent.glob("*.json"):
            assert json.loads((kept / answers.name).read_text(encoding="utf-8")) == \
                json.loads(answers.read_text(encoding="utf-8")), name
    with Gradebook(f"sqlite:///{session / 'gradebook.db'}", COURSE) as gb:
        for name in NAMES:
            expected = KINDS[KIND_OF[name]][2]
            notebook = gb.find_submission(ASSIGNMENT, name).notebooks[0]
            grades = {g.name: g.score for g in notebook.grades if g.name in expected}
            assert grades == pytest.approx(expected), (name, KIND_OF[name])


def test_memory_per_learner_and_learners_in_24_gib(hub, cohorte):
    idle = [pss_mib(name) for name in NAMES]
    assert all(v > 20 for v in idle), idle  # every learner has a running server
    with_kernel = NAMES[:3]
    kernels = {}
    for name in with_kernel:
        started = hub.server("POST", name, "api/kernels", json={"name": "python3"})
        assert started.status_code == 201, started.text
        kernels[name] = started.json()["id"]
    # Without a client connected the server never reports the kernel « idle »: wait until each
    # kernel's memory stops growing (its imports done).
    for name in with_kernel:
        deadline, last = time.monotonic() + 60, -1.0
        while abs(pss_mib(name) - last) > 1:
            assert time.monotonic() < deadline, f"la mémoire du noyau de {name} ne se stabilise pas"
            last = pss_mib(name)
            time.sleep(1.5)
        assert "ipykernel" in run(["ps", "-u", name, "-o", "args="]).stdout, name
    busy = [pss_mib(name) for name in with_kernel]
    for name, kernel in kernels.items():
        hub.server("DELETE", name, f"api/kernels/{kernel}")
    # The hub and its root children (proxy, culler, formgrader): a fixed cost, whatever the group.
    hub_pids = run(["ps", "-o", "pid=,user=", "--ppid", str(hub.process.pid), "-p", str(hub.process.pid)]).stdout
    root_pids = [row.split()[0] for row in hub_pids.splitlines() if row.split()[1] == "root"]
    fixed = sum(process_pss_mib(pid) for pid in root_pids)
    per_learner = sum(busy) / len(busy)
    fit = int((24 * GIB - SYSTEM_RESERVE_MIB - fixed) // per_learner)
    MEASURES.update({
        "mémoire par apprenant sans noyau (PSS, Mio, moyenne des 20)": round(sum(idle) / len(idle)),
        "mémoire par apprenant avec un noyau inactif (PSS, Mio)": round(per_learner),
        "hub, proxy et services (PSS, Mio)": round(fixed),
        "apprenants avec un noyau dans 24 Gio (2 Gio au système)": fit,
    })
    assert per_learner > sum(idle) / len(idle)  # a kernel costs something: the measure saw it


def test_end_of_session_removes_the_learners_accounts(hub, cohorte):
    """The guide's end of session: the learners' servers stopped (by the admin panel, or by stopping
    the hub), then « formation comptes supprimer »."""
    import pwd
    names = [*LEARNERS, *NAMES]
    for name in names:
        assert hub.api("DELETE", f"/hub/api/users/{name}/server", TRAINER).status_code in (202, 204)
    deadline = time.monotonic() + 120
    while any(hub.api("GET", f"/hub/api/users/{name}", TRAINER).json()["servers"] for name in names):
        assert time.monotonic() < deadline, f"serveurs non arrêtés en 120 s\n{hub.log()}"
        time.sleep(0.5)
    homes = [pwd.getpwnam(name).pw_dir for name in names]
    uids = {str(pwd.getpwnam(name).pw_uid) for name in names}
    output = hub.formation("comptes", "supprimer", "--oui")
    assert f"{len(names)} compte(s) supprimé(s)" in output, output
    for name, home in zip(names, homes):
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
        assert not os.path.exists(home)
    # No process left under any of their uids, not even a zombie (servers and kernels stopped and reaped).
    assert not uids & set(run(["ps", "-e", "-o", "uid="]).stdout.split())
