"""Where the labs are: the source notebooks of the four block folders and their nbgrader names."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BLOCK_DIRS = ("bc01_besoin", "bc02_conception", "bc03_deploiement", "bc04_pilotage")
NOTEBOOK_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")


def repo_root() -> Path:
    """The kit's top folder (the one holding `autograder/` and the block folders)."""
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Lab:
    """One source notebook, which nbgrader handles as an assignment of one notebook."""

    root: Path
    block_dir: str
    stem: str

    @property
    def path(self) -> Path:
        return self.root / self.block_dir / f"{self.stem}.ipynb"

    @property
    def rel(self) -> str:
        """The notebook's path from the repo root, as reports and messages name it."""
        return f"{self.block_dir}/{self.stem}.ipynb"

    @property
    def assignment(self) -> str:
        """nbgrader assignment id, e.g. `bc04_01_planification_pert`."""
        return f"{self.block_dir.split('_')[0]}_{self.stem}"

    @property
    def notebook(self) -> str:
        """nbgrader notebook id (file name without extension)."""
        return self.stem

    @property
    def samples(self) -> Path:
        """Simulated learner answers for this lab (demo cohort, tests of the tests)."""
        return self.root / "samples" / self.block_dir / f"{self.stem}.toml"


def discover(root: Path | None = None) -> list[Lab]:
    """Every `bcNN_<bloc>/NN_<sujet>.ipynb` under root, sorted by block then number."""
    root = root or repo_root()
    return [
        Lab(root, block_dir, nb.stem)
        for block_dir in BLOCK_DIRS
        for nb in sorted((root / block_dir).glob("*.ipynb"))
        if NOTEBOOK_NAME.match(nb.name)
    ]


def find(name: str, root: Path | None = None) -> Lab:
    """The lab named by its assignment id, its path from the repo root or its file stem."""
    labs = discover(root)
    for lab in labs:
        if name in (lab.assignment, lab.rel, lab.stem, str(lab.path)):
            return lab
    known = ", ".join(lab.assignment for lab in labs) or "aucun"
    raise LookupError(f"Lab inconnu : {name!r}. Labs disponibles : {known}.")
