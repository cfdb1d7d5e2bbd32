"""The rules a jury can check: when a competency is acquired and when a block is validated.

Every threshold lives in `MasteryRule`; the rest of the kit only calls these pure functions.

- A competency's points are the scores of every graded cell mapped to it; a cell mapped to two
  competencies counts in full for each.
- Manual cells not yet graded are *pending*: they count neither as zero nor in the maximum.
- acquired: points / max_points >= rule.acquired (70 %)
- in_progress: >= rule.in_progress (40 %)
- not_acquired: below
- not_assessed: nothing mapped to it has been graded yet (no submission, or only pending cells).
- A block is validated only when all its competencies are acquired; not assessed when none of
  them is assessed; otherwise in progress.
"""
from __future__ import annotations

from dataclasses import dataclass

ACQUIRED = "acquired"
IN_PROGRESS = "in_progress"
NOT_ACQUIRED = "not_acquired"
NOT_ASSESSED = "not_assessed"

VALIDATED = "validated"
BLOCK_IN_PROGRESS = "in_progress"
BLOCK_NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class MasteryRule:
    """Thresholds, as fractions of the graded points mapped to a competency."""

    acquired: float = 0.70
    in_progress: float = 0.40

    def __post_init__(self):
        if not 0 <= self.in_progress <= self.acquired <= 1:
            raise ValueError(
                f"Seuils de maîtrise incohérents : il faut 0 ≤ en cours ({self.in_progress}) "
                f"≤ acquis ({self.acquired}) ≤ 1."
            )


DEFAULT_RULE = MasteryRule()


def competency_status(points: float, max_points: float, rule: MasteryRule = DEFAULT_RULE) -> str:
    """Status of a competency from its graded points and the maximum of those graded cells."""
    if max_points <= 0:
        return NOT_ASSESSED
    ratio = points / max_points
    if ratio >= rule.acquired:
        return ACQUIRED
    if ratio >= rule.in_progress:
        return IN_PROGRESS
    return NOT_ACQUIRED


def block_status(competency_statuses: list[str]) -> str:
    """Status of a block from the statuses of all of its competencies."""
    if competency_statuses and all(s == ACQUIRED for s in competency_statuses):
        return VALIDATED
    if all(s == NOT_ASSESSED for s in competency_statuses):
        return BLOCK_NOT_ASSESSED
    return BLOCK_IN_PROGRESS
