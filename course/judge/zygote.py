"""A template process that forks one sandbox per copy, with IPython and pandas already loaded.

Starting Python, IPython, pandas and matplotlib costs seconds per copy; the learner's
cells then run in milliseconds. This process (started by ``sandbox.py`` with a fresh
``python -I``, as root, never forked from the trainer's process: it holds no key, no
reference value and no learner's work) imports them once. For each copy it is sent a
spec file's path and two descriptors (the report pipe, the error file), and forks:

    zygote ── fork ──> warden (root): unshare(mount, PID, network) ── fork ──> job, PID 1
                                                                              of the new
                                                                              namespace

The job makes its mounts private, mounts its own /proc, hides the session, exchange,
homes, temporary folders and checkout exactly as ``enter.py`` does, takes a fresh
environment, drops to the pool account with its limits and no new privileges, and only
then reads the job and runs the learner's code. When it ends, the kernel ends every
process left in its namespace; it dies with its warden (the trainer's side kills the
warden on a timeout), and the account sweep still runs afterwards.

What one copy does in its child never reaches the template (copy-on-write memory, its
own namespaces and uid), hence never another copy. The template reads nothing of a copy
but its spec's path. Control messages come on a socket the children close first thing.
"""
from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import socket
import sys

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG = 1
MESSAGE_BYTES = 4096

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what} : {os.strerror(errno)}")


MS_RDONLY, MS_REMOUNT, MS_BIND, MS_MOVE = 1, 32, 4096, 8192


def mount(*args: str) -> None:
    """The mount(8) calls of ``enter.hide``, made directly (no program started per mount)."""
    def call(source, target, fstype, flags, data=None):
        _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                           data and data.encode()), f"mount {' '.join(args)}")

    match args:
        case ("-t", "tmpfs", "-o", options, "tmpfs", target):
            call("tmpfs", target, "tmpfs", 0, options)
        case ("--bind", source, target):
            call(source, target, None, MS_BIND)
        case ("--move", source, target):
            call(source, target, None, MS_MOVE)
        case ("-o", "remount,bind,ro", target):
            # Keep the flags the mount already has (nosuid, nodev, noexec), as mount(8) does.
            kept = os.statvfs(target).f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC)
            call(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)
        case ("-o", "remount,ro", target):
            kept = os.statvfs(target).f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC)
            call(None, target, None, MS_REMOUNT | MS_RDONLY | kept)
        case _:
            raise ValueError(f"montage inattendu : {args}")


def preload() -> None:
    """What every copy would import anyway, imported once (no learner data is read here)."""
    import IPython.core.interactiveshell  # noqa: F401
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (builds the font list once)
    import pandas  # noqa: F401
    import course  # noqa: F401
    import course.grading  # noqa: F401
    import course.paths  # noqa: F401
    import course.verifications  # noqa: F401
    from . import enter, runner  # noqa: F401


def _reseed() -> None:
    """Each copy gets its own random state, as a fresh process would."""
    import random
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(int.from_bytes(os.urandom(4), "little"))


def _job(spec: dict, report_fd: int) -> None:
    """PID 1 of the new namespaces: private mounts, own /proc, hide, drop, run."""
    from . import enter, runner

    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    _check(_libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "mount proc")
    if spec["hidden"]:
        enter.hide(spec["keep"], spec["hidden"], spec["stash"], spec["workdir"], mount)
    os.environ.clear()
    os.environ.update(spec["env"])
    enter.drop_privileges(spec["uid"], spec["gid"], spec["limits"])
    os.chdir(spec["workdir"])
    _reseed()
    runner.serve(spec["job"], report_fd)


def _warden(spec_path: str, report_fd: int, errors_fd: int) -> None:
    """Root, in the template's namespaces until unshare; never runs learner code itself."""
    os.setsid()
    os.dup2(errors_fd, 2)
    os.dup2(errors_fd, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    for fd in (devnull, errors_fd):
        os.close(fd)
    os.closerange(3, report_fd)  # the control socket first of all
    os.closerange(report_fd + 1, 65536)
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET), "unshare")
    # The job cannot ask for its parent's pid (outside its namespace, it reads 0): it learns
    # whether the warden is still there from this pipe, whose write end only the warden holds.
    alive, held = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
            os.close(held)
            if select.select([alive], [], [], 0)[0]:  # end of file: the warden is already gone
                os._exit(1)
            os.close(alive)
            _job(spec, report_fd)
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    os.close(report_fd)
    os.close(alive)
    _, status = os.waitpid(child, 0)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def serve(control: socket.socket) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # wardens are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the trainer's process to handle
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(control, MESSAGE_BYTES, 2)
        except OSError:
            return
        if not message:
            return  # the trusted side has gone: so do we
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            control.send(b'{"erreur": "descripteurs"}')
            continue
        spec_path = json.loads(message)["spec"]
        report_fd, errors_fd = fds
        pid = os.fork()
        if pid == 0:
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                control.close()
                _warden(spec_path, report_fd, errors_fd)
            except BaseException:
                import traceback
                traceback.print_exc()  # into the copy's error file once the warden has set it up
                sys.stderr.flush()
            finally:
                os._exit(127)
        os.close(report_fd)
        os.close(errors_fd)
        control.send(json.dumps({"pid": pid}).encode())


def main() -> None:
    # The template leaves when the trusted side's end of the control socket closes, which the
    # kernel does when that process ends, however it ends. (Not PR_SET_PDEATHSIG: it fires
    # when the *thread* that started us ends, and a worker thread may start us.)
    control = socket.socket(fileno=int(sys.argv[1]))
    preload()
    control.send(b'{"pret": true}')
    serve(control)


if __name__ == "__main__":
    main()
