"""`labkit doctor`: one OK/FAIL line per thing a learner or instructor machine needs."""
from __future__ import annotations

import importlib.metadata as md
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Distribution name -> why the kit needs it (printed on a FAIL line).
PACKAGES = {
    "nbgrader": "correction automatique et gradebook",
    "jupyterlab": "interface des apprenants",
    "notebook": "extensions nbgrader de JupyterLab",
    "papermill": "exécution des notebooks en CI",
    "ipykernel": "noyau Python",
    "pandas": "tous les labs",
    "scikit-learn": "bc02, bc03",
    "matplotlib": "figures des labs",
    "networkx": "bc04 (PERT)",
    "scipy": "bc04 (probabilités)",
    "tensorflow": "bc03 (Keras)",
    "keras": "bc03 (Keras 3)",
    "jinja2": "rapports de preuves",
    "distributed": "correction sur un cluster Dask (labkit autograde --scheduler)",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"[{'  OK' if self.ok else 'FAIL'}] {self.name}: {self.detail}"


def check_python() -> Check:
    ok = sys.version_info[:2] == (3, 11)
    return Check("python", ok, f"{sys.version.split()[0]} ({sys.executable})" + ("" if ok else " — Python 3.11 requis"))


def check_package(name: str, why: str) -> Check:
    try:
        return Check(name, True, md.version(name))
    except md.PackageNotFoundError:
        return Check(name, False, f"absent ({why}) — lancez `make setup`")


def check_lab_extensions() -> Check:
    """nbgrader's JupyterLab extensions (formgrader, create assignment, validate) are installed."""
    jupyter = Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        return Check("extensions nbgrader", False, "commande jupyter introuvable — lancez `make setup`")
    result = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True)
    listing = result.stdout + result.stderr
    ok = "@jupyter/nbgrader" in listing and "enabled" in listing
    return Check("extensions nbgrader", ok, "@jupyter/nbgrader activée" if ok else "absente : `pip install nbgrader` dans l'environnement du kit")


def check_kernel() -> Check:
    """The `python3` kernel runs this interpreter (otherwise labs import another environment)."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except Exception as exc:  # no kernel at all is the one thing to report
        return Check("noyau python3", False, f"introuvable ({exc}) — `python -m ipykernel install --sys-prefix`")
    exe = spec.argv[0]
    same = exe in ("python", sys.executable) or shutil.which(exe) == sys.executable or Path(exe).resolve() == Path(sys.executable).resolve()
    return Check("noyau python3", same, exe if same else f"{exe} n'est pas {sys.executable} — `python -m ipykernel install --sys-prefix`")


def check_labs_import() -> Check:
    try:
        from labs import data

        data.path("entreprise.json")
    except Exception as exc:  # the message itself says what to do
        return Check("données du kit", False, str(exc))
    return Check("données du kit", True, f"{data.root()} (sommes de contrôle vérifiées)")


def check_protections() -> list[Check]:
    """One line per protection of the grading sandbox, active or not on this machine (see README)."""
    from . import sandbox

    return [
        Check(f"bac à sable : {p.name}", p.active, p.detail + ("" if p.active else " — voir README, « Correction en parallèle et bac à sable »"))
        for p in sandbox.protections()
    ]


def checks() -> list[Check]:
    """Every check, in the order a person fixes things."""
    return [
        check_python(),
        *(check_package(name, why) for name, why in PACKAGES.items()),
        check_lab_extensions(),
        check_kernel(),
        check_labs_import(),
        *check_protections(),
    ]
