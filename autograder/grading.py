"""Autograding a cohort with nbgrader's autograde, one learner at a time, never stopping on one."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .catalogue import Lab
from .course import Course, CourseError, check_learner_id, is_safe_learner_id


@dataclass(frozen=True)
class Outcome:
    """What happened to one learner's submission of one lab."""

    learner: str
    assignment: str
    status: str  # "graded" or "failed"
    message: str
    log: str

    @property
    def ok(self) -> bool:
        return self.status == "graded"


def _unreadable_notebooks(folder: Path) -> list[str]:
    """Names of submitted `.ipynb` files that are not valid JSON (nbgrader's own error is a traceback)."""
    bad = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            bad.append(path.name)
    return bad


def autograde_learner(course: Course, lab: Lab, learner: str, api=None) -> Outcome:
    """Grades one learner's submission with nbgrader autograde; any failure becomes an Outcome."""
    def failed(message: str, log: str = "") -> Outcome:
        return Outcome(learner, lab.assignment, "failed", message, log)

    try:
        check_learner_id(learner)
    except CourseError as exc:
        return failed(str(exc))
    folder = course.submitted_dir(learner, lab)
    if not (folder / f"{lab.notebook}.ipynb").exists():
        return failed(f"{learner} : {lab.notebook}.ipynb absent du rendu {folder} ; demandez-lui de soumettre à nouveau.")
    unreadable = _unreadable_notebooks(folder)
    if unreadable:
        return failed(
            f"{learner} : {', '.join(unreadable)} n'est pas un notebook JSON valide (fichier tronqué ou édité "
            "hors de Jupyter) ; demandez-lui de soumettre à nouveau depuis JupyterLab."
        )
    result = (api or course.api()).autograde(lab.assignment, learner, force=True, create=True)
    log = result.get("log", "") + result.get("error", "")
    if not result["success"]:
        return failed(f"{learner} : nbgrader autograde a échoué sur {lab.assignment} ; voir le journal.", log)
    return Outcome(learner, lab.assignment, "graded", f"{learner} : {lab.assignment} corrigé.", log)


def autograde(course: Course, lab: Lab, learners: list[str] | None = None) -> list[Outcome]:
    """Grades every submission of the lab (or `learners`) and writes one log per learner.

    Logs go to `<course>/logs/<assignment>/<learner>.log`; a failure is recorded, not raised.
    """
    course.write_config()
    course.import_source(lab)
    api = course.api()
    outcomes = []
    for learner in learners if learners is not None else course.learners(lab):
        outcome = autograde_learner(course, lab, learner, api)
        outcomes.append(outcome)
        if is_safe_learner_id(learner):
            log_path = course.root / "logs" / lab.assignment / f"{learner}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(json.dumps(asdict(outcome), ensure_ascii=False, indent=2), encoding="utf-8")
    return outcomes

