"""Mini-lab cohorts for the grading tests: a released course, simulated learners, gradebook snapshots."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

import minilab
from autograder import catalogue, demo, samples
from autograder.course import Course, release

PROFILES = ("solutions", "partial", "wrong")


def course_with_cohort(root: Path, size: int) -> tuple[Course, catalogue.Lab]:
    """A released mini-lab course under root with `size` learners (profiles in turn, as the demo)."""
    kit = minilab.make_repo(root / "kit")
    (lab,) = catalogue.discover(kit)
    course = Course(root / "course")
    release(course, lab)
    for index in range(size):
        demo.submit(course, lab, demo.Learner(f"l{index:02d}", PROFILES[index % len(PROFILES)], ""))
    return course, lab


def submit_source(course: Course, lab, learner: str, answers: dict[str, str], extra: dict[str, bytes] | None = None):
    """A learner whose answer cells (by grade_id) hold `answers`; other answers are the solutions."""
    released = nbformat.read(str(course.release_path(lab)), as_version=4)
    filled = samples.fill(released, {**samples.solutions(lab), **answers}, {})
    folder = course.root / "submitted" / learner / lab.assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(filled, str(folder / f"{lab.notebook}.ipynb"))
    (folder / "timestamp.txt").write_text(demo.SUBMITTED_AT, encoding="utf-8")
    for name, data in (extra or {}).items():
        (folder / name).write_bytes(data)
    return folder


def copy_course(course: Course, target: Path) -> Course:
    shutil.copytree(course.root, target)
    copy = Course(target)
    copy.write_config()
    return copy


def grades(course: Course) -> dict[tuple, tuple]:
    """(learner, assignment, notebook, cell) -> (auto score, manual score, needs manual grade)."""
    found = {}
    with course.gradebook() as gb:
        for student in gb.students:
            for submission in student.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        key = (student.id, submission.assignment.name, notebook.name, grade.name)
                        found[key] = (grade.auto_score, grade.manual_score, bool(grade.needs_manual_grade))
    return found


def auto_total(course: Course, learner: str) -> float:
    return sum(v[0] or 0 for k, v in grades(course).items() if k[0] == learner)
