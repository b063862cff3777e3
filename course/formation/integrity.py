"""Collecting submissions from the exchange: who made each deposit, and is it safe to copy.

nbgrader's exchange accepts a submission made under another learner's name and its
``collect`` only logs a warning (upstream jupyter/nbgrader#1097); it also follows links
when it copies, as root. Here a deposit whose folder (examined itself, with lstat)
belongs to another account than the learner it names, or that holds anything but plain
files, is moved to the session's quarantine with a French reason, and each learner's
newest acceptable deposit is copied by ``depots.copy_deposit``.
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from . import depots
from .session import Session


@dataclass(frozen=True)
class Refusal:
    submission: str
    claimed: str
    owner: str
    reason: str
    moved_to: str


def account_name(uid: int) -> str | None:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _verdict(claimed: str, owner: str | None, owner_uid: int, roster: set[str]) -> str | None:
    """Why a submission must be refused, or None to accept it."""
    if claimed not in roster:
        return f"« {claimed} » n'est pas un apprenant de la session"
    if owner == claimed:
        return None
    shown = owner or f"uid {owner_uid}"
    if owner in roster:
        return f"déposée au nom de « {claimed} » par l'apprenant « {owner} »"
    if account_exists(claimed):
        return f"déposée au nom de « {claimed} » par le compte « {shown} »"
    # Learners without unix accounts of their own (one shared account): nothing to compare.
    return None


def _stamp_file(folder: Path) -> str | None:
    try:
        fd = os.open(folder / "timestamp.txt", os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read(200).decode("utf-8", "replace").strip() or None


def _quarantine(session: Session, assignment: str, deposit: depots.Deposit, reason: str,
                owner: str | None) -> Refusal:
    target = session.quarantine / assignment / deposit.path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # A rename moves the entry itself, links included, without reading or following it.
        os.rename(deposit.path, target)
        moved_to = str(target)
    except OSError:
        moved_to = "(laissé dans l'échange, ignoré aux prochaines collectes)"
    return Refusal(deposit.path.name, deposit.learner, owner or f"uid {deposit.owner_uid}", reason, moved_to)


def screen_and_collect(session: Session, assignment: str, roster: set[str]) -> tuple[list[str], list[Refusal]]:
    """Copy each learner's newest acceptable deposit into ``submitted/``; quarantine the rest.

    Returns the learners whose copy is new, and the refusals. A deposit already refused
    (it is in the journal) is never looked at again.
    """
    inbound = session.exchange / session.course_id / "inbound"
    refused_before = {entry.get("submission") for entry in quarantine_log(session)}
    refusals, candidates = [], {}
    for deposit in depots.deposits(inbound, assignment):
        if deposit.path.name in refused_before:
            continue
        owner = account_name(deposit.owner_uid)
        reason = _verdict(deposit.learner, owner, deposit.owner_uid, roster)
        if reason is None and deposit.when is None:
            reason = "horodatage illisible dans le nom du dépôt"
        if reason:
            refusals.append(_quarantine(session, assignment, deposit, reason, owner))
        else:
            candidates.setdefault(deposit.learner, []).append(deposit)
    collected = []
    for learner, found in sorted(candidates.items()):
        target = session.folder / "submitted" / learner / assignment
        current = _stamp_file(target)
        for deposit in sorted(found, key=lambda d: d.when, reverse=True):
            if deposit.stamp == current:
                break  # the newest acceptable deposit is already collected
            staging = target.with_name(f".{assignment}.collecte")
            shutil.rmtree(staging, ignore_errors=True)
            staging.parent.mkdir(parents=True, exist_ok=True)
            try:
                depots.copy_deposit(deposit, staging)
            except depots.Refused as exc:
                refusals.append(_quarantine(session, assignment, deposit, str(exc),
                                            account_name(deposit.owner_uid)))
                continue
            # The time comes from the deposit's name, as nbgrader reads it, not from its content.
            (staging / "timestamp.txt").write_text(deposit.stamp, encoding="utf-8")
            shutil.rmtree(target, ignore_errors=True)
            os.rename(staging, target)
            collected.append(learner)
            break
    if refusals:
        _append_log(session, refusals)
    return collected, refusals


def quarantine_log(session: Session) -> list[dict]:
    path = session.quarantine / "journal.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _append_log(session: Session, refusals: list[Refusal]) -> None:
    entries = quarantine_log(session)
    now = datetime.now().isoformat(timespec="seconds")
    entries += [{**asdict(r), "le": now} for r in refusals]
    path = session.quarantine / "journal.json"
    path.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
