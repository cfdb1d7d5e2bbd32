"""Simulated learners' answers (`samples/<block>/<lab>.toml`) turned into submitted notebooks.

The same file feeds the demo cohort and the tests of the tests: each mistake names the answer
cell it replaces and the test cells that must fail with it.
"""
from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field

from .catalogue import Lab
from .mapping import is_answer, is_task, nbgrader_meta, read


@dataclass(frozen=True)
class Mistake:
    id: str
    cell: str
    explanation: str
    fails: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Written:
    full: str
    full_comment: str
    partial: str
    partial_score: float
    partial_comment: str


@dataclass(frozen=True)
class Samples:
    mistakes: tuple[Mistake, ...] = ()
    written: dict[str, Written] = field(default_factory=dict)


def load(lab: Lab) -> Samples:
    """The lab's samples file, or empty samples if it has none."""
    if not lab.samples.exists():
        return Samples()
    raw = tomllib.loads(lab.samples.read_text(encoding="utf-8"))
    return Samples(
        mistakes=tuple(
            Mistake(m["id"], m["cell"], m["explanation"], tuple(m["fails"]), m["source"].strip("\n"))
            for m in raw.get("mistakes", [])
        ),
        written={k: Written(**v) for k, v in raw.get("written", {}).items()},
    )


def strip_markers(source: str) -> str:
    """An answer cell's solution as a learner would type it: the SOLUTION marker lines removed."""
    return "\n".join(line for line in source.split("\n") if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def solutions(lab: Lab) -> dict[str, str]:
    """The instructor's answer for every answer cell, by grade_id, in notebook order."""
    return {nbgrader_meta(c)["grade_id"]: strip_markers(c.source) for c in read(lab.path).cells if is_answer(c)}


def fill(notebook, answers: dict[str, str], written: dict[str, str]):
    """A copy of a (released) notebook with answer cells and task answers replaced by grade_id."""
    nb = copy.deepcopy(notebook)
    for index, cell in enumerate(nb.cells):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_answer(cell) and grade_id in answers:
            cell.source = answers[grade_id]
        if is_task(cell) and grade_id in written and index + 1 < len(nb.cells):
            nb.cells[index + 1].source = f"**Votre réponse :**\n\n{written[grade_id]}"
    return nb


def with_mistake(lab: Lab, mistake: Mistake):
    """The source notebook with one answer cell replaced by the mistake (tests of the tests)."""
    return fill(read(lab.path), {mistake.cell: mistake.source}, {})


def profile_answers(lab: Lab, profile: str) -> tuple[dict[str, str], dict[str, str]]:
    """Answers and written texts of a simulated learner: 'solutions', 'partial' or 'wrong'."""
    sols = solutions(lab)
    samples = load(lab)
    if profile == "solutions":
        return sols, {k: w.full for k, w in samples.written.items()}
    if profile == "partial":
        half = list(sols)[: (len(sols) + 1) // 2]
        return {k: sols[k] for k in half}, {k: w.partial for k, w in samples.written.items()}
    if profile == "wrong":
        wrong: dict[str, str] = {}
        for mistake in samples.mistakes:
            wrong.setdefault(mistake.cell, mistake.source)
        return wrong, {}
    raise ValueError(f"Profil inconnu : {profile!r} (solutions, partial ou wrong).")
