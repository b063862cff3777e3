"""« formation comptes » : what it would run to create the training server's accounts.

No account is created here: commands go to a recording runner (the real accounts are
exercised by tests/test_hub.py, as root, behind « make test-hub »).
"""
from __future__ import annotations

import os
import stat
import time

import pytest

from course.formation import cli, comptes


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, command, stdin=None):
        self.calls.append((list(command), stdin))

    def commands(self, name):
        return [c for c, _ in self.calls if c[0] == name]


def test_new_accounts_get_private_homes_and_their_own_passwords():
    runner = Recorder()
    accounts = comptes.ensure_accounts(["amartin", "bdurand", "cpetit"], comptes.LEARNER_GROUP,
                                       runner=runner, exists=lambda name: False, group_present=lambda g: False)
    assert runner.commands("groupadd") == [["groupadd", "apprenants"]]
    useradds = runner.commands("useradd")
    assert len(useradds) == 3
    for command in useradds:
        assert "HOME_MODE=0700" in command and "--create-home" in command
        assert command[command.index("--groups") + 1] == "apprenants"
    assert [c[-1] for c in runner.commands("chmod")] == ["/home/amartin", "/home/bdurand", "/home/cpetit"]
    passwords = [a.password for a in accounts]
    assert len(set(passwords)) == 3, "jamais un mot de passe commun"
    assert all(len(p) == comptes.PASSWORD_LENGTH and set(p) <= set(comptes.PASSWORD_ALPHABET) for p in passwords)
    (chpasswd, stdin), = [(c, s) for c, s in runner.calls if c[0] == "chpasswd"]
    assert stdin.splitlines() == [f"{a.name}:{a.password}" for a in accounts]


def test_existing_accounts_keep_their_password_unless_asked():
    runner = Recorder()
    accounts = comptes.ensure_accounts(["amartin"], comptes.LEARNER_GROUP, runner=runner,
                                       exists=lambda name: True, group_present=lambda g: True)
    assert accounts[0].password is None and not accounts[0].created
    assert not runner.commands("useradd") and not runner.commands("chpasswd")
    assert runner.commands("usermod") == [["usermod", "--append", "--groups", "apprenants", "amartin"]]
    assert runner.commands("chmod"), "un dossier personnel créé en 0755 auparavant est refermé"
    renewed = comptes.ensure_accounts(["amartin"], comptes.LEARNER_GROUP, new_passwords=True, runner=Recorder(),
                                      exists=lambda name: True, group_present=lambda g: True)
    assert renewed[0].password


def test_password_sheet_lists_each_learner_once():
    accounts = [comptes.Account("amartin", "abcDEF234567", True), comptes.Account("bdurand", None, False)]
    sheet = comptes.password_sheet(accounts, "https://formation.exemple.fr")
    assert sheet.splitlines()[0] == "Adresse du serveur : https://formation.exemple.fr"
    assert "amartin\tabcDEF234567" in sheet
    assert "bdurand\t(compte existant : mot de passe inchangé)" in sheet


def test_written_sheet_is_private(tmp_path):
    path = tmp_path / "mots_de_passe.txt"
    comptes.write_sheet(path, "x\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="vérifie le refus hors root")
def test_accounts_need_root():
    with pytest.raises(comptes.FormationError, match="root"):
        comptes.create_learner_accounts(["amartin"])


def test_french_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["comptes", "creer", "--aide"])
    out = capsys.readouterr().out
    assert "Utilisation : formation comptes creer" in out
    assert "--nouveaux-mots-de-passe" in out and "une seule fois" in out


def test_delete_requires_confirmation(capsys, tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["--session", str(tmp_path), "comptes", "supprimer"])
    assert "arguments obligatoires manquants : --oui" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() != 0, reason="créer un processus d'un autre compte demande root")
def test_deleting_an_account_whose_processes_have_ended_but_not_been_collected(monkeypatch):
    """A stopped JupyterLab whose hub has not collected it yet leaves an ended process (« zombie »)
    under the learner's uid: deletion neither waits for it to die nor lets userdel refuse."""
    import types

    uid = 64_999  # no account has it: only the ended process below
    child = os.fork()
    if child == 0:  # ends at once as that uid; not collected until the end of the test
        os.setuid(uid)
        os._exit(0)
    try:
        for _ in range(250):  # the child's exit takes a moment to show in /proc
            ended = [pid for pid in comptes.processes_of(uid) if not comptes._alive(pid)]
            if ended:
                break
            time.sleep(0.02)
        assert ended, "le processus terminé n'apparaît pas"
        monkeypatch.setattr(comptes.pwd, "getpwnam", lambda name: types.SimpleNamespace(pw_uid=uid))
        naps = []
        monkeypatch.setattr(comptes, "time", types.SimpleNamespace(sleep=naps.append))
        runner = Recorder()
        assert comptes.remove_accounts(["fantome"], runner=runner, exists=lambda name: True) == ["fantome"]
        assert runner.commands("userdel") == [["userdel", "--remove", "--force", "fantome"]]
        assert naps == [], "aucune attente pour un processus déjà terminé"
    finally:
        os.waitpid(child, 0)
