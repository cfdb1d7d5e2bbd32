"""An nbgrader course folder built from the kit's source notebooks.

Layout (nbgrader's own): `source/<assignment>/<notebook>.ipynb`, `release/`, `submitted/<learner>/
<assignment>/`, `autograded/`, `feedback/`, `gradebook.db` (SQLite), plus `nbgrader_config.py` so an
instructor can open the same folder in nbgrader's formgrader.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

from .catalogue import Lab
from .parameters import autograde_settings

COURSE_ID = "labkit"
# What learners see in place of the solutions: French, like the rest of the kit.
CODE_STUB = "# VOTRE CODE ICI\nraise NotImplementedError()"
TEXT_STUB = "VOTRE RÉPONSE ICI"
LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class CourseError(RuntimeError):
    """An nbgrader step failed; the message says which lab or learner and what to do."""


def is_safe_learner_id(learner: str) -> bool:
    """True if the id can name a folder of the course (no `/`, no `..`, no leading dot)."""
    return bool(LEARNER_ID.match(learner)) and ".." not in learner


def check_learner_id(learner: str) -> str:
    """The id itself if it is a safe folder name, else a CourseError naming it."""
    if not is_safe_learner_id(learner):
        raise CourseError(
            f"Identifiant d'apprenant refusé : {learner!r}. Utilisez lettres, chiffres, `_`, `-` ou `.` "
            "(pas de `/` ni de `..`), puis renommez son dossier de rendu."
        )
    return learner


def settings(root: Path, parameters: dict | None = None) -> dict[str, dict]:
    """nbgrader settings of the course, by configurable class (one source for file and API).

    `parameters` (e.g. {"FAST": True}) are set in every notebook autograde runs.
    """
    return {
        "CourseDirectory": {"root": str(root), "course_id": COURSE_ID},
        "ClearSolutions": {"code_stub": {"python": CODE_STUB}, "text_stub": TEXT_STUB},
        "Execute": {"timeout": 300, "interrupt_on_timeout": True},
        "Exchange": {"root": str(root / "exchange")},
        **autograde_settings(parameters or {}),
    }


def _tools_on_path() -> None:
    # nbgrader runs `alembic` as a command: find it beside this interpreter, venv not activated.
    tools = str(Path(sys.executable).parent)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")


@dataclass(frozen=True)
class Course:
    root: Path
    fast: bool = False  # autograde runs the labs with FAST = True (demo, CI); False grades the full runs

    @property
    def parameters(self) -> dict:
        return {"FAST": True} if self.fast else {}

    @property
    def gradebook_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def config(self) -> Config:
        return Config(settings(self.root, self.parameters))

    def write_config(self) -> Path:
        """Writes `nbgrader_config.py` with the course's settings, for nbgrader's own tools."""
        lines = ["# Written by labkit: the settings labkit's own calls to nbgrader use.", "c = get_config()  # noqa"]
        for section, values in settings(self.root, self.parameters).items():
            lines += [f"c.{section}.{key} = {value!r}" for key, value in values.items()]
        path = self.root / "nbgrader_config.py"
        self.root.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def api(self):
        """nbgrader's own API object on this course (imported late: nbgrader is slow to import)."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        _tools_on_path()
        config = self.config()
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def gradebook(self):
        """nbgrader's Gradebook on the course's SQLite database (a context manager)."""
        from nbgrader.api import Gradebook

        _tools_on_path()
        return Gradebook(self.gradebook_url, COURSE_ID)

    def source_path(self, lab: Lab) -> Path:
        return self.root / "source" / lab.assignment / f"{lab.notebook}.ipynb"

    def release_path(self, lab: Lab) -> Path:
        return self.root / "release" / lab.assignment / f"{lab.notebook}.ipynb"

    def submitted_dir(self, learner: str, lab: Lab) -> Path:
        return self.root / "submitted" / check_learner_id(learner) / lab.assignment

    def autograded_path(self, learner: str, lab: Lab) -> Path:
        return self.root / "autograded" / learner / lab.assignment / f"{lab.notebook}.ipynb"

    def import_source(self, lab: Lab) -> Path:
        """Copies the lab's source notebook from the repo into the course (nbgrader's `source/`)."""
        target = self.source_path(lab)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lab.path, target)
        return target

    def learners(self, lab: Lab) -> list[str]:
        """Folder names of the learners who submitted the lab, sorted (unsafe names included)."""
        base = self.root / "submitted"
        return sorted(p.parent.name for p in base.glob(f"*/{lab.assignment}") if p.is_dir()) if base.exists() else []


def release(course: Course, lab: Lab) -> Path:
    """Makes the student version of a lab with nbgrader's generate_assignment; returns its path."""
    course.write_config()
    course.import_source(lab)
    result = course.api().generate_assignment(lab.assignment, force=True, create=True)
    if not result["success"]:
        raise CourseError(
            f"nbgrader generate_assignment a échoué pour {lab.rel} : lancez `labkit validate`, "
            f"corrigez puis recommencez.\n{result.get('log', '')}{result.get('error', '')}"
        )
    return course.release_path(lab)


def package(course: Course, lab: Lab) -> Path:
    """Zips the released lab (for an LMS upload) next to the release folder; returns the zip."""
    folder = course.release_path(lab).parent
    if not folder.exists():
        raise CourseError(f"{lab.assignment} n'est pas encore publié : lancez d'abord `labkit release {lab.assignment}`.")
    target = folder.parent / f"{lab.assignment}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(lab.assignment) / path.relative_to(folder))
    return target
