"""What a source notebook grades and which competencies each graded cell evidences.

The mapping is read from the instructor's source notebook only, never from a learner's copy, so a
learner cannot change what their work counts for.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .catalogue import Lab

AUTO = "auto"
MANUAL = "manual"


def nbgrader_meta(cell) -> dict:
    """The cell's nbgrader metadata (empty for an ordinary cell)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_autograded_test(cell) -> bool:
    """A locked code cell whose success gives points (nbgrader's 'autograder tests')."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def is_task(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("task"))


def is_answer(cell) -> bool:
    """A cell the learner writes in (nbgrader 'solution' cell)."""
    return bool(nbgrader_meta(cell).get("solution"))


def carries_points(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade") or meta.get("task"))


def grading_kind(cell) -> str:
    """'auto' for autograder tests, 'manual' for manually graded answers and tasks."""
    return AUTO if is_autograded_test(cell) else MANUAL


def is_evidence(cell) -> bool:
    return "evidence" in cell.get("metadata", {}).get("tags", [])


@dataclass(frozen=True)
class GradedCell:
    lab: Lab
    grade_id: str
    kind: str
    points: float
    competencies: tuple[str, ...]

    @property
    def exercise(self) -> str:
        """How coverage and reports name the exercise: `<notebook path>#<grade_id>`."""
        return f"{self.lab.rel}#{self.grade_id}"


def read(path: Path):
    """The notebook at path, parsed as nbformat v4."""
    return nbformat.read(str(path), as_version=4)


def graded_cells(lab: Lab, nb=None) -> list[GradedCell]:
    """Every cell of the lab's source notebook that carries points, in notebook order."""
    nb = nb if nb is not None else read(lab.path)
    return [
        GradedCell(
            lab=lab,
            grade_id=nbgrader_meta(cell).get("grade_id", ""),
            kind=grading_kind(cell),
            points=float(nbgrader_meta(cell).get("points", 0) or 0),
            competencies=tuple(cell.get("metadata", {}).get("competencies", [])),
        )
        for cell in nb.cells
        if carries_points(cell)
    ]


def evidence_ids(nb) -> list[str]:
    """grade_ids of the cells tagged `evidence` (their outputs go into the learner's report)."""
    return [nbgrader_meta(c).get("grade_id", "") for c in nb.cells if is_evidence(c)]
