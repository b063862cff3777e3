"""Unix accounts for a training server (JupyterHub with real users, see deploy/hub/).

Each learner of the session's roster gets an account of the same name, so that
nbgrader's exchange (which names a submission after the unix user) and ``formation
collecter`` (which refuses a deposit made under another's name) see the same identity.

- homes are created mode 0700: Debian's ``useradd -m`` makes them 0755 and learners
  could read each other's work (verified on these machines);
- every account gets its own random password, printed once for the trainer (never
  stored by the tool, never one password shared by the group); JupyterHub's PAM login
  cannot take « change your password at first login », so the learner may change it
  afterwards with ``passwd`` in a JupyterLab terminal;
- an account that already exists keeps its password unless asked (``--nouveaux-mots-de-passe``).

Commands run through ``Runner`` so that tests check what would run without creating accounts.
"""
from __future__ import annotations

import grp
import os
import pwd
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..judge.sandbox import processes_of
from .errors import FormationError
from .integrity import account_exists

# No 0/O, 1/l/I: read off a printed slip without ambiguity.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12
LEARNER_GROUP = "apprenants"
TRAINER_GROUP = "formateurs"

Runner = Callable[[Sequence[str], str | None], None]


def run_command(command: Sequence[str], stdin: str | None = None) -> None:
    result = subprocess.run(list(command), input=stdin, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        shown = " ".join(command[:1] + ["…"]) if stdin else " ".join(command)
        raise FormationError(f"« {shown} » a échoué : {(result.stderr or result.stdout).strip()[:300]}")


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


@dataclass(frozen=True)
class Account:
    name: str
    password: str | None  # None: existing account, password unchanged
    created: bool


def _require_root() -> None:
    if os.geteuid() != 0:
        raise FormationError("Créer ou supprimer des comptes demande les droits root : relancez avec sudo.")


def ensure_accounts(names: Sequence[str], group: str, new_passwords: bool = False,
                    runner: Runner = run_command, exists: Callable[[str], bool] = account_exists,
                    group_present: Callable[[str], bool] = group_exists) -> list[Account]:
    """Create the missing accounts (home 0700, member of ``group``) and set passwords.

    Returns one Account per name, with the password to hand out (None when unchanged).
    """
    if not group_present(group):
        runner(["groupadd", group], None)
    accounts, passwords = [], []
    for name in names:
        created = not exists(name)
        if created:
            # -K HOME_MODE=0700: private home from the start; -U: a group of one's own.
            runner(["useradd", "--create-home", "-K", "HOME_MODE=0700", "--user-group",
                    "--shell", "/bin/bash", "--groups", group, name], None)
        else:
            runner(["usermod", "--append", "--groups", group, name], None)
        # Also for accounts made earlier with the distribution's default 0755.
        runner(["chmod", "0700", _home(name, exists)], None)
        password = new_password() if created or new_passwords else None
        if password:
            passwords.append(f"{name}:{password}")
        accounts.append(Account(name, password, created))
    if passwords:
        runner(["chpasswd"], "\n".join(passwords) + "\n")
    return accounts


def _home(name: str, exists: Callable[[str], bool]) -> str:
    try:
        return pwd.getpwnam(name).pw_dir
    except KeyError:
        return f"/home/{name}"  # just created under a dry runner: useradd's default


def remove_accounts(names: Sequence[str], runner: Runner = run_command,
                    exists: Callable[[str], bool] = account_exists) -> list[str]:
    """Delete the accounts and their homes (end of session); returns the names removed."""
    removed = []
    for name in names:
        if not exists(name):
            continue
        # Processes still running (a learner's server) would make userdel refuse.
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:  # a dry run's account, never created
            uid = None
        for _ in range(20):
            if uid is not None and not any(_alive(pid) for pid in processes_of(uid)):
                break  # none left running
            if subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True, timeout=30).returncode != 0:
                break
            time.sleep(0.25)
        # Ended processes whose parent (a running hub) has not collected them yet are dead already:
        # they hold nothing, and userdel would wrongly count them as a user still at work.
        left = processes_of(uid) if uid is not None else []
        force = ["--force"] if left and not any(_alive(pid) for pid in left) else []
        runner(["userdel", "--remove", *force, name], None)
        removed.append(name)
    return removed


def _alive(pid: int) -> bool:
    """Still running: not ended and waiting for its parent to collect it (a « zombie »)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def password_sheet(accounts: Sequence[Account], hub_url: str | None) -> str:
    """The text the trainer prints and cuts into one slip per learner."""
    lines = []
    for account in accounts:
        if account.password is None:
            lines.append(f"{account.name}\t(compte existant : mot de passe inchangé)")
        else:
            lines.append(f"{account.name}\t{account.password}")
    header = "identifiant\tmot de passe"
    if hub_url:
        header = f"Adresse du serveur : {hub_url}\n{header}"
    return header + "\n" + "\n".join(lines) + "\n"


def write_sheet(path: Path, text: str) -> None:
    """Passwords on disk are the trainer's alone (0600), to print and then delete."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


def create_learner_accounts(names: Sequence[str], new_passwords: bool = False, **kwargs) -> list[Account]:
    _require_root()
    return ensure_accounts(names, LEARNER_GROUP, new_passwords, **kwargs)


def create_trainer_account(name: str, new_password: bool = False, **kwargs) -> Account:
    _require_root()
    return ensure_accounts([name], TRAINER_GROUP, new_password, **kwargs)[0]


def delete_accounts(names: Sequence[str], **kwargs) -> list[str]:
    _require_root()
    return remove_accounts(names, **kwargs)
