"""Checks every source notebook against the authoring contract (AUTHORING.md).

Each check is a small function `check_<what>(lab, nb)` yielding the faults it finds; `CHECKS`
lists them in the order a reader meets them in the contract.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import frameworks
from .catalogue import BLOCK_DIRS, NOTEBOOK_NAME, Lab, discover, repo_root
from .mapping import (
    carries_points,
    is_answer,
    is_autograded_test,
    is_evidence,
    is_task,
    nbgrader_meta,
)

GRADE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
NBGRADER_KEYS = ("grade", "solution", "locked", "grade_id", "schema_version")


@dataclass(frozen=True)
class Fault:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


def _where(index: int, cell) -> str:
    grade_id = nbgrader_meta(cell).get("grade_id")
    return f"cellule {index + 1}" + (f" ({grade_id})" if grade_id else "")


def check_kernelspec(lab: Lab, nb):
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        yield Fault(lab.rel, "métadonnées", "le kernelspec doit être `python3` (metadata.kernelspec.name).")


def check_outputs_stripped(lab: Lab, nb):
    for i, cell in enumerate(nb.cells):
        if cell.get("outputs") or cell.get("execution_count"):
            yield Fault(lab.rel, _where(i, cell), "sorties ou compteur d'exécution présents : videz les sorties avant de committer.")


def check_title(lab: Lab, nb):
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown" or not first.source.lstrip().startswith("# "):
        yield Fault(lab.rel, "cellule 1", "le notebook doit commencer par un titre markdown `# ...`.")


def check_parameters(lab: Lab, nb):
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        yield Fault(lab.rel, "paramètres", f"il faut exactement une cellule taguée `parameters` ({len(cells)} trouvée(s)).")
        return
    for name in ("FAST", "SEED"):
        if not re.search(rf"^{name}\s*=", cells[0].source, flags=re.M):
            yield Fault(lab.rel, "paramètres", f"la cellule `parameters` doit définir `{name}`.")


def check_nbgrader_metadata(lab: Lab, nb):
    seen: dict[str, int] = {}
    subject_words = lab.stem.split("_")[1:]
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        missing = [k for k in NBGRADER_KEYS if k not in meta]
        if missing:
            yield Fault(lab.rel, _where(i, cell), f"métadonnées nbgrader incomplètes : {', '.join(missing)}.")
        grade_id = meta.get("grade_id", "")
        if not GRADE_ID.match(grade_id):
            yield Fault(lab.rel, _where(i, cell), f"grade_id {grade_id!r} invalide : snake_case ASCII attendu.")
        elif not any(grade_id.startswith(f"{w}_") for w in subject_words):
            yield Fault(lab.rel, _where(i, cell), f"grade_id {grade_id!r} doit commencer par un mot du sujet ({'_'.join(subject_words)}).")
        if grade_id in seen:
            yield Fault(lab.rel, _where(i, cell), f"grade_id {grade_id!r} déjà utilisé en cellule {seen[grade_id] + 1}.")
        seen[grade_id] = i


def check_points_and_competencies(lab: Lab, nb):
    known = frameworks.competencies()
    for i, cell in enumerate(nb.cells):
        if not carries_points(cell):
            continue
        points = nbgrader_meta(cell).get("points")
        if not isinstance(points, (int, float)) or points <= 0:
            yield Fault(lab.rel, _where(i, cell), "une cellule notée doit avoir des points > 0.")
        comps = cell.get("metadata", {}).get("competencies")
        if not isinstance(comps, list) or not comps:
            yield Fault(lab.rel, _where(i, cell), "métadonnée `competencies` absente ou vide.")
            continue
        for cid in comps:
            if cid not in known:
                yield Fault(lab.rel, _where(i, cell), f"compétence inconnue {cid!r} (voir `labkit competencies`).")
        if not any(c.startswith(frameworks.PRIMARY) and c in known for c in comps):
            yield Fault(lab.rel, _where(i, cell), f"au moins une compétence {frameworks.PRIMARY} est requise.")


def _balanced(source: str, begin: str, end: str) -> bool:
    return source.count(begin) == source.count(end) >= 1


def check_regions(lab: Lab, nb):
    for i, cell in enumerate(nb.cells):
        src = cell.source
        if is_answer(cell) and cell.cell_type == "code" and not _balanced(src, "### BEGIN SOLUTION", "### END SOLUTION"):
            yield Fault(lab.rel, _where(i, cell), "cellule réponse sans région `### BEGIN SOLUTION` / `### END SOLUTION`.")
        if is_autograded_test(cell) and not _balanced(src, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"):
            yield Fault(lab.rel, _where(i, cell), "cellule de tests sans région `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS`.")
        if is_task(cell) and not _balanced(src, "### BEGIN MARK SCHEME", "### END MARK SCHEME"):
            yield Fault(lab.rel, _where(i, cell), "livrable corrigé à la main sans barème `### BEGIN MARK SCHEME` / `### END MARK SCHEME`.")
        if "### BEGIN SOLUTION" in src and not is_answer(cell):
            yield Fault(lab.rel, _where(i, cell), "région SOLUTION dans une cellule qui n'est pas une cellule réponse : elle fuirait.")
        if "BEGIN HIDDEN TESTS" in src and not is_autograded_test(cell):
            yield Fault(lab.rel, _where(i, cell), "région HIDDEN TESTS hors d'une cellule de tests notée.")


def check_task_answers(lab: Lab, nb):
    for i, cell in enumerate(nb.cells):
        if is_task(cell):
            after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
            if after is None or nbgrader_meta(after) or after.cell_type != "markdown":
                yield Fault(lab.rel, _where(i, cell), "un livrable (cellule task) doit être suivi d'une cellule markdown libre pour la réponse.")


def check_evidence(lab: Lab, nb):
    for i, cell in enumerate(nb.cells):
        if is_evidence(cell):
            meta = nbgrader_meta(cell)
            if not (meta.get("locked") and meta.get("grade_id")) or is_answer(cell):
                yield Fault(lab.rel, _where(i, cell), "une cellule `evidence` doit être verrouillée (locked) avec un grade_id, pour que sa sortie vienne du code de l'enseignant.")


def check_closing(lab: Lab, nb):
    if not any(c.cell_type == "markdown" and "Ce qu'il faut retenir" in c.source for c in nb.cells):
        yield Fault(lab.rel, "fin", "section « Ce qu'il faut retenir » absente.")


CHECKS = (
    check_kernelspec,
    check_outputs_stripped,
    check_title,
    check_parameters,
    check_nbgrader_metadata,
    check_points_and_competencies,
    check_regions,
    check_task_answers,
    check_evidence,
    check_closing,
)


def check_names(root: Path) -> list[Fault]:
    """Notebooks in the block folders whose file name breaks `NN_<sujet>.ipynb`."""
    return [
        Fault(f"{d}/{p.name}", "nom", "nom attendu `NN_<sujet>.ipynb` (snake_case, ASCII).")
        for d in BLOCK_DIRS
        for p in sorted((root / d).glob("*.ipynb"))
        if not NOTEBOOK_NAME.match(p.name)
    ]


def validate_lab(lab: Lab) -> list[Fault]:
    """Every fault of one source notebook (a notebook that does not parse is one fault)."""
    try:
        nb = nbformat.read(str(lab.path), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # any parse or schema error is the one thing to report
        return [Fault(lab.rel, "fichier", f"notebook illisible ou invalide : {exc.__class__.__name__}: {str(exc)[:200]}")]
    return [fault for check in CHECKS for fault in check(lab, nb)]


def validate(root: Path | None = None, labs: list[Lab] | None = None) -> list[Fault]:
    """Every fault of the kit's notebooks (all of them, or `labs`)."""
    root = root or repo_root()
    labs = labs if labs is not None else discover(root)
    return check_names(root) + [f for lab in labs for f in validate_lab(lab)]
