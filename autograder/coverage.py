"""How much of each competency the kit's notebooks can evidence, computed from the source notebooks."""
from __future__ import annotations

from . import frameworks
from .catalogue import Lab
from .mapping import AUTO, GradedCell, graded_cells


def coverage(labs: list[Lab]) -> list[dict]:
    """One entry per competency of both frameworks: points mapped to it (auto, manual) and exercises."""
    cells: list[GradedCell] = [cell for lab in labs for cell in graded_cells(lab)]
    rows = []
    for comp in frameworks.competencies().values():
        mapped = [c for c in cells if comp.id in c.competencies]
        rows.append(
            {
                "id": comp.id,
                "framework": comp.framework,
                "block": comp.block,
                "auto_points": sum(c.points for c in mapped if c.kind == AUTO),
                "manual_points": sum(c.points for c in mapped if c.kind != AUTO),
                "exercises": [c.exercise for c in mapped],
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    """A readable fixed-width table of `coverage()` rows, one line per competency."""
    header = f"{'compétence':<20} {'auto':>6} {'manuel':>7} {'exercices':>9}  texte"
    texts = frameworks.competencies()
    lines = [header, "-" * len(header)]
    for r in rows:
        text = texts[r["id"]].text
        text = text if len(text) <= 70 else text[:69] + "…"
        lines.append(
            f"{r['id']:<20} {r['auto_points']:>6g} {r['manual_points']:>7g} {len(r['exercises']):>9}  {text}"
        )
    uncovered = sum(1 for r in rows if not r["exercises"])
    lines.append(f"{len(rows)} compétences, {uncovered} sans exercice.")
    return "\n".join(lines)
