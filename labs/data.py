"""Load the fil-rouge client's data from `datasets/`, verified against its checksums.

Every file is listed in `datasets/MANIFEST.json` with its sha256: a file that was edited by
mistake, truncated or left over from an older version is refused with a message that says what
to do, instead of giving a lab silently different numbers.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

# Instructors can point the labs at another copy of the data (a shared read-only volume).
ENV_VAR = "LABKIT_DATASETS"


class DatasetError(RuntimeError):
    """A data file is missing, unknown or differs from the one the labs were written for."""


def root() -> Path:
    """The `datasets/` folder: $LABKIT_DATASETS if set, else the one beside this package."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "datasets"


@lru_cache(maxsize=4)
def _manifest(folder: str) -> dict:
    manifest = Path(folder) / "MANIFEST.json"
    if not manifest.exists():
        raise DatasetError(
            f"Le manifeste {manifest} est introuvable : relancez `python datasets/generate.py` "
            f"ou définissez {ENV_VAR} vers le dossier datasets du kit."
        )
    return json.loads(manifest.read_text(encoding="utf-8"))["files"]


def sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def path(name: str) -> Path:
    """The verified path of a data file named relative to `datasets/` (e.g. "pilotage/taches_projet.csv").

    Raises DatasetError if the file is not in the manifest, is missing, or its sha256 differs.
    """
    folder = root()
    files = _manifest(str(folder))
    if name not in files:
        known = ", ".join(sorted(files))
        raise DatasetError(f"Fichier de données inconnu : {name!r}. Fichiers disponibles : {known}.")
    target = folder / name
    if not target.exists():
        raise DatasetError(
            f"Le fichier {target} manque : relancez `python datasets/generate.py` depuis la racine du kit."
        )
    if sha256(target) != files[name]["sha256"]:
        raise DatasetError(
            f"Le fichier {target} a été modifié (somme de contrôle différente du manifeste). "
            "Restaurez-le (`git checkout -- datasets/`) ou relancez `python datasets/generate.py`."
        )
    return target


def read_csv(name: str, **kwargs) -> pd.DataFrame:
    """A verified CSV file of `datasets/` as a DataFrame (kwargs go to pandas.read_csv)."""
    return pd.read_csv(path(name), **kwargs)


def read_json(name: str):
    """A verified JSON file of `datasets/`, parsed."""
    return json.loads(path(name).read_text(encoding="utf-8"))


def entreprise() -> dict:
    """The facts about the fil-rouge client (`datasets/entreprise.json`), the same in every lab."""
    return read_json("entreprise.json")
