"""One learner's grading job: self-contained inputs in, grades and autograded files out.

A job carries bytes, not paths, so that it runs the same in a local process, in this process or on
a Dask worker of another machine. Steps of `run_job`, in order:

1. `integrity.check` on the submitted files (a notebook that does not parse stops here);
2. a private scratch course: the assignment's source files, the learner's files, and a copy of
   the course gradebook holding the assignment and no learner;
3. nbgrader's own Autograde converter on it (`harness.PREPROCESSORS`), its kernel forked by the
   worker's sandboxed template (`sandbox`);
4. grades, comments and the autograded folder read back as data (`JobResult`).

The course itself is never touched here: the single writer (`parallel`) records results.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import integrity, sandbox
from .course import COURSE_ID, _tools_on_path


@dataclass(frozen=True)
class Assignment:
    """What every job of one lab shares (sent once per worker)."""

    assignment: str
    notebook: str
    source: dict[str, bytes]  # files of `source/<assignment>/`, by relative path
    release: dict[str, bytes]  # files of `release/<assignment>/` (the published version)
    gradebook: bytes  # SQLite gradebook holding the assignment, no learner
    gradebook_digest: str  # what that gradebook says (stable across copies, unlike its bytes)
    preload: tuple[str, ...]  # modules the lab's notebook imports, imported once per worker
    limits: sandbox.Limits
    hidden: tuple[str, ...]  # folders covered in the sandbox (course, kit notebooks)
    settings: dict = field(default_factory=dict)  # the course's nbgrader settings (parameters, chain)

    @property
    def key(self) -> str:
        digest = hashlib.sha256()
        for name, data in sorted(self.source.items()):
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        digest.update(self.gradebook_digest.encode() + repr(self.limits).encode())
        digest.update(json.dumps(self.settings, sort_keys=True, default=str).encode())
        return f"{self.assignment}-{digest.hexdigest()[:16]}"

    @property
    def template_key(self) -> str:
        """Labs with the same modules, limits and hidden folders share a worker's kernel template."""
        return hashlib.sha256(repr((self.preload, self.limits, self.hidden)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Job:
    learner: str
    assignment: str
    files: dict[str, bytes]  # the learner's regular files, by path relative to the submission folder
    skipped: tuple[str, ...] = ()  # links and special files, never read


@dataclass
class JobResult:
    """Everything the writer needs; plain data (pickled across processes and machines)."""

    learner: str
    assignment: str
    status: str  # "graded" or "failed"
    message: str
    log: str = ""
    files: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suspicious: bool = False  # answers reach into the test machinery: autograded scores held for review
    neutralised: bool = False  # a canary passed: autograded scores set to zero
    grades: dict = field(default_factory=dict)  # notebook -> grade_id -> [auto_score, needs_manual_grade]
    comments: dict = field(default_factory=dict)  # notebook -> grade_id -> auto_comment
    late_penalty: dict = field(default_factory=dict)  # notebook -> penalty
    timestamp: str | None = None
    autograded: dict = field(default_factory=dict)  # relative path -> bytes
    kernel: dict | None = None
    duration: float = 0.0
    worker: str = ""


# One kernel template per worker process and lab; jobs in one process run one at a time, since
# nbgrader changes the process's working directory and environment while it grades.
_TEMPLATES: dict[str, sandbox.KernelTemplate] = {}
_LOCK = threading.Lock()


def template_for(shared: Assignment) -> sandbox.KernelTemplate:
    """The worker's running template for this lab, started (or restarted) when needed."""
    if not _TEMPLATES:
        atexit.unregister(stop_templates)
        atexit.register(stop_templates)  # Dask workers and this process; pool workers use a Finalize
    template = _TEMPLATES.get(shared.template_key)
    if template is None or not template.alive():
        if template is not None:
            template.stop()
        preload = shared.preload if shared.limits.prefork else ()
        template = sandbox.KernelTemplate(preload, shared.limits, [Path(p) for p in shared.hidden])
        template.start()
        _TEMPLATES[shared.template_key] = template
    return template


def stop_templates() -> None:
    """Stops this process's templates and removes their folders."""
    while _TEMPLATES:
        _TEMPLATES.popitem()[1].stop()


def run_job(job: Job, shared: Assignment) -> JobResult:
    """Grades one learner (see the module's steps); never raises: a failure is a JobResult."""
    with _LOCK:
        started = time.monotonic()
        try:
            result = _grade(job, shared)
        except Exception as exc:  # the job's own machinery failed: say so for this learner only
            import traceback

            result = _failed(job, f"{job.learner} : la correction a échoué ({type(exc).__name__}: {exc}).", traceback.format_exc())
        result.duration = round(time.monotonic() - started, 3)
        result.worker = f"{os.uname().nodename}:{os.getpid()}"
        return result


def _failed(job: Job, message: str, log: str = "", **extra) -> JobResult:
    return JobResult(job.learner, job.assignment, "failed", message, log, **extra)


def _references(shared: Assignment) -> dict[str, dict | None]:
    refs = {}
    for name, data in shared.release.items():
        if name.endswith(".ipynb") and "/" not in name:
            refs[name] = integrity.parse_notebook(data)[0]
    return refs


def _grade(job: Job, shared: Assignment) -> JobResult:
    checked = integrity.check(job.files, set(shared.release), _references(shared), list(job.skipped))
    base = dict(files=checked.files, flags=checked.flags, notes=checked.notes, suspicious=bool(checked.suspicious))
    if checked.unreadable:
        return _failed(job, f"{job.learner} : {', '.join(checked.unreadable)} ; ce notebook ne peut pas être corrigé, "
                            "demandez-lui de soumettre à nouveau depuis JupyterLab.", **base)
    template = template_for(shared)
    work = Path(template.private) / secrets.token_hex(4)
    kernel_dir = Path(template.spool) / work.name
    try:
        course = _scratch_course(work, job, shared)
        findings_path = work / "findings.jsonl"
        status_path = work / "kernel-status.jsonl"
        token = f"labkit-canary-{secrets.token_hex(8)}"
        config = _config(course, kernel_dir, template, shared, findings_path, status_path, token)
        outcome = _autograde(config, job)
        findings = _findings(findings_path)
        kernel = sandbox.kernel_exit(status_path)
        result = JobResult(job.learner, job.assignment, "graded", "", outcome.get("log", "") + outcome.get("error", ""),
                           kernel=kernel, **base)
        if not outcome["success"]:
            result.status = "failed"
            result.message = f"{job.learner} : {failure_reason(kernel, result.log, shared.limits)}."
            return result
        _read_back(result, course, kernel_dir / "autograded" / job.learner / job.assignment, job)
        _apply_findings(result, findings, shared.limits)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(kernel_dir, ignore_errors=True)


def failure_reason(kernel: dict | None, log: str, limits: sandbox.Limits) -> str:
    """Why nbgrader could not grade the notebook, from the kernel's end and nbgrader's log."""
    if kernel and kernel.get("reason") == "notebook_timeout":
        return sandbox.describe_exit(kernel, limits)
    if "CellTimeoutError" in log or "unresponsive" in log:
        return (f"une cellule ne rend pas la main après {limits.cell_timeout} s malgré l'interruption "
                "(boucle qui ignore KeyboardInterrupt ?) : noyau arrêté")
    if "DeadKernelError" in log or (kernel and kernel.get("exit") not in (0, None)):
        return sandbox.describe_exit(kernel, limits)
    return "nbgrader autograde a échoué ; voir le journal"


def _scratch_course(work: Path, job: Job, shared: Assignment) -> Path:
    course = work / "course"
    for folder, files in ((course / "source" / shared.assignment, shared.source),
                          (course / "submitted" / job.learner / shared.assignment, job.files)):
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    (course / "gradebook.db").write_bytes(shared.gradebook)
    return course


def autograde_chain(course_chain: list | None) -> list:
    """The course's autograde preprocessors (nbgrader's by default) with Execute inside labkit's harness."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from . import harness

    chain = list(course_chain or Autograde.class_traits()["autograde_preprocessors"].default())
    is_execute = [c is Execute or c == f"{Execute.__module__}.{Execute.__qualname__}" or c == "nbgrader.preprocessors.Execute" for c in chain]
    if not any(is_execute):
        raise RuntimeError("la chaîne autograde du cours n'a pas de préprocesseur Execute")
    at = is_execute.index(True)
    return [*chain[:at], harness.InsertCanaries, harness.SandboxedExecute, harness.CheckCanaries, *chain[at + 1:]]


def _config(course: Path, kernel_dir: Path, template, shared: Assignment, findings_path: Path, status_path: Path, token: str):
    from traitlets.config import Config

    limits = shared.limits
    for sub in ("autograded", "home", "tmp"):
        (kernel_dir / sub).mkdir(parents=True, exist_ok=True)
    settings = {section: dict(values) for section, values in shared.settings.items() if section not in ("CourseDirectory", "Exchange")}
    chain = autograde_chain(settings.get("Autograde", {}).get("autograde_preprocessors"))
    settings.setdefault("Autograde", {})["autograde_preprocessors"] = chain
    settings["CourseDirectory"] = {"root": str(course), "course_id": COURSE_ID, "autograded_directory": str(kernel_dir / "autograded")}
    settings.setdefault("Execute", {}).update(
        timeout=limits.cell_timeout, interrupt_on_timeout=True, kernel_manager_class=sandbox.SandboxKernelManager,
    )
    settings.update({
        "SandboxedExecute": {"output_limit": limits.output_mb * 1024 * 1024, "findings_path": str(findings_path),
                             "stash_dir": str(findings_path.parent / "stash")},
        "InsertCanaries": {"token": token},
        "CheckCanaries": {"token": token, "findings_path": str(findings_path)},
        **sandbox.kernel_config(template, kernel_dir, status_path),
    })
    return Config(settings)


def _autograde(config, job: Job) -> dict:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    _tools_on_path()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    return api.autograde(job.assignment, job.learner, force=True, create=True)


def _findings(path: Path) -> dict:
    from .harness import read_findings

    return read_findings(path)


def _read_back(result: JobResult, course: Path, autograded: Path, job: Job) -> None:
    """Grades, comments, penalty and timestamp from the scratch gradebook; the autograded files."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        submission = gb.find_submission(job.assignment, job.learner)
        result.timestamp = submission.timestamp.isoformat() if submission.timestamp else None
        for nb in submission.notebooks:
            result.grades[nb.name] = {g.name: [g.auto_score, bool(g.needs_manual_grade)] for g in nb.grades}
            result.comments[nb.name] = {c.name: c.auto_comment for c in nb.comments}
            result.late_penalty[nb.name] = nb.late_submission_penalty
    if autograded.exists():
        result.autograded = {
            p.relative_to(autograded).as_posix(): p.read_bytes() for p in sorted(autograded.rglob("*")) if p.is_file()
        }


def _apply_findings(result: JobResult, findings: dict, limits) -> None:
    """Turns what the harness saw into flags, and holds or zeroes the scores it makes meaningless."""
    neutralised = findings.get("canaries_neutralised", [])
    if neutralised:
        result.neutralised = True
        result.flags.append(
            "tests neutralisés : le code de l'apprenant empêche les assertions d'échouer (après "
            f"{', '.join(neutralised)}) ; notes automatiques mises à 0"
        )
    if findings.get("canaries_stuck"):
        result.notes.append(f"noyau encore occupé après {', '.join(findings['canaries_stuck'])} (cellule bloquée)")
    if findings.get("output_dropped_bytes"):
        mib = findings["output_dropped_bytes"] / (1024 * 1024)
        result.flags.append(f"sortie coupée : {mib:.1f} Mio de texte au-delà de la limite de {limits.output_mb} Mio")
    timeouts = _timeouts(result)
    if timeouts:
        result.notes.append(f"cellule(s) interrompue(s) après {limits.cell_timeout} s : {', '.join(timeouts)}")
    for grades in result.grades.values():
        for entry in grades.values():
            if entry[0] is None:
                continue
            if result.neutralised:
                entry[0] = 0.0
            elif result.suspicious:
                entry[1] = True  # formgrader lists it; the report shows it pending until reviewed
    if result.suspicious and not result.neutralised:
        result.flags.append("notes automatiques en attente de vérification (formgrader) à cause du code signalé")
    score = sum((s or 0) for nb in result.grades.values() for s, _ in nb.values())
    result.message = f"{result.learner} : {result.assignment} corrigé ({score:g} point(s) automatiques)."


def _timeouts(result: JobResult) -> list[str]:
    found = []
    for name, data in result.autograded.items():
        if not name.endswith(".ipynb"):
            continue
        nb = json.loads(data)
        for index, cell in enumerate(nb.get("cells", [])):
            if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
                found.append(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cellule {index + 1}")
    return found
