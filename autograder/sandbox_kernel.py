"""The two small programs behind sandboxed kernels; standard library only, run as a script.

- `template`: runs inside the sandbox (one per grading worker). It imports once what the lab's
  notebook imports, then for each request forks a fresh IPython kernel for one notebook: limits
  (`setrlimit`), private working directory and environment are applied in the child before any
  learner code runs. One kernel at a time; when it ends, every process it left behind is killed.
- `proxy`: what jupyter_client starts as "the kernel". It asks the template for a kernel, relays
  interrupts, and exits with the kernel's status, so nbgrader's own Execute sees an ordinary kernel.
  If the proxy dies (nbgrader shutting the kernel down), the template kills the kernel.

This file is bound read-only into the sandbox: it must not import the rest of the package.
"""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import socket
import sys
import time

# Exit status of the proxy when the template ended the kernel for running past its time.
NOTEBOOK_TIMEOUT_EXIT = 124


# ---------------------------------------------------------------------------------------------
# Inside the kernel, before learner code


def apply_limits(limits: dict) -> list[str]:
    """Sets the process limits of the kernel (inherited by everything it starts); returns what failed."""
    wanted = {
        resource.RLIMIT_AS: limits.get("memory_bytes"),
        resource.RLIMIT_NPROC: limits.get("processes"),
        resource.RLIMIT_CPU: limits.get("cpu_seconds"),
        resource.RLIMIT_FSIZE: limits.get("file_bytes"),
        resource.RLIMIT_CORE: 0,
    }
    failed = []
    for which, value in wanted.items():
        if value is None:
            continue
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError) as exc:
            failed.append(f"{which}: {exc}")
    return failed


def _reseed() -> None:
    # A forked kernel would otherwise share the template's random state with every other one.
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:
            pass


def become_kernel(request: dict) -> None:
    """In a freshly forked child: private cwd and environment, limits, then an IPython kernel."""
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for key in ("HOME", "TMPDIR", "MPLCONFIGDIR", "IPYTHONDIR"):
        if key in os.environ:
            os.makedirs(os.environ[key], exist_ok=True)
    apply_limits(request.get("limits", {}))
    try:  # under a memory ceiling, the kernel is what the OOM killer takes first, not the template
        with open("/proc/self/oom_score_adj", "w") as adj:
            adj.write("1000")
    except OSError:
        pass
    # `python -m ipykernel_launcher` puts the working directory first on sys.path: do the same.
    sys.path[0] = request["cwd"]
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    _reseed()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=request["argv"])


# ---------------------------------------------------------------------------------------------
# The template


def _preload(modules: list[str]) -> list[str]:
    """Imports each module the lab's notebook imports; returns those that failed (left to the kernel)."""
    import importlib

    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException:  # a module that fails here will fail (or not) in the kernel, as usual
            failed.append(name)
    return failed


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def sweep() -> int:
    """Kills every process the template adopted (what a kernel left behind); returns how many."""
    me = os.getpid()
    killed = 0
    for _ in range(200):  # bounded: a fork loop cannot outlast the process limit
        children = _children(me)
        if not children:
            break
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        _reap()
        time.sleep(0.01)
    return killed


def _reap() -> list[tuple[int, int]]:
    done = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return done
        if pid == 0:
            return done
        done.append((pid, status))


def _clean_shared_tmp(keep: str) -> None:
    # Inside the sandbox /tmp and /dev/shm are the sandbox's own: empty them between learners.
    import shutil

    for folder in ("/tmp", "/dev/shm"):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            path = os.path.join(folder, entry)
            if keep == path or keep.startswith(path + "/"):
                continue
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def snapshot(folder: str) -> dict[str, bytes]:
    """Every file under folder (the template's home: font cache, small), to put back after each kernel."""
    found = {}
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, folder)] = handle.read()
    return found


def restore(folder: str, files: dict[str, bytes]) -> None:
    """The template's home exactly as snapshotted: nothing a kernel wrote there reaches the next one."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    for rel, data in files.items():
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)


def _send(conn: socket.socket, message: dict) -> None:
    try:
        conn.sendall((json.dumps(message) + "\n").encode())
    except OSError:
        pass


def _serve_one(conn: socket.socket, listener: socket.socket, clean_tmp: str | None, home: tuple | None) -> None:
    reader = conn.makefile("rb")
    line = reader.readline()
    if not line:
        return
    request = json.loads(line)
    if request.get("shutdown"):
        raise SystemExit(0)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            listener.close()
            conn.close()
            become_kernel(request)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        os._exit(code)
    _send(conn, {"pid": pid})
    deadline = time.monotonic() + float(request.get("notebook_timeout") or 1e9)
    status, reason = None, "exited"
    pidfd = os.pidfd_open(pid)
    try:
        while status is None:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                reason = "notebook_timeout"
                left = 5
            ready, _, _ = select.select([conn, pidfd], [], [], min(left, 5))
            if pidfd in ready:
                _, status = os.waitpid(pid, 0)
                break
            if conn in ready:
                line = reader.readline()
                if not line:  # the proxy is gone: nbgrader killed the kernel, or the worker died
                    os.kill(pid, signal.SIGKILL)
                    _, status = os.waitpid(pid, 0)
                    reason = "killed"
                    break
                command = json.loads(line)
                if "signal" in command:
                    try:
                        os.kill(pid, int(command["signal"]))
                    except ProcessLookupError:
                        pass
    finally:
        os.close(pidfd)
    left_behind = sweep()
    if clean_tmp:
        _clean_shared_tmp(clean_tmp)
    if home:
        restore(*home)
    _send(conn, {"exit": status, "reason": reason, "swept": left_behind})


def template_main(args: list[str]) -> int:
    """`template --fd N [--clean-tmp KEEP] MODULE...`: preload, then serve kernels on socket fd N."""
    import ctypes

    fd = int(args[args.index("--fd") + 1])
    clean_tmp = args[args.index("--clean-tmp") + 1] if "--clean-tmp" in args else None
    modules = args[args.index("--") + 1:] if "--" in args else []
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE = 1, 36, 4
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # A kernel must not be able to read or patch the template that later kernels are forked from.
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    failed = _preload(["ipykernel.kernelapp", *modules])
    import gc

    # What the template imported lives as long as any kernel: keep the collector (and the copy-on-write
    # it would cause in every forked kernel) off those objects.
    gc.collect()
    gc.freeze()
    home = (os.environ["HOME"], snapshot(os.environ["HOME"])) if os.path.isdir(os.environ.get("HOME", "")) else None
    listener = socket.socket(fileno=fd)
    sys.stdout.write(json.dumps({"ready": True, "failed": failed}) + "\n")
    sys.stdout.flush()
    while True:
        conn, _ = listener.accept()
        try:
            _serve_one(conn, listener, clean_tmp, home)
        finally:
            conn.close()


# ---------------------------------------------------------------------------------------------
# The proxy (outside the sandbox, started by jupyter_client)


def proxy_main(args: list[str]) -> int:
    """`proxy --socket PATH --status FILE --timeout S [--env-keep K,..] -- KERNEL_ARGS`: one kernel, relayed."""
    path = args[args.index("--socket") + 1]
    status_file = args[args.index("--status") + 1]
    timeout = float(args[args.index("--timeout") + 1])
    request_env = json.loads(os.environ.pop("LABKIT_KERNEL_ENV", "{}"))
    kernel_args = args[args.index("--") + 1:]
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError as exc:
        _write_status(status_file, {"reason": "template_unavailable", "error": str(exc)})
        return 1
    env = {k: v for k, v in os.environ.items() if k.startswith(("JPY_", "NBGRADER_", "PYDEVD_"))}
    env.update(request_env)
    request = {"argv": kernel_args, "cwd": os.getcwd(), "env": env,
               "limits": json.loads(os.environ.get("LABKIT_KERNEL_LIMITS", "{}")), "notebook_timeout": timeout}
    conn.sendall((json.dumps(request) + "\n").encode())

    def relay(signum, frame):
        try:
            conn.sendall((json.dumps({"signal": signum}) + "\n").encode())
        except OSError:
            pass

    signal.signal(signal.SIGINT, relay)
    signal.signal(signal.SIGTERM, relay)
    reader = conn.makefile("rb")
    final: dict = {"reason": "template_lost"}
    for line in reader:
        message = json.loads(line)
        if "exit" in message:
            final = message
            break
    _write_status(status_file, final)
    status = final.get("exit")
    if final.get("reason") == "notebook_timeout":
        return NOTEBOOK_TIMEOUT_EXIT
    if status is None:
        return 1
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _write_status(path: str, status: dict) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(status) + "\n")


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    sys.exit(template_main(rest) if command == "template" else proxy_main(rest))
