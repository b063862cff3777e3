"""Screening of submissions in the exchange before nbgrader collects them.

nbgrader's exchange accepts a submission made under another learner's name and
``collect`` only logs a warning (upstream jupyter/nbgrader#1097). Here a submission
whose folder belongs to another account than the learner it claims to be is moved to
the session's quarantine, so that the learner's own submission is the one collected.
"""
from __future__ import annotations

import json
import pwd
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime

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


def screen_inbound(session: Session, assignment: str, roster: set[str]) -> list[Refusal]:
    inbound = session.exchange / session.course_id / "inbound"
    refusals = []
    for entry in sorted(inbound.glob(f"*+{assignment}+*")):
        claimed = entry.name.split("+", 1)[0]
        uid = entry.stat().st_uid
        reason = _verdict(claimed, account_name(uid), uid, roster)
        if reason is None:
            continue
        target = session.quarantine / assignment / entry.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(entry), target)
        refusals.append(Refusal(entry.name, claimed, account_name(uid) or f"uid {uid}", reason, str(target)))
    if refusals:
        _append_log(session, refusals)
    return refusals


def quarantine_log(session: Session) -> list[dict]:
    path = session.quarantine / "journal.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _append_log(session: Session, refusals: list[Refusal]) -> None:
    entries = quarantine_log(session)
    now = datetime.now().isoformat(timespec="seconds")
    entries += [{**asdict(r), "le": now} for r in refusals]
    path = session.quarantine / "journal.json"
    path.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
