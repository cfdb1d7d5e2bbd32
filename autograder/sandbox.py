"""The sandbox around every notebook a learner submits, built from existing OS tools.

One grading worker holds one *kernel template*: a Python process started inside bubblewrap
(`bwrap`: new user, PID, IPC, UTS and network namespaces, read-only view of the system and of the
Python environment, nothing else of the disk) that imports once what the lab imports. Each
notebook then runs in a kernel forked from it, with `setrlimit` limits (memory, processes, CPU,
file size), a private working directory, home and /tmp, and a wall-time limit for the whole
notebook; nbgrader's own Execute keeps its per-cell timeout. Kernels talk to nbgrader over ZMQ
`ipc` sockets (files), since the sandbox has no network at all, loopback included.

What the kernel never sees: the course folder (gradebook, `source/`, other learners' `submitted/`
and `autograded/`), the kit's source notebooks and samples, the home folders, and the notebook it
is running (its hidden tests are restored by nbgrader in memory, not left on disk).

Where `bwrap` cannot run (no user namespaces, not installed), grading goes on with the limits and
the private folders only, and `protections()` says so: `labkit doctor` and every outcome print it.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from queue import Empty

from traitlets import DottedObjectName, Dict, Float, Unicode, default

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager

HELPER = Path(__file__).with_name("sandbox_kernel.py")
MIB = 1024 * 1024
# /etc files a Python kernel reads (dynamic linker, time zone, users, TLS roots); not the rest of /etc.
ETC_FILES = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group", "nsswitch.conf",
    "hosts", "mime.types", "ssl", "ca-certificates", "alternatives", "fonts", "os-release", "matplotlibrc",
)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


@dataclass(frozen=True)
class Limits:
    """What one notebook execution may use; the defaults suit the kit's labs on a laptop."""

    cell_timeout: int = 300  # s, nbgrader's Execute.timeout (the cell is interrupted, grading goes on)
    notebook_timeout: int = 900  # s of wall time for the whole notebook, then the kernel is killed
    memory_mb: int = 4096  # address space of the kernel (RLIMIT_AS)
    processes: int = 256  # processes and threads of the sandbox's user (RLIMIT_NPROC)
    cpu_seconds: int = 1800  # CPU time of the kernel (RLIMIT_CPU)
    file_mb: int = 512  # largest file the kernel may write (RLIMIT_FSIZE)
    output_mb: int = 8  # stream output kept per notebook; the rest is dropped and flagged
    tmp_mb: int = 512  # size of the sandbox's own /tmp
    network: bool = False  # True lets the kernel use the network (no network namespace)
    prefork: bool = True  # kernels forked from a template that already imported the lab's modules

    def for_kernel(self) -> dict:
        """The setrlimit values applied in the kernel before learner code."""
        return {
            "memory_bytes": self.memory_mb * MIB,
            "processes": self.processes,
            "cpu_seconds": self.cpu_seconds,
            "file_bytes": self.file_mb * MIB,
        }


@dataclass(frozen=True)
class Protection:
    name: str
    active: bool
    detail: str

    def line(self) -> str:
        return f"[{'  OK' if self.active else 'FAIL'}] {self.name}: {self.detail}"


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=1)
def bwrap_usable() -> tuple[bool, str]:
    """(True, version) if bubblewrap can create the namespaces the sandbox needs on this machine."""
    exe = bwrap_path()
    if not exe:
        return False, "bwrap absent (apt-get install bubblewrap)"
    probe = [exe, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent",
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap ne démarre pas ({exc})"
    if result.returncode != 0:
        return False, f"bwrap refusé par le système ({result.stderr.strip() or result.returncode}) : espaces de noms utilisateur interdits ?"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    return True, version


def protections(limits: Limits = Limits()) -> list[Protection]:
    """Each protection of the sandbox and whether it is active on this machine, in plain words."""
    usable, why = bwrap_usable()
    sandboxed = usable
    nproc_ok, nproc_how = process_limit_effective()
    return [
        Protection("bubblewrap (espaces de noms)", sandboxed, why if sandboxed else f"{why} — le noyau voit tout le disque de l'utilisateur"),
        Protection(
            "cours, sources et autres rendus hors de portée", sandboxed,
            "seuls le système, l'environnement Python, labs/ et datasets/ sont visibles (lecture seule)" if sandboxed
            else "sans bwrap, seuls le dossier de travail privé et l'effacement du notebook en cours protègent",
        ),
        Protection("réseau coupé", sandboxed and not limits.network,
                   "espace de noms réseau vide (pas même la boucle locale)" if sandboxed and not limits.network
                   else ("réseau autorisé par la configuration" if limits.network else "sans bwrap, le noyau a le réseau")),
        Protection("limite mémoire", True, f"{limits.memory_mb} Mio d'espace d'adressage par processus (setrlimit RLIMIT_AS)"
                   + (f" et {limits.memory_mb + 512} Mio pour tout le bac à sable (cgroup memory)" if cgroup_root("memory") else "")),
        Protection("limite de processus", nproc_ok, f"{limits.processes} processus ({nproc_how})" if nproc_ok else nproc_how),
        Protection("limite de temps par cellule", True, f"{limits.cell_timeout} s (nbgrader Execute.timeout, cellule interrompue)"),
        Protection("limite de temps par notebook", True, f"{limits.notebook_timeout} s, puis le noyau est tué ; {limits.cpu_seconds} s de CPU"),
        Protection("dossier de travail privé", True, "un dossier neuf par notebook, HOME et TMPDIR compris"),
        Protection("sortie limitée", True, f"{limits.output_mb} Mio de sortie texte gardés par notebook"),
        Protection("processus orphelins tués", True, "tout ce que le noyau a lancé est tué à la fin du notebook"),
    ]


def protections_summary(limits: Limits = Limits()) -> list[str]:
    """One short line per protection, for the per-learner log."""
    return [p.line() for p in protections(limits)]


# ---------------------------------------------------------------------------------------------
# Control groups: a bound on the sandbox as a whole (its processes, its memory), where writable

def cgroup_root(controller: str) -> Path | None:
    """A cgroup folder of `controller` in which this process may create groups (v1 or v2), or None."""
    v1 = Path("/sys/fs/cgroup") / controller
    if (v1 / "cgroup.procs").exists() and os.access(v1, os.W_OK):
        return v1
    v2 = Path("/sys/fs/cgroup")
    enabled = v2 / "cgroup.subtree_control"
    if enabled.exists() and controller in enabled.read_text().split() and os.access(v2, os.W_OK):
        return v2
    return None


class SandboxGroup:
    """One control group per kernel template: `pids.max` and a memory ceiling for all it runs."""

    def __init__(self, name: str, limits: Limits):
        self.folders: list[Path] = []
        for controller, values in (
            ("pids", {"pids.max": str(limits.processes + 16)}),
            ("memory", {"memory.limit_in_bytes": str((limits.memory_mb + 512) * MIB), "memory.max": str((limits.memory_mb + 512) * MIB)}),
        ):
            root = cgroup_root(controller)
            if root is None:
                continue
            folder = root / name
            try:
                folder.mkdir(exist_ok=True)
                for key, value in values.items():
                    if (folder / key).exists():
                        (folder / key).write_text(value)
                self.folders.append(folder)
            except OSError:
                continue

    def add(self, pid: int) -> None:
        for folder in self.folders:
            try:
                (folder / "cgroup.procs").write_text(str(pid))
            except OSError:
                pass

    def remove(self) -> None:
        for folder in self.folders:
            try:
                folder.rmdir()
            except OSError:
                pass


def process_limit_effective() -> tuple[bool, str]:
    """Whether the sandbox's process count is bounded here, and by what."""
    if cgroup_root("pids"):
        return True, "cgroup pids"
    if bwrap_usable()[0] and os.geteuid() != 0:
        return True, "RLIMIT_NPROC dans l'espace de noms utilisateur du bac à sable"
    return False, "root ignore RLIMIT_NPROC et aucun cgroup pids n'est inscriptible" if os.geteuid() == 0 else "sans bwrap, RLIMIT_NPROC compterait tous les processus de l'utilisateur"


# ---------------------------------------------------------------------------------------------
# What the kernel may read


def readable_paths() -> list[Path]:
    """Folders bound read-only into the sandbox besides the system: Python, `labs/`, `datasets/`."""
    from .catalogue import repo_root

    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(os.path.realpath(sys.executable)).parent}
    kit = repo_root()
    paths |= {kit / "labs", kit / "datasets"}
    if os.environ.get("LABKIT_DATASETS"):
        paths.add(Path(os.environ["LABKIT_DATASETS"]))
    return sorted(p.resolve() for p in paths if p.exists())


def _system_binds() -> list[str]:
    args: list[str] = []
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def bwrap_command(spool: Path, hidden: list[Path], limits: Limits, env: dict[str, str]) -> list[str]:
    """The bwrap prefix of the kernel template: read-only system and Python, `spool` read-write.

    `hidden` folders (the course, the kit's notebooks) are covered by an empty tmpfs in case one
    of them lies under a readable path.
    """
    args = [
        # --as-pid-1: the template is the namespace's init, so kernels cannot signal it, and its CPU
        # time (and its kernels') is accounted to the grading worker that waits for it.
        bwrap_path(), "--die-with-parent", "--new-session", "--unshare-user", "--unshare-pid", "--as-pid-1", "--unshare-ipc",
        "--unshare-uts", "--unshare-cgroup-try", "--disable-userns",
        *(("--cap-drop", "ALL") if os.geteuid() == 0 else ()),
        *(() if limits.network else ("--unshare-net",)),
        *_system_binds(),
        "--proc", "/proc", "--dev", "/dev", "--size", str(limits.tmp_mb * MIB), "--tmpfs", "/tmp",
    ]
    for path in readable_paths():
        args += ["--ro-bind", str(path), str(path)]
    for path in hidden:
        if any(_inside(path, r) for r in readable_paths()):
            args += ["--tmpfs", str(path)]
    args += ["--ro-bind", str(HELPER), str(HELPER), "--bind", str(spool), str(spool), "--chdir", str(spool), "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def _base_env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "LABKIT_DATASETS")}
    return {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", **keep}


# ---------------------------------------------------------------------------------------------
# The kernel template of one worker


def scratch_root() -> Path:
    """Where a worker's private and shared folders go: RAM-backed when available (short paths: ZMQ ipc)."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


class KernelTemplate:
    """The long-lived sandboxed process that forks one kernel per notebook (one at a time)."""

    def __init__(self, preload: tuple[str, ...], limits: Limits, hidden: list[Path]):
        self.preload, self.limits, self.hidden = preload, limits, hidden
        self.root = Path(tempfile.mkdtemp(prefix=f"lk-{os.getpid()}-", dir=scratch_root()))
        self.private = self.root / "p"  # scratch courses: never visible to a kernel
        self.spool = self.root / "s"  # the kernels' folders: the only writable place in the sandbox
        self.private.mkdir()
        self.spool.mkdir()
        self.socket_path = str(self.private / "ctl")
        self.sandboxed = bwrap_usable()[0]
        self.process: subprocess.Popen | None = None
        self.preload_failed: list[str] = []

    def start(self) -> None:
        """Starts the template and waits until it has imported the lab's modules."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        listener.listen(4)
        home = self.spool / "template-home"
        (home / ".config" / "matplotlib").mkdir(parents=True)
        _copy_font_cache(home / ".config" / "matplotlib")
        env = {**_base_env(), "HOME": str(home), "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
               "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONDONTWRITEBYTECODE": "1"}
        command = [sys.executable, str(HELPER), "template", "--fd", str(listener.fileno())]
        if self.sandboxed:
            command = [*bwrap_command(self.spool, self.hidden, self.limits, env), *command, "--clean-tmp", str(self.spool)]
            env_arg = None
        else:
            env_arg = {**env, "TMPDIR": str(self.spool)}
        command += ["--", *self.preload]
        self.process = subprocess.Popen(
            command, pass_fds=[listener.fileno()], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env=env_arg, cwd=str(self.spool), start_new_session=True,
        )
        listener.close()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"le modèle de noyau n'a pas démarré (code {self.process.wait()})")
        # Ready means waiting for its first request: every kernel it forks from now on is in the group.
        self.group = SandboxGroup(self.root.name, self.limits)
        for pid in _tree(self.process.pid):
            self.group.add(pid)
        self.preload_failed = json.loads(line).get("failed", [])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Ends the template (politely first, so that its CPU time is accounted) and removes its folders."""
        if self.process is not None and self.process.poll() is None:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                    conn.settimeout(5)
                    conn.connect(self.socket_path)
                    conn.sendall(b'{"shutdown": true}\n')
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        if getattr(self, "group", None):
            self.group.remove()
        shutil.rmtree(self.root, ignore_errors=True)


def _tree(pid: int) -> list[int]:
    """pid and its descendants (the template inside bwrap), read from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _copy_font_cache(target: Path) -> None:
    # Without it every template rebuilds matplotlib's font list (seconds of CPU).
    try:
        import matplotlib

        for cache in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy2(cache, target / cache.name)
    except Exception:
        pass


def kernel_env(workdir: Path) -> dict[str, str]:
    """The kernel's environment: minimal, with home and temporary folders inside its own folder."""
    return {
        **_base_env(),
        "HOME": str(workdir / "home"),
        "TMPDIR": str(workdir / "tmp"),
        "IPYTHONDIR": str(workdir / "home" / ".ipython"),
        "MPLCONFIGDIR": str(workdir / "home" / ".config" / "matplotlib"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


class SandboxKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client, waiting for a new kernel with short polls instead of fixed sleeps.

    The stock client always spends 0.2 s draining IOPub once the kernel answers: per notebook, that
    is idle time a whole cohort pays again and again. Same steps, same checks, shorter waits.
    """

    async def wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected? (its status message follows the reply)
                        await self.iopub_channel.get_msg(timeout=0.05)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break


class SandboxKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager whose kernel is forked by the worker's sandboxed template.

    nbgrader's Execute creates it from its config (`Execute.kernel_manager_class`); the command it
    runs is the proxy, which asks the template for a kernel and relays signals and exit status.
    """

    template_socket = Unicode("", config=True)
    status_file = Unicode("", config=True)
    workdir = Unicode("", config=True)
    kernel_limits = Dict({}, config=True)
    notebook_timeout = Float(900.0, config=True)
    client_class = DottedObjectName("autograder.sandbox.SandboxKernelClient")

    @default("client_factory")
    def _default_client_factory(self):
        return SandboxKernelClient

    async def _async_finish_shutdown(self, waittime=None, pollinterval=0.1, restart=False):
        # The kernel exits within milliseconds of its shutdown reply: poll at that pace.
        return await super()._async_finish_shutdown(waittime, pollinterval=0.01, restart=restart)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if cmd[1:3] != ["-m", "ipykernel_launcher"]:
            raise RuntimeError(f"noyau non Python ({cmd[0]}) : le bac à sable de labkit ne sait lancer que ipykernel")
        return [
            sys.executable, "-I", "-S", str(HELPER), "proxy", "--socket", self.template_socket, "--status", self.status_file,
            "--timeout", str(self.notebook_timeout), "--", *cmd[3:],
        ]

    async def _async_pre_start_kernel(self, **kw):
        env = dict(kw.get("env") or os.environ)
        env["LABKIT_KERNEL_ENV"] = json.dumps(kernel_env(Path(self.workdir)))
        env["LABKIT_KERNEL_LIMITS"] = json.dumps(self.kernel_limits)
        kw["env"] = env
        return await super()._async_pre_start_kernel(**kw)


def kernel_config(template: KernelTemplate, workdir: Path, status_file: Path) -> dict:
    """Traitlets settings (by class) that make nbgrader's Execute run its kernel in the sandbox."""
    settings = {
        "template_socket": template.socket_path,
        "status_file": str(status_file),
        "workdir": str(workdir),
        "kernel_limits": template.limits.for_kernel() if template.sandboxed else {
            k: v for k, v in template.limits.for_kernel().items() if k != "processes"
        },
        "notebook_timeout": float(template.limits.notebook_timeout),
        "connection_file": str(workdir / "kernel.json"),
    }
    if template.sandboxed and not template.limits.network:
        settings |= {"transport": "ipc", "ip": str(workdir / "k")}
    return {"SandboxKernelManager": settings}


def kernel_exit(status_file: Path) -> dict | None:
    """How the last kernel of a notebook ended, as the template reported it (None if it never ran)."""
    if not status_file.exists():
        return None
    lines = [l for l in status_file.read_text(encoding="utf-8").splitlines() if l.strip()]
    return json.loads(lines[-1]) if lines else None


def describe_exit(status: dict | None, limits: Limits) -> str:
    """Why a kernel stopped before the end of the notebook, in the words of the outcome."""
    if not status:
        return "le noyau n'a pas démarré"
    reason = status.get("reason")
    if reason == "notebook_timeout":
        return f"durée maximale du notebook dépassée ({limits.notebook_timeout} s) : noyau arrêté"
    if reason == "template_unavailable":
        return "le bac à sable n'a pas pu lancer de noyau"
    code = status.get("exit")
    if code is None:
        return "le noyau a disparu"
    if os.WIFSIGNALED(code):
        import signal

        sig = os.WTERMSIG(code)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        extra = " (limite de temps CPU)" if sig == signal.SIGXCPU else ""
        return f"le noyau a planté (signal {name}{extra})"
    return f"le noyau s'est arrêté pendant l'exécution (code de sortie {os.WEXITSTATUS(code)}, os._exit ou plantage)"
