"""Screening of the exchange with real unix accounts: no faked lookup (upstream nbgrader#1097).

Kept apart from test_formation.py, whose scripted session fakes the uid-to-name lookup
for the whole module.
"""
import os
import secrets
import shutil

import pytest

from course.formation import integrity

ASSIGNMENT = "module0"


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                    reason="créer de vrais comptes unix demande root (c'est le cas en CI)")
def test_impersonation_with_real_unix_accounts(tmp_path):
    import subprocess

    from course.formation.session import Session

    names = [f"dnsfx{secrets.token_hex(3)}" for _ in range(2)]
    victim, intruder = names
    try:
        for name in names:
            subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
        session = Session(tmp_path / "session", "dns-test", tmp_path / "echange")
        inbound = session.exchange / session.course_id / "inbound"
        inbound.mkdir(parents=True)
        genuine = inbound / f"{victim}+{ASSIGNMENT}+2026-12-01 09:00:00.000000 UTC+aa"
        forged = inbound / f"{victim}+{ASSIGNMENT}+2026-12-01 10:00:00.000000 UTC+bb"
        for folder, owner in ((genuine, victim), (forged, intruder)):
            folder.mkdir()
            (folder / "module0_evaluation.ipynb").write_text(f"{{}} de {owner}", encoding="utf-8")
            for path in (folder, folder / "module0_evaluation.ipynb"):
                shutil.chown(path, owner, owner)
        collected, refusals = integrity.screen_and_collect(session, ASSIGNMENT, set(names))
        assert [(r.claimed, r.owner) for r in refusals] == [(victim, intruder)]
        assert genuine.exists() and not forged.exists()
        assert (session.quarantine / ASSIGNMENT / forged.name).is_dir()
        # The newer, forged deposit is refused: the victim's own work is the one collected.
        assert collected == [victim]
        copy = session.folder / "submitted" / victim / ASSIGNMENT / "module0_evaluation.ipynb"
        assert copy.read_text(encoding="utf-8") == f"{{}} de {victim}"
    finally:
        for name in names:
            subprocess.run(["userdel", name], capture_output=True)
