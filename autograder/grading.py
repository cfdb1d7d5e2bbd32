"""Autograding a cohort with nbgrader's autograde: in parallel, sandboxed, never stopping on one learner.

The work itself is in `parallel` (scheduling, single gradebook writer, resume journal), `jobs`
(one learner), `sandbox` (the kernel's limits and isolation) and `integrity` (the submission
against the published notebook); this module keeps the kit's API and the `Outcome` they return.
"""
from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Lab
from .course import Course


@dataclass(frozen=True)
class Outcome:
    """What happened to one learner's submission of one lab (written as JSON to the learner's log)."""

    learner: str
    assignment: str
    status: str  # "graded" or "failed"
    message: str
    log: str
    flags: tuple = ()  # integrity and behaviour findings that an instructor should read
    notes: tuple = ()  # facts about the run that change nothing (a cell interrupted, a network call)
    files: tuple = ()  # {"name", "sha256"} of every submitted file
    score: float | None = None  # autograded points recorded in the gradebook
    duration: float = 0.0  # seconds spent grading this learner
    worker: str = ""  # host:pid of the process that graded it
    kernel: dict | None = None  # how the kernel ended, as the sandbox reported it
    protections: tuple = ()  # the sandbox's protections, active or not, on the grading machine
    resumed: bool = False  # taken from the journal of an earlier run: same inputs, not graded again

    @property
    def ok(self) -> bool:
        return self.status == "graded"


def autograde_learner(course: Course, lab: Lab, learner: str, api=None) -> Outcome:
    """Grades one learner's submission now (even if already graded); any failure becomes an Outcome.

    `api` is accepted for callers of the former sequential version and not used.
    """
    from . import parallel

    return parallel.grade_cohort(course, lab, [learner], workers=1, regrade=True)[0]


def autograde(
    course: Course,
    lab: Lab,
    learners: list[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    limits=None,
    regrade: bool = False,
    progress: bool = False,
    say=None,
    on_outcome=None,
) -> list[Outcome]:
    """Grades every submission of the lab (or `learners`) and writes one log per learner.

    Runs on `workers` local processes (default: the number of cores) or on the Dask cluster at
    `scheduler`; scores are those of sequential `nbgrader autograde`. Logs go to
    `<course>/logs/<assignment>/<learner>.log`; a failure is recorded, not raised. Learners already
    graded with the same inputs are resumed from the journal unless `regrade`.
    """
    from . import parallel

    return parallel.grade_cohort(course, lab, learners, workers=workers, scheduler=scheduler, limits=limits,
                                 regrade=regrade, progress=progress, say=say, on_outcome=on_outcome)


def autograde_labs(course: Course, labs: list[Lab], learners: list[str] | None = None, **options) -> dict[str, list[Outcome]]:
    """`autograde` for several labs in one session (one pool, one kernel template per worker), by assignment."""
    from . import parallel

    return parallel.grade_labs(course, labs, learners, **options)
