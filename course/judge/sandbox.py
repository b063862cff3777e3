"""Run a learner's copy in a sandbox and bring back its report as checked, plain data.

Isolation, strongest first (the mode in force is reported to the trainer):

- « compte dédié » (run as root, as ``formation`` usually is): a dedicated unprivileged
  account, fresh PID, mount and network namespaces (no network, no view of other
  processes), the session, exchange, homes, temporary folders and the course checkout
  hidden under empty read-only filesystems, limits on memory, processes, file size and
  open files, and every process of the account ended afterwards;
- « espace de noms » (an ordinary user with user namespaces): the same namespaces and
  hidden folders, under the user's own uid;
- « limitée » (neither): limits and a process group only.

Whatever happens inside, the namespace's first process is the runner: when it ends, the
kernel ends every process left in the namespace, so nothing survives to hold a pipe or
rewrite a file later.
"""
from __future__ import annotations

import fcntl
import json
import os
import pwd
import select
import shutil
import signal
import socket
import stat
import threading
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# Each run takes one account of a pool, held by a lock for the whole run: the sweep that
# ends every process of « its » account can then never touch another run's processes
# (two sessions graded at once, or parallel grading).
SANDBOX_ACCOUNT = "formation-juge"
POOL_SIZE = 16
LOCKS = Path("/run/formation-juge")
MAX_LINE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 180.0
    cell_seconds: float = 20.0
    memory_bytes: int = 4 * 1024 ** 3
    processes: int = 64
    file_bytes: int = 64 * 1024 ** 2
    open_files: int = 256
    report_bytes: int = 16 * 1024 ** 2


@dataclass
class RunReport:
    records: dict[int, dict] = field(default_factory=dict)
    ready: bool = False  # the runner started: from here on, the learner's code was running
    complete: bool = False
    timed_out: bool = False
    overflow: bool = False
    isolation: str = ""
    seconds: float = 0.0
    diagnostic: str = ""  # the end of the sandbox's own error output, when it could not start


class SandboxError(RuntimeError):
    """The sandbox could not be set up (a problem of the machine, explained in French)."""


def _is_root() -> bool:
    return os.geteuid() == 0


@lru_cache(maxsize=1)
def _userns_available() -> bool:
    try:
        return subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork",
                               "--net", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def isolation_mode() -> str:
    if _is_root():
        return "compte dédié"
    return "espace de noms" if _userns_available() else "limitée"


def sandbox_account(number: int) -> tuple[int, int]:
    """uid and gid of the pool's account ``number``, created on first use (root only)."""
    name = f"{SANDBOX_ACCOUNT}{number}"
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        result = subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                                 "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
                                capture_output=True, text=True)
        if result.returncode not in (0, 9):  # 9: created meanwhile by another run
            raise SandboxError(f"Impossible de créer le compte de correction « {name} » : {result.stderr.strip()}")
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise SandboxError(f"Le compte « {name} » a l'uid 0 : refus de corriger sous root.")
    return entry.pw_uid, entry.pw_gid


def take_account() -> tuple[int, int, int]:
    """A free account of the pool: (uid, gid, lock descriptor to close when the run is over)."""
    LOCKS.mkdir(mode=0o700, exist_ok=True)
    while True:
        for number in range(POOL_SIZE):
            fd = os.open(LOCKS / f"{number}.verrou", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                uid, gid = sandbox_account(number)
            except BaseException:
                os.close(fd)
                raise
            end_account_processes(uid)  # whatever a crashed run may have left
            return uid, gid, fd
        time.sleep(0.2)  # every account busy: wait for one


def processes_of(uid: int) -> list[int]:
    """Every process of ``uid`` on the machine, as /proc lists them."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                pass
    return pids


def end_account_processes(uid: int) -> int:
    """Kill every process of ``uid`` (the account sweep); returns how many were found."""
    found = 0
    for _attempt in range(20):
        pids = processes_of(uid)
        if not pids:
            return found
        found += len(pids)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    return found


def _untraversable_ancestor(path: Path) -> Path | None:
    """The highest ancestor of ``path`` that others cannot enter (e.g. /root, mode 0700)."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not (parent.stat().st_mode & stat.S_IXOTH):
            return parent
    return None


def _needed_paths() -> list[Path]:
    """What the runner reads: the Python installation, the environment, the course and its data."""
    from ..paths import data_dir

    package = Path(__file__).resolve().parent.parent
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), package, data_dir().resolve()}
    return sorted(paths)


def _hidden_roots(extra: list[Path], keep: list[Path]) -> list[str]:
    roots = {Path(p) for p in ("/root", "/home", "/tmp", "/var/tmp", "/dev/shm", "/srv", "/mnt", "/media")}
    package = Path(__file__).resolve().parent.parent
    if (package.parent / "pyproject.toml").exists():  # a checkout: its solutions/ hold the keys
        roots.add(package.parent)
    roots.update(Path(p).resolve() for p in extra)
    for path in keep:
        ancestor = _untraversable_ancestor(path)
        if ancestor:
            roots.add(ancestor)
    existing = sorted((r for r in roots if r.is_dir() and not r.is_symlink()), key=lambda r: len(r.parts))
    kept: list[Path] = []
    for root in existing:  # a root inside another is already hidden
        if not any(root == k or k in root.parents for k in kept):
            kept.append(root)
    return [str(r) for r in kept]


def copy_regular_files(source: Path, target: Path, max_bytes: int) -> list[str]:
    """Copy the regular files directly in ``source``; never follows a link. Returns what was skipped."""
    skipped = []
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        info = entry.stat(follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            skipped.append(entry.name)
            continue
        fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as src, open(target / entry.name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return skipped


def _environment(workdir: Path) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "IPYTHONDIR": str(workdir / ".ipython"), "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        # No friendly error handler while grading (course/verifications.py): errors must show.
        "COURS_NOTATION": "1",
    }
    for name in ("COURSE_DATA_DIR", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _read_report(fd: int, limits: Limits, report: RunReport) -> None:
    deadline = time.monotonic() + limits.wall_seconds
    buffer, total = b"", 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            report.timed_out = True
            return
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        total += len(chunk)
        if total > limits.report_bytes:
            report.overflow = True
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            _accept(line, report)
        if len(buffer) > MAX_LINE_BYTES:
            report.overflow = True
            return


def _accept(line: bytes, report: RunReport) -> None:
    from .report import parse_record

    record = parse_record(line)
    if record is None:
        return
    if record.get("ready"):
        report.ready = True
    elif record.get("done"):
        report.complete = True
    elif "index" in record and record["index"] not in report.records:
        report.records[record["index"]] = record


def run(job: dict, submission: Path, hidden: list[Path] = (), limits: Limits = Limits(),
        unconfined: bool = False, attempts: int = 3) -> RunReport:
    """Run ``job`` on a private copy of the regular files of ``submission``.

    A sandbox that fails before its runner starts (a busy machine: seen under heavy load)
    is tried again; once the learner's code has run, never. ``unconfined`` runs the same
    runner with limits only, as the invoking user: for the benchmark that measures what
    the isolation costs, never for grading.
    """
    for _attempt in range(attempts):
        report = _run_once(job, submission, hidden, limits, unconfined)
        if report.ready:
            break
        time.sleep(0.5)
    return report


def _run_once(job: dict, submission: Path, hidden: list[Path], limits: Limits, unconfined: bool) -> RunReport:
    started = time.monotonic()
    report = RunReport(isolation="limitée" if unconfined else isolation_mode())
    root = _is_root() and not unconfined
    uid, gid, lock = take_account() if root else (None, None, None)
    private = Path(tempfile.mkdtemp(prefix="formation-juge-"))  # 0700, ours
    stash = Path(tempfile.mkdtemp(prefix="pile-", dir=LOCKS if root else "/var/tmp"))
    workdir = private / "copie"
    workdir.mkdir()
    process = warden = None
    try:
        copy_regular_files(submission, workdir, limits.file_bytes)
        (workdir / "travail.json").write_text(json.dumps({**job, "cell_timeout": limits.cell_seconds}),
                                              encoding="utf-8")
        if root:
            os.chmod(private, 0o711)  # the account may cross it to its copy, not list it
            for path in [workdir, *workdir.iterdir()]:
                os.chown(path, uid, gid, follow_symlinks=False)
        keep = _needed_paths()
        spec = {
            "keep": [str(p) for p in keep] + [str(workdir)],
            "hidden": _hidden_roots(list(hidden), keep) if report.isolation != "limitée" else [],
            "stash": str(stash), "workdir": str(workdir), "uid": uid, "gid": gid,
            "python": sys.executable, "job": str(workdir / "travail.json"), "env": _environment(workdir),
            "limits": {"RLIMIT_AS": limits.memory_bytes, "RLIMIT_FSIZE": limits.file_bytes,
                       "RLIMIT_NOFILE": limits.open_files, "RLIMIT_CORE": 0,
                       "RLIMIT_CPU": int(limits.wall_seconds) + 5,
                       **({"RLIMIT_NPROC": limits.processes} if root else {})},
        }
        spec_path = stash.with_name(stash.name + ".json")
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        template = _template() if root else None
        launched = template.launch(spec_path, private / "erreurs.txt") if template is not None else None
        if launched is not None:
            warden, read_end = launched
            try:
                _read_report(read_end, limits, report)
            finally:
                os.close(read_end)
        else:
            process = _start(spec_path, private, report.isolation, root)
            _read_report(process.stdout.fileno(), limits, report)
    finally:
        if warden is not None:
            warden.end(finished=not (report.timed_out or report.overflow))
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
            process.stdout.close()
        if uid is not None:
            end_account_processes(uid)
            os.close(lock)
        if not report.records:
            try:
                with open(private / "erreurs.txt", "rb") as handle:
                    handle.seek(0, os.SEEK_END)
                    handle.seek(max(0, handle.tell() - 2000))
                    report.diagnostic = handle.read().decode("utf-8", "replace")
            except OSError:
                pass
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(stash, ignore_errors=True)
        stash.with_name(stash.name + ".json").unlink(missing_ok=True)
    report.seconds = time.monotonic() - started
    return report


def _start(spec_path: Path, private: Path, isolation: str, root: bool) -> subprocess.Popen:
    """The sandbox as a new program: ``unshare``, then ``enter``, then the runner (a fresh Python)."""
    command = [sys.executable, "-I", "-m", "course.judge.enter", str(spec_path)]
    if isolation != "limitée":
        namespaces = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
                      "--mount-proc", "--net"]
        if not root:
            namespaces[1:1] = ["--user", "--map-root-user"]
        command = namespaces + command
    errors = open(private / "erreurs.txt", "wb")  # the learner's code writes to /dev/null, not here
    with errors:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=errors, start_new_session=True, cwd="/",
                                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"})


# --- the template process (zygote.py): the same sandbox, without starting Python each time ---

TEMPLATE_START_SECONDS = 300.0
_template_lock = threading.Lock()
_template_instance: "_Template | None" = None
_template_failed = False


class _Warden:
    """The template's child that holds one copy's namespaces; ending it ends the copy."""

    def __init__(self, pid: int):
        self.pid = pid
        try:  # a handle that cannot hit another process once this one is gone and its number reused
            self.handle = os.pidfd_open(pid)
        except OSError:
            self.handle = None

    def end(self, finished: bool) -> None:
        if self.handle is not None:
            # Once its job has ended (the report's end), the warden leaves by itself: give it a
            # moment, so that the account sweep then finds nothing to kill; else kill it now.
            if finished:
                select.select([self.handle], [], [], 1.0)
            try:
                signal.pidfd_send_signal(self.handle, signal.SIGKILL)
            except OSError:
                pass
            os.close(self.handle)
            self.handle = None


class _Template:
    def __init__(self):
        self.home = Path(tempfile.mkdtemp(prefix="formation-modele-"))  # root's, 0700
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        self.lock = threading.Lock()
        self.log = open(self.home / "journal.txt", "wb")
        env = _environment(self.home)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "course.judge.zygote", str(theirs.fileno())],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, pass_fds=(theirs.fileno(),),
            cwd="/", env=env)
        theirs.close()
        self.control.settimeout(TEMPLATE_START_SECONDS)
        try:
            ready = json.loads(self.control.recv(4096) or b"{}")
        except (OSError, ValueError):
            ready = {}
        if not ready.get("pret"):
            self.close()
            raise SandboxError("le processus modèle de correction n'a pas démarré")
        self.control.settimeout(30)

    def launch(self, spec_path: Path, errors_path: Path) -> "tuple[_Warden, int] | None":
        """Start one copy's sandbox; returns its warden and the report's read end (None: template broken)."""
        read_end, write_end = os.pipe()
        try:
            with open(errors_path, "wb") as errors:
                with self.lock:
                    socket.send_fds(self.control, [json.dumps({"spec": str(spec_path)}).encode()],
                                    [write_end, errors.fileno()])
                    answer = json.loads(self.control.recv(4096) or b"{}")
        except (OSError, ValueError):
            answer = {}
        finally:
            os.close(write_end)
        if "pid" not in answer:
            os.close(read_end)
            _template_broken(self)
            return None
        return _Warden(int(answer["pid"])), read_end

    def close(self) -> None:
        self.control.close()  # the template reads end-of-file and leaves
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _template() -> "_Template | None":
    """The process's template, started on first use; None where it cannot run (then: a fresh sandbox)."""
    global _template_instance, _template_failed
    if os.environ.get("FORMATION_SANS_MODELE") or not hasattr(os, "pidfd_open"):
        return None
    with _template_lock:
        if _template_instance is None and not _template_failed:
            try:
                _template_instance = _Template()
                import atexit
                atexit.register(stop_template)
            except (OSError, SandboxError):
                _template_failed = True
        return _template_instance


def _template_broken(template: "_Template") -> None:
    """A template that stopped answering is replaced by fresh sandboxes for the rest of the run."""
    global _template_instance, _template_failed
    with _template_lock:
        if _template_instance is template:
            _template_instance, _template_failed = None, True
    template.close()


def warm_up() -> None:
    """Start the template process in the background, if this process will use one."""
    if _is_root() and _template_instance is None and not _template_failed:
        threading.Thread(target=_template, daemon=True, name="juge-modele").start()


def stop_template() -> None:
    """End the template process (also done at exit)."""
    global _template_instance
    with _template_lock:
        if _template_instance is not None:
            _template_instance.close()
            _template_instance = None
