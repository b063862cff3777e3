"""First step inside the sandbox's fresh namespaces, still privileged: hide, drop, run.

Started by ``sandbox.py`` through ``unshare`` with a spec file naming what to hide and
what to keep. It lays empty, read-only filesystems over the hidden roots (the session,
the exchange, homes, temporary folders, the course checkout), puts back only what the
runner needs (Python, the course package and its data, the learner's private copy), then
gives up every privilege before any learner code is loaded.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys

PR_SET_NO_NEW_PRIVS = 38


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def hide(keep: list[str], hidden: list[str], stash: str, writable: str, _mount=_mount) -> None:
    """Cover each hidden root with an empty filesystem, then bring back the kept paths.

    ``_mount`` takes mount(8)'s arguments (the template process passes a version that
    makes the same calls without starting a program each time)."""
    os.umask(0o022)  # the mount points made below must be crossable by the sandbox account
    _mount("-t", "tmpfs", "-o", "mode=0700", "tmpfs", stash)
    moved = []
    for number, path in enumerate(keep):
        if any(path == root or path.startswith(root.rstrip("/") + "/") for root in hidden):
            target = os.path.join(stash, str(number))
            os.mkdir(target)
            _mount("--bind", path, target)
            if path != writable:
                _mount("-o", "remount,bind,ro", target)
            moved.append((target, path))
    for root in hidden:
        _mount("-t", "tmpfs", "-o", "mode=0755,size=16m", "tmpfs", root)
    for target, path in moved:
        os.makedirs(path, exist_ok=True)
        _mount("--move", target, path)
    for root in hidden:  # nothing can be written there, not even by a mapped root
        _mount("-o", "remount,ro", root)
    _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", stash)  # leaves nothing behind in view


def drop_privileges(uid: int | None, gid: int | None, limits: dict) -> None:
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    for name, value in limits.items():
        which = getattr(resource, name)
        resource.setrlimit(which, (value, value))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    if spec["hidden"]:
        hide(spec["keep"], spec["hidden"], spec["stash"], spec["workdir"])
    drop_privileges(spec["uid"], spec["gid"], spec["limits"])
    os.chdir(spec["workdir"])
    python = spec["python"]
    os.execve(python, [python, "-I", "-m", "course.judge.runner", spec["job"]], spec["env"])


if __name__ == "__main__":
    main()
