"""Grading a cohort in parallel: jobs on a process pool or a Dask cluster, one gradebook writer.

`grade_cohort` (one lab) and `grade_labs` (several labs in one session) are a chain of named steps:

1. `prepare` — the lab's source in the course, the course's nbgrader config;
2. `shared_inputs` — what every job of the lab shares: source and published files, a copy of the
   course gradebook with the assignment and no learner, the modules to preload, the limits;
3. `plan` — one `Job` per learner (submitted files read as bytes, links never followed); learners
   already recorded in the journal with the same inputs are resumed, not graded again;
4. `run_jobs` — the jobs on worker processes of this machine (`workers`) or on an existing Dask
   cluster (`scheduler`), each returning plain data;
5. `Writer.record` — in this process only, as each job finishes: the autograded folder moved into
   `autograded/<learner>/`, the per-learner log, then grades, comments and the journal entry in the
   course gradebook in one transaction. A run killed at any point resumes from the journal.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import jobs, sandbox
from .catalogue import BLOCK_DIRS, Lab, repo_root
from .course import Course, CourseError, is_safe_learner_id
from .grading import Outcome

ENGINE = "labkit-autograde/1"
JOURNAL_TABLE = "labkit_journal"
# Modules that start threads or devices at import: forking them from a template is not safe.
NO_PRELOAD = {"tensorflow", "keras", "torch", "jax", "multiprocessing", "concurrent", "threading", "asyncio"}


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# ---------------------------------------------------------------------------------------------
# 1-2. The course and the inputs every job shares


def prepare(course: Course, lab: Lab) -> None:
    """The course's nbgrader config and the lab's current source notebook in `source/`."""
    course.write_config()
    course.import_source(lab)


def _folder_files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def template_gradebook(course: Course, lab: Lab) -> bytes:
    """A copy of the course gradebook with the lab's assignment and no learner, as bytes."""
    source = course.root / "gradebook.db"
    if not source.exists():
        raise CourseError(f"Pas de gradebook dans {course.root} : lancez d'abord `labkit release {lab.assignment}`.")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "gradebook.db"
        with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        with sqlite3.connect(copy) as db:
            if not db.execute("SELECT 1 FROM assignment WHERE name = ?", (lab.assignment,)).fetchone():
                raise CourseError(f"{lab.assignment} n'est pas dans le gradebook : lancez d'abord `labkit release {lab.assignment}`.")
            # Learner data only: the assignment, its notebooks and cells stay as nbgrader wrote them.
            for table in ("comment", "grade", "submitted_notebook", "submitted_assignment", "student"):
                db.execute(f"DELETE FROM {table}")
            db.execute(f"DROP TABLE IF EXISTS {JOURNAL_TABLE}")
        with sqlite3.connect(copy) as db:
            db.execute("VACUUM")
        return copy.read_bytes()


def gradebook_digest(data: bytes) -> str:
    """sha256 of what a gradebook says about its assignments (rows, not bytes: the file layout varies)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gradebook.db"
        path.write_bytes(data)
        digest = hashlib.sha256()
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            for table in tables:
                rows = sorted(repr(row) for row in db.execute(f'SELECT * FROM "{table}"'))
                digest.update(table.encode() + b"\0" + "\n".join(rows).encode())
        return digest.hexdigest()


def preload_modules(notebook: dict) -> tuple[str, ...]:
    """Modules imported by the lab's own code (source notebook), in order, to import once per worker."""
    found: list[str] = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
                found += [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    unique = dict.fromkeys(m for m in found if m.split(".")[0] not in NO_PRELOAD)
    return tuple(unique)


def hidden_paths(course: Course, lab: Lab) -> tuple[str, ...]:
    """Folders a kernel must never see even if they lie under a readable one."""
    roots = {repo_root(), lab.root}
    paths = {course.root} | {r / d for r in roots for d in (*BLOCK_DIRS, "samples", "out")}
    return tuple(sorted(str(p.resolve()) for p in paths))


def shared_inputs(course: Course, lab: Lab, limits: sandbox.Limits, preload: tuple[str, ...] | None = None) -> jobs.Assignment:
    """What every job of the lab needs, read once from the course (`preload`: default, the lab's imports)."""
    source = _folder_files(course.source_path(lab).parent)
    release = _folder_files(course.release_path(lab).parent)
    notebook = json.loads(source[f"{lab.notebook}.ipynb"])
    gradebook = template_gradebook(course, lab)
    return jobs.Assignment(
        assignment=lab.assignment,
        notebook=lab.notebook,
        source=source,
        release=release,
        gradebook=gradebook,
        gradebook_digest=gradebook_digest(gradebook),
        preload=preload if preload is not None else preload_modules(notebook),
        limits=limits,
        hidden=hidden_paths(course, lab),
        settings=_plain(course.config()),
    )


def _plain(config) -> dict:
    """A traitlets Config as plain nested dicts (it travels to other processes and machines)."""
    return {section: dict(values) for section, values in config.items()}


# ---------------------------------------------------------------------------------------------
# 3. The plan


def read_submission(folder: Path) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """(regular files by relative path, entries not read): links and special files are never followed."""
    files: dict[str, bytes] = {}
    skipped: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        for name in list(dirnames):
            if (base / name).is_symlink():
                skipped.append((base / name).relative_to(folder).as_posix())
                dirnames.remove(name)
        for name in filenames:
            path = base / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(rel)
                continue
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as handle:
                files[rel] = handle.read()
    return files, tuple(sorted(skipped))


def fingerprint(shared: jobs.Assignment, job: jobs.Job) -> str:
    """What the learner's result depends on: engine, lab inputs, limits and the submitted bytes."""
    digest = hashlib.sha256(f"{ENGINE}\0{shared.key}\0".encode())
    for name, data in sorted(job.files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest.update("\0".join(job.skipped).encode())
    return digest.hexdigest()


class Plan:
    """The jobs to run, and the outcomes known without running anything (in cohort order)."""

    def __init__(self, order: list[str]):
        self.order = order
        self.jobs: list[jobs.Job] = []
        self.fingerprints: dict[str, str] = {}
        self.known: dict[str, Outcome] = {}  # refused, missing or resumed learners

    @property
    def resumed(self) -> int:
        return sum(1 for o in self.known.values() if o.resumed)


def plan(course: Course, lab: Lab, learners: list[str], shared: jobs.Assignment, writer: "Writer", regrade: bool) -> Plan:
    """One job per learner still to grade; refused ids, missing notebooks and resumed learners as outcomes."""
    result = Plan(list(learners))
    journal = {} if regrade else writer.journal()
    for learner in learners:
        if not is_safe_learner_id(learner):
            result.known[learner] = Outcome(
                learner, lab.assignment, "failed",
                f"Identifiant d'apprenant refusé : {learner!r}. Utilisez lettres, chiffres, `_`, `-` ou `.` "
                "(pas de `/` ni de `..`), puis renommez son dossier de rendu.", "",
            )
            continue
        folder = course.submitted_dir(learner, lab)
        files, skipped = read_submission(folder) if folder.is_dir() and not folder.is_symlink() else ({}, ())
        job = jobs.Job(learner, lab.assignment, files, skipped)
        if f"{lab.notebook}.ipynb" not in files:
            result.known[learner] = writer.record(
                jobs.JobResult(learner, lab.assignment, "failed",
                               f"{learner} : {lab.notebook}.ipynb absent du rendu {folder} ; demandez-lui de soumettre à nouveau.",
                               files=[{"name": n, "sha256": hashlib.sha256(d).hexdigest()} for n, d in sorted(files.items())]),
                fingerprint(shared, job),
            )
            continue
        stamp = fingerprint(shared, job)
        previous = journal.get(learner)
        if previous and previous["fingerprint"] == stamp and writer.still_recorded(learner, previous["status"]):
            known = {k: v for k, v in previous["outcome"].items() if k in Outcome.__dataclass_fields__}
            result.known[learner] = replace(Outcome(**known), resumed=True)
            continue
        result.jobs.append(job)
        result.fingerprints[learner] = stamp
    return result


# ---------------------------------------------------------------------------------------------
# 4. Running the jobs

_SHARED: dict[str, jobs.Assignment] = {}


def _init_worker(shared: dict[str, jobs.Assignment]) -> None:
    """In each pool worker: die with the grading run, stop the templates on a clean exit."""
    import ctypes
    import signal
    from multiprocessing.util import Finalize

    _SHARED.update(shared)
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: kill -9 of the run ends its workers
    except (OSError, AttributeError):
        pass
    Finalize(None, jobs.stop_templates, exitpriority=10)


def _run_in_worker(job: jobs.Job) -> jobs.JobResult:
    return jobs.run_job(job, _SHARED[job.assignment])


def _crashed(job: jobs.Job, exc: BaseException) -> jobs.JobResult:
    return jobs.JobResult(job.learner, job.assignment, "failed",
                          f"{job.learner} : le processus de correction a échoué ({type(exc).__name__}: {exc}).")


def run_local(todo: list[jobs.Job], shared: dict[str, jobs.Assignment], workers: int) -> Iterator[tuple[jobs.Job, jobs.JobResult]]:
    """Runs the jobs on `workers` processes of this machine (in this process when 1), as they finish."""
    if workers <= 1 or len(todo) <= 1:
        try:
            for job in todo:
                yield job, jobs.run_job(job, shared[job.assignment])
        finally:
            jobs.stop_templates()
        return
    import multiprocessing

    import nbgrader.apps  # noqa: F401 — imported once here, inherited by every forked worker

    pending = list(todo)
    for _attempt in range(3):  # a worker process that dies takes its pool down: start a new one
        if not pending:
            return
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(min(workers, len(pending)), mp_context=context, initializer=_init_worker, initargs=(shared,))
        futures = {pool.submit(_run_in_worker, job): job for job in pending}
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    break
                except Exception as exc:
                    result = _crashed(job, exc)
                pending.remove(job)
                yield job, result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for job in pending:
        yield job, _crashed(job, RuntimeError("processus de correction arrêtés trois fois"))


def run_dask(todo: list[jobs.Job], shared: dict[str, jobs.Assignment], scheduler: str) -> Iterator[tuple[jobs.Job, jobs.JobResult]]:
    """Runs the jobs on an existing Dask distributed cluster, as they finish.

    Workers need this kit installed and, for speed, one thread each (`--nthreads 1`): jobs in one
    worker process run one at a time.
    """
    from distributed import Client
    from distributed import as_completed as dask_completed

    client = Client(scheduler, set_as_default=False, timeout=30)
    try:
        names = sorted(shared)
        scattered = dict(zip(names, client.scatter([shared[n] for n in names], broadcast=True, hash=False)))
        run = os.urandom(4).hex()
        futures = {
            client.submit(jobs.run_job, job, scattered[job.assignment], pure=False,
                          key=f"labkit-{job.assignment}-{job.learner}-{run}", retries=1): job
            for job in todo
        }
        for future in dask_completed(futures, loop=client.loop):
            job = futures[future]
            try:
                yield job, future.result()
            except Exception as exc:
                yield job, _crashed(job, exc)
    finally:
        client.close()


def run_jobs(todo: list[jobs.Job], shared: dict[str, jobs.Assignment], workers: int, scheduler: str | None):
    """The jobs' results as they finish: on the Dask cluster at `scheduler`, else on local processes."""
    if not todo:
        return iter(())
    return run_dask(todo, shared, scheduler) if scheduler else run_local(todo, shared, workers)


# ---------------------------------------------------------------------------------------------
# 5. The single writer


class Writer:
    """The only code that writes the course: autograded folders, logs, gradebook, journal.

    It holds one gradebook session for the run (`close()` ends it); each learner is one commit.
    """

    def __init__(self, course: Course, lab: Lab, protections: list[str]):
        self.course, self.lab, self.protections = course, lab, protections
        self.gb = course.gradebook()
        self.gb.db.execute(_sql(
            f"CREATE TABLE IF NOT EXISTS {JOURNAL_TABLE} (assignment TEXT NOT NULL, learner TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT NOT NULL, finished_at TEXT NOT NULL, "
            "PRIMARY KEY (assignment, learner))"
        ))
        self.gb.db.commit()

    def close(self) -> None:
        self.gb.close()

    def journal(self) -> dict[str, dict]:
        """The recorded results of the lab, by learner: fingerprint, status and outcome."""
        rows = self.gb.db.execute(
            _sql(f"SELECT learner, fingerprint, status, outcome FROM {JOURNAL_TABLE} WHERE assignment = :a"),
            {"a": self.lab.assignment},
        ).fetchall()
        return {r[0]: {"fingerprint": r[1], "status": r[2], "outcome": json.loads(r[3])} for r in rows}

    def still_recorded(self, learner: str, status: str) -> bool:
        """A graded learner's autograded notebook and gradebook submission are still there."""
        if status != "graded":
            return True
        if not self.course.autograded_path(learner, self.lab).exists():
            return False
        from nbgrader.api import MissingEntry

        try:
            self.gb.find_submission(self.lab.assignment, learner)
        except MissingEntry:
            return False
        return True

    def record(self, result: jobs.JobResult, stamp: str) -> Outcome:
        """Records one job's result (files, log, then gradebook and journal together); returns its Outcome."""
        outcome = self.outcome(result)
        self._autograded(result)
        self._log(outcome)
        try:
            if result.status == "graded":
                self._grades(self.gb, result)
            self.gb.db.execute(
                _sql(f"INSERT OR REPLACE INTO {JOURNAL_TABLE} VALUES (:a, :l, :f, :s, :o, :t)"),
                {"a": result.assignment, "l": result.learner, "f": stamp, "s": result.status,
                 "o": json.dumps(asdict(outcome), ensure_ascii=False), "t": datetime.now(timezone.utc).isoformat(timespec="seconds")},
            )
            self.gb.db.commit()
        except Exception:
            self.gb.db.rollback()
            raise
        return outcome

    def outcome(self, result: jobs.JobResult) -> Outcome:
        scores = [s for nb in result.grades.values() for s, _ in nb.values() if s is not None]
        return Outcome(
            learner=result.learner, assignment=result.assignment, status=result.status, message=result.message,
            log=result.log, flags=tuple(result.flags), notes=tuple(result.notes), files=tuple(result.files),
            score=sum(scores) if result.status == "graded" else None, duration=result.duration, worker=result.worker,
            kernel=result.kernel, protections=tuple(self.protections),
        )

    def _autograded(self, result: jobs.JobResult) -> None:
        target = self.course.root / "autograded" / result.learner / result.assignment
        if result.status != "graded":
            if target.exists():  # as nbgrader does for a submission that failed
                shutil.rmtree(target)
            return
        stage = target.with_name(f".{target.name}.labkit-new")
        if stage.exists():
            shutil.rmtree(stage)
        for name, data in result.autograded.items():
            path = stage / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(0o444)  # nbgrader's permissions for autograded files
        if not result.autograded:
            stage.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        stage.rename(target)

    def _log(self, outcome: Outcome) -> None:
        path = self.course.root / "logs" / outcome.assignment / f"{outcome.learner}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(asdict(outcome), ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)

    def _grades(self, gb, result: jobs.JobResult) -> None:
        """The job's autograder results on the course's submission, as nbgrader's SaveAutoGrades sets them."""
        gb.update_or_create_student(result.learner)
        extra = {"timestamp": result.timestamp} if result.timestamp else {}
        submission = gb.update_or_create_submission(result.assignment, result.learner, **extra)
        for notebook in submission.notebooks:
            grades = result.grades.get(notebook.name, {})
            for grade in notebook.grades:
                if grade.name not in grades:
                    continue
                auto_score, needs_review = grades[grade.name]
                grade.auto_score = auto_score
                grade.needs_manual_grade = bool(needs_review) or grade.manual_score is not None or auto_score is None
            comments = result.comments.get(notebook.name, {})
            for comment in notebook.comments:
                if comment.name in comments:
                    comment.auto_comment = comments[comment.name]
            notebook.late_submission_penalty = result.late_penalty.get(notebook.name)


def _sql(statement: str):
    from sqlalchemy import text

    return text(statement)


# ---------------------------------------------------------------------------------------------
# Progress


class Progress:
    """One line on stderr: learners done, failed and remaining (redrawn in place on a terminal)."""

    def __init__(self, total: int, label: str, stream=None):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.done = self.failed = 0
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.draw()

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        self.failed += not outcome.ok
        self.draw()

    def draw(self) -> None:
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        line = (f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} terminés, "
                f"{self.done - self.failed} corrigés, {self.failed} en échec, {self.total - self.done} restants, "
                f"{time.monotonic() - self.started:.0f} s")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


# ---------------------------------------------------------------------------------------------
# The whole chain


def clean_stale_scratch() -> None:
    """Removes the scratch folders and control groups of grading runs whose process is gone (kill -9)."""
    roots = [sandbox.scratch_root()] + [r for r in map(sandbox.cgroup_root, ("pids", "memory")) if r]
    for root in roots:
        for folder in root.glob("lk-*"):
            owner = folder.name.split("-")[1] if folder.name.count("-") >= 2 else ""
            if not owner.isdigit() or Path(f"/proc/{owner}").exists():
                continue
            if root == roots[0]:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                try:
                    folder.rmdir()
                except OSError:
                    pass


def grade_cohort(
    course: Course,
    lab: Lab,
    learners: Iterable[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    limits: sandbox.Limits | None = None,
    regrade: bool = False,
    progress: bool = False,
    say: Callable[[str], None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Grades the lab for every learner (or `learners`) and returns their outcomes in cohort order.

    Scores are nbgrader's own; only this process writes the course. Learners already recorded with
    the same submission, lab and limits are resumed from the journal unless `regrade`.
    """
    return grade_labs(course, [lab], learners, workers, scheduler, limits, regrade, progress, say, on_outcome)[lab.assignment]


def grade_labs(
    course: Course,
    labs: list[Lab],
    learners: Iterable[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    limits: sandbox.Limits | None = None,
    regrade: bool = False,
    progress: bool = False,
    say: Callable[[str], None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> dict[str, list[Outcome]]:
    """`grade_cohort` for several labs in one session: one pool (or cluster) for all their jobs, and
    one kernel template per worker that imports what any of the labs imports. By assignment."""
    limits = limits or sandbox.Limits(cell_timeout=int(course.config().Execute.timeout))
    workers = workers or default_workers()
    clean_stale_scratch()
    chosen = list(learners) if learners is not None else None
    plans: dict[str, Plan] = {}
    writers: dict[str, Writer] = {}
    protections = sandbox.protections_summary(limits)
    skipped = {lab.assignment: [] for lab in labs if not course.learners(lab)}  # nobody handed it in
    labs = [lab for lab in labs if lab.assignment not in skipped]
    if not labs:
        return skipped
    try:
        for lab in labs:
            prepare(course, lab)
        preload = tuple(dict.fromkeys(m for lab in labs for m in preload_modules(json.loads(
            course.source_path(lab).read_text(encoding="utf-8")))))
        shared = {lab.assignment: shared_inputs(course, lab, limits, preload) for lab in labs}
        for lab in labs:
            writers[lab.assignment] = Writer(course, lab, protections)
            cohort = chosen if chosen is not None else course.learners(lab)
            plans[lab.assignment] = plan(course, lab, cohort, shared[lab.assignment], writers[lab.assignment], regrade)
        todo = [job for p in plans.values() for job in p.jobs]
        total = sum(len(p.order) for p in plans.values())
        if say:
            where = f"cluster Dask {scheduler}" if scheduler else f"{min(workers, max(len(todo), 1))} processus"
            resumed = sum(p.resumed for p in plans.values())
            say(f"{', '.join(plans)} : {total} rendu(s), {len(todo)} à corriger sur {where}"
                + (f", {resumed} déjà corrigé(s) (reprise)" if resumed else ""))
        bar = Progress(total, "correction" if len(labs) > 1 else labs[0].assignment) if progress else None
        outcomes: dict[str, dict[str, Outcome]] = {a: dict(p.known) for a, p in plans.items()}

        def done(outcome: Outcome) -> None:
            if bar:
                bar.update(outcome)
            if on_outcome:
                on_outcome(outcome)

        for known in outcomes.values():
            for outcome in list(known.values()):
                done(outcome)
        for job, result in run_jobs(todo, shared, workers, scheduler):
            outcome = writers[job.assignment].record(result, plans[job.assignment].fingerprints[job.learner])
            outcomes[job.assignment][job.learner] = outcome
            done(outcome)
        return {**skipped, **{a: [outcomes[a][learner] for learner in p.order] for a, p in plans.items()}}
    finally:
        for writer in writers.values():
            writer.close()
