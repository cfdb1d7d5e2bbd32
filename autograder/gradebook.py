"""Reading nbgrader's gradebook, and writing manual grades the way formgrader does."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .course import Course


@dataclass(frozen=True)
class GradeRow:
    """One graded cell of one learner's submitted notebook, as the gradebook holds it."""

    learner: str
    assignment: str
    notebook: str
    grade_id: str
    score: float | None  # None while a manual grade is pending
    max_score: float
    auto: bool
    comment: str
    graded_on: datetime | None


def _score(grade) -> float | None:
    if grade.manual_score is not None:
        return float(grade.manual_score) + float(grade.extra_credit or 0)
    if grade.auto_score is not None and not grade.needs_manual_grade:
        return float(grade.auto_score) + float(grade.extra_credit or 0)
    return None


def rows(course: Course, learner: str | None = None) -> list[GradeRow]:
    """Every grade of every submission in the gradebook (or of one learner)."""
    out = []
    with course.gradebook() as gb:
        students = [gb.find_student(learner)] if learner else gb.students
        for student in students:
            for submission in student.submissions:
                for notebook in submission.notebooks:
                    comments = {c.name: c.comment or "" for c in notebook.comments}
                    for grade in notebook.grades:
                        out.append(
                            GradeRow(
                                learner=student.id,
                                assignment=submission.assignment.name,
                                notebook=notebook.name,
                                grade_id=grade.name,
                                score=_score(grade),
                                max_score=float(grade.max_score),
                                auto=grade.auto_score is not None and grade.manual_score is None,
                                comment=comments.get(grade.name, ""),
                                graded_on=submission.timestamp,
                            )
                        )
    return out


def learners(course: Course) -> list[str]:
    """Ids of every learner in the gradebook, sorted."""
    with course.gradebook() as gb:
        return sorted(s.id for s in gb.students)


def record_manual_grade(
    course: Course, learner: str, assignment: str, notebook: str, grade_id: str, score: float, comment: str
) -> None:
    """Sets a manual score and comment on one cell, as an instructor does in formgrader."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            submitted = gb.find_submission_notebook(notebook, assignment, learner)
        except MissingEntry as exc:
            raise LookupError(f"Pas de rendu corrigé de {assignment}/{notebook} pour {learner} : lancez d'abord `labkit autograde`.") from exc
        grade = next((g for g in submitted.grades if g.name == grade_id), None)
        if grade is None:
            raise LookupError(f"Cellule notée {grade_id!r} introuvable dans {assignment}/{notebook}.")
        if not 0 <= score <= grade.max_score:
            raise ValueError(f"Note {score} hors de [0, {grade.max_score}] pour {learner}, {grade_id}.")
        grade.manual_score = score
        remark = next((c for c in submitted.comments if c.name == grade_id), None)
        if remark is not None:
            remark.manual_comment = comment
        gb.db.commit()
