"""What a submission is, checked against the published notebook before anything runs.

Every check reads bytes and never writes: sha256 of each submitted file, files missing or
unexpected, notebooks that do not parse, locked and test cells modified or deleted (nbgrader
restores them; the learner is still flagged), grading metadata changed, graded cells added, and
learner code that reaches into the test machinery (IPython hooks, builtins, an `__eq__` that
always answers True). `check()` is a pure function of the submission and the reference.
"""
from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field

# Files nbgrader itself puts in a submission folder.
EXPECTED_EXTRA = {"timestamp.txt"}
GRADING_FIELDS = ("grade", "solution", "locked", "task", "points")
# Attribute names only the test machinery has: touching them from an answer cell is a red flag.
HARNESS_ATTRIBUTES = {
    "input_transformers_cleanup": "transforme le texte des cellules suivantes (tests compris)",
    "input_transformers_post": "transforme le texte des cellules suivantes (tests compris)",
    "ast_transformers": "réécrit le code des cellules suivantes (tests compris)",
    "set_custom_exc": "intercepte les exceptions des tests",
    "showtraceback": "masque les erreurs des tests",
    "_showtraceback": "masque les erreurs des tests",
    "run_cell": "remplace l'exécution des cellules",
    "run_cell_async": "remplace l'exécution des cellules",
    "run_ast_nodes": "remplace l'exécution des cellules",
    "register": None,  # only with `.events`, see _harness_findings
}
NOTE_CALLS = {
    ("os", "_exit"): "arrête le noyau (os._exit)",
    ("sys", "exit"): "demande l'arrêt (sys.exit)",
    ("os", "fork"): "crée des processus (os.fork)",
    ("os", "system"): "lance des commandes (os.system)",
}
NOTE_IMPORTS = {
    "ctypes": "accès mémoire brut (ctypes)",
    "socket": "accès réseau (socket)",
    "urllib": "accès réseau (urllib)",
    "requests": "accès réseau (requests)",
    "http": "accès réseau (http)",
    "subprocess": "lance des commandes (subprocess)",
    "multiprocessing": "crée des processus (multiprocessing)",
    "sqlite3": "ouvre une base SQLite",
}


@dataclass
class Integrity:
    """The findings on one submission; `flags` go to the outcome, `suspicious` hold its grades for review."""

    files: list[dict] = field(default_factory=list)  # [{"name", "sha256"}]
    unreadable: list[str] = field(default_factory=list)  # notebooks that cannot be graded at all
    flags: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def digests(files: dict[str, bytes]) -> list[dict]:
    """sha256 of every submitted file, by name, sorted."""
    return [{"name": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in sorted(files.items())]


def parse_notebook(data: bytes) -> tuple[dict | None, str]:
    """(notebook as a dict, "") or (None, why it does not parse)."""
    try:
        nb = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "n'est pas du texte UTF-8"
    except json.JSONDecodeError as exc:
        return None, f"n'est pas un JSON valide (ligne {exc.lineno}, colonne {exc.colno})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "n'a pas de liste de cellules"
    return nb, ""


def format_problem(nb: dict) -> str:
    """Why the notebook breaks the nbformat schema ("" if it does not); nbgrader grades it anyway."""
    try:
        import nbformat

        nbformat.validate(nbformat.from_dict(nb), version=nb.get("nbformat", 4))
    except Exception as exc:  # nbformat's ValidationError and friends
        return str(exc).splitlines()[0][:160]
    return ""


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata", {})
    nbg = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbg if isinstance(nbg, dict) else {}


def _by_grade_id(nb: dict) -> tuple[dict[str, dict], list[str]]:
    cells: dict[str, dict] = {}
    duplicates = []
    for cell in nb.get("cells", []):
        grade_id = _meta(cell).get("grade_id")
        if not grade_id:
            continue
        if grade_id in cells:
            duplicates.append(grade_id)
        cells[grade_id] = cell
    return cells, duplicates


def _is_test(cell: dict) -> bool:
    meta = _meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def cell_findings(submitted: dict, reference: dict, name: str) -> list[str]:
    """Locked or test cells modified or deleted, grading metadata changed, graded cells added."""
    ref_cells, _ = _by_grade_id(reference)
    sub_cells, duplicates = _by_grade_id(submitted)
    found = [f"{name} : identifiant de cellule en double {gid!r}" for gid in sorted(set(duplicates))]
    for grade_id, ref in ref_cells.items():
        kind = "de test" if _is_test(ref) else ("verrouillée" if _meta(ref).get("locked") else "de réponse")
        sub = sub_cells.get(grade_id)
        if sub is None:
            found.append(f"{name} : cellule {kind} {grade_id} supprimée" + (" (nbgrader la remet)" if _meta(ref).get("locked") else ""))
            continue
        if _meta(ref).get("locked") and _source(sub).strip() != _source(ref).strip():
            found.append(f"{name} : cellule {kind} {grade_id} modifiée (nbgrader restaure l'original)")
        changed = [
            f"{key} {_meta(ref).get(key)!r} → {_meta(sub).get(key)!r}"
            for key in GRADING_FIELDS
            if _meta(ref).get(key) != _meta(sub).get(key) and not (key == "points" and _meta(ref).get(key) is None)
        ]
        if sub.get("cell_type") != ref.get("cell_type"):
            changed.append(f"type {ref.get('cell_type')} → {sub.get('cell_type')}")
        if changed:
            found.append(f"{name} : métadonnées de notation de {grade_id} modifiées ({', '.join(changed)})")
    for grade_id in sorted(set(sub_cells) - set(ref_cells)):
        found.append(f"{name} : cellule notée inconnue {grade_id!r} ajoutée")
    return found


def _code_for_ast(source: str) -> str:
    # IPython syntax (magics, shell escapes) is not Python: blank those lines, keep numbering.
    return "\n".join("" if line.lstrip().startswith(("%", "!", "?")) else line for line in source.split("\n"))


def _always_true(node: ast.AST) -> bool:
    """A function or lambda whose only result is the constant True."""
    if isinstance(node, ast.Lambda):
        return isinstance(node.body, ast.Constant) and node.body.value is True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
        return bool(returns) and all(isinstance(r.value, ast.Constant) and r.value.value is True for r in returns)
    return False


def code_findings(source: str, where: str) -> tuple[list[str], list[str]]:
    """(suspicious, notes) for one cell of learner code: harness tampering first, the rest as notes."""
    try:
        tree = ast.parse(_code_for_ast(source))
    except SyntaxError:
        return [], []
    suspicious: list[str] = []
    notes: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            why = HARNESS_ATTRIBUTES.get(node.attr)
            if node.attr == "register" and isinstance(node.value, ast.Attribute) and node.value.attr == "events":
                why = "s'accroche à l'exécution des cellules suivantes"
            if why:
                suspicious.append(f"{where} : {node.attr} — {why}")
            if isinstance(node.value, ast.Name) and (node.value.id, node.attr) in NOTE_CALLS:
                notes.append(f"{where} : {NOTE_CALLS[(node.value.id, node.attr)]}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top == "builtins":
                    suspicious.append(f"{where} : importe builtins — peut remplacer les fonctions dont les tests dépendent")
                elif top in NOTE_IMPORTS:
                    notes.append(f"{where} : {NOTE_IMPORTS[top]}")
        elif isinstance(node, ast.Name) and node.id == "__builtins__":
            suspicious.append(f"{where} : __builtins__ — peut remplacer les fonctions dont les tests dépendent")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("__eq__", "__ne__") and _always_true(node):
            suspicious.append(f"{where} : {node.name} répond toujours True — une comparaison des tests ne prouve plus rien")
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("__eq__", "__ne__") for t in node.targets):
            if _always_true(node.value):
                suspicious.append(f"{where} : __eq__ répond toujours True — une comparaison des tests ne prouve plus rien")
    return sorted(set(suspicious)), sorted(set(notes))


def learner_cells(submitted: dict, reference: dict) -> list[tuple[str, str]]:
    """(where, source) of every code cell the learner could write: answers, and cells not locked."""
    ref_cells, _ = _by_grade_id(reference)
    out = []
    for index, cell in enumerate(submitted.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        grade_id = _meta(cell).get("grade_id")
        ref = ref_cells.get(grade_id) if grade_id else None
        if ref is not None and _meta(ref).get("locked"):
            continue  # nbgrader puts the original back: what the learner wrote there never runs
        out.append((f"cellule {grade_id or index + 1}", _source(cell)))
    return out


def check(files: dict[str, bytes], expected: set[str], references: dict[str, dict | None], skipped: list[str] = ()) -> Integrity:
    """The integrity findings on one submission.

    `files`: the submitted regular files by relative path; `expected`: the files of the published
    assignment; `references`: published notebook (parsed) by notebook file name, None if unknown;
    `skipped`: entries that were not read (links, special files).
    """
    result = Integrity(files=digests(files))
    result.flags += [f"{name} : lien ou fichier spécial ignoré (jamais lu ni copié)" for name in skipped]
    result.flags += [f"fichier manquant : {name}" for name in sorted(expected - set(files))]
    result.flags += [f"fichier inattendu : {name}" for name in sorted(set(files) - expected - EXPECTED_EXTRA)]
    for name, data in sorted(files.items()):
        if not name.endswith(".ipynb") or "/" in name:
            continue
        nb, why = parse_notebook(data)
        if nb is None:
            result.unreadable.append(f"{name} {why}")
            result.flags.append(f"{name} {why}")
            continue
        problem = format_problem(nb)
        if problem:
            result.flags.append(f"{name} : hors du format nbformat ({problem})")
        reference = references.get(name)
        if reference is None:
            continue
        result.flags += cell_findings(nb, reference, name)
        for where, source in learner_cells(nb, reference):
            suspicious, notes = code_findings(source, f"{name}, {where}")
            result.suspicious += suspicious
            result.notes += notes
    result.flags += result.suspicious
    return result
