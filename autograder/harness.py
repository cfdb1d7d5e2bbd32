"""What labkit adds to nbgrader's autograde chain, each a preprocessor placed around its Execute.

The chain (`PREPROCESSORS`) is nbgrader's own `Autograde.autograde_preprocessors` with three
changes, in order:

1. `InsertCanaries`: after every autograded test cell, a canary cell that checks `assert False`
   still fails. If learner code has neutralised the test machinery (an input or AST transformer
   that drops asserts or empties cells), a canary says so.
2. `SandboxedExecute`: nbgrader's Execute, which also takes the notebooks out of the kernel's
   folder before the kernel starts (the one being graded and the assignment's others: their
   hidden tests stay out of reach), keeps at most
   `output_limit` bytes of text output per notebook (stderr is never lost: nbgrader scores it), and
   runs canaries without touching the execution count or history.
3. `CheckCanaries`: reads and removes the canaries, and reports the test cells they followed.

Findings go, as JSON lines, to `findings_path`; the grading job reads them back.
"""
from __future__ import annotations

import json
import os

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat.v4 import new_code_cell
from traitlets import Integer, Unicode

from nbgrader import utils
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern, LimitOutput, NbGraderPreprocessor, SaveAutoGrades,
)

CANARY = "labkit_canary"
TRUNCATED = "\n[… sortie coupée par labkit : limite de sortie du notebook atteinte …]\n"


def record(path: str, finding: dict) -> None:
    """Appends one finding for the grading job (no-op without a path)."""
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(finding, ensure_ascii=False) + "\n")


def read_findings(path) -> dict:
    """Every finding recorded for one notebook, merged into one dict (lists concatenated)."""
    merged: dict = {}
    if not os.path.exists(path):
        return merged
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            for key, value in json.loads(line).items():
                if isinstance(value, list):
                    merged.setdefault(key, []).extend(value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    merged[key] = merged.get(key, 0) + value
                else:
                    merged[key] = value
    return merged


def is_test_cell(cell) -> bool:
    return utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code"


def canary_source(token: str, last: bool) -> str:
    """A canary cell. The last one must fail (`assert False`): silence there means the cells were
    emptied. The others must not fail, and raise the token only if `assert False` did not: they
    cost no traceback to a kernel that was left alone."""
    if last:
        return f"assert False, {token!r}"
    return f"try:\n    assert False\nexcept AssertionError:\n    pass\nelse:\n    raise RuntimeError({token!r})"


class InsertCanaries(NbGraderPreprocessor):
    """Puts a canary cell after each autograded test cell (see `canary_source`)."""

    token = Unicode("labkit-canary").tag(config=True)

    def preprocess(self, nb, resources):
        tests = [i for i, cell in enumerate(nb.cells) if is_test_cell(cell)]
        cells = []
        for index, cell in enumerate(nb.cells):
            cells.append(cell)
            if index in tests:
                canary = new_code_cell(canary_source(self.token, last=index == tests[-1]))
                canary.metadata[CANARY] = {"after": cell.metadata.nbgrader["grade_id"], "last": index == tests[-1]}
                cells.append(canary)
        nb.cells = cells
        return nb, resources


class CheckCanaries(NbGraderPreprocessor):
    """Removes the canaries; reports each test cell whose canary did not behave as it must."""

    token = Unicode("labkit-canary").tag(config=True)
    findings_path = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        kept, neutralised, stuck = [], [], []
        for cell in nb.cells:
            canary = cell.metadata.get(CANARY)
            if canary is None:
                kept.append(cell)
                continue
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            failed_as_it_must = any(o.get("ename") == "AssertionError" and self.token in str(o.get("evalue", "")) for o in errors)
            if (failed_as_it_must if canary["last"] else not errors):
                continue
            if any("Timeout" in str(o.get("ename", "")) for o in errors):
                stuck.append(canary["after"])  # the kernel was still busy: a blocked kernel, not a trick
            else:
                neutralised.append(canary["after"])
        nb.cells = kept
        record(self.findings_path, {"canaries_neutralised": neutralised, "canaries_stuck": stuck})
        return nb, resources


class SandboxedExecute(Execute):
    """nbgrader's Execute: notebook off the kernel's disk, text output bounded, canaries off the record."""

    output_limit = Integer(8 * 1024 * 1024, help="bytes of text output kept per notebook").tag(config=True)
    findings_path = Unicode("").tag(config=True)
    stash_dir = Unicode("", help="a folder out of the kernel's reach for the notebooks of its folder").tag(config=True)

    def preprocess(self, nb, resources, km=None):
        folder = resources.get("metadata", {}).get("path")
        name = resources.get("unique_key")
        stashed = self._stash(folder, f"{name}.ipynb")
        self._kept_bytes = 0
        self._dropped_bytes = 0
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._unstash(folder, stashed)
            record(self.findings_path, {"output_dropped_bytes": self._dropped_bytes})

    def _stash(self, folder, graded: str) -> list[str]:
        """Takes every notebook out of the kernel's folder: the one being graded (nbgrader writes it
        back from memory) and the assignment's others, already graded with their hidden tests."""
        if not folder or not os.path.isdir(folder):
            return []
        moved = []
        for entry in os.listdir(folder):
            if not entry.endswith(".ipynb"):
                continue
            path = os.path.join(folder, entry)
            if entry == graded or not self.stash_dir:
                os.remove(path)
                continue
            os.makedirs(self.stash_dir, exist_ok=True)
            os.replace(path, os.path.join(self.stash_dir, entry))
            moved.append(entry)
        return moved

    def _unstash(self, folder, moved: list[str]) -> None:
        for entry in moved:
            os.replace(os.path.join(self.stash_dir, entry), os.path.join(folder, entry))

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get(CANARY) is not None:
            self._check_assign_resources(resources)
            return self.execute_cell(cell, index, store_history=False), self.resources
        return super().preprocess_cell(cell, resources, index)

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "stream":
            msg = self._bounded_stream(outs, msg)
            if msg is None:
                return None
        return super().output(outs, msg, display_id, cell_index)

    def _bounded_stream(self, outs, msg):
        text = msg["content"].get("text", "")
        room = self.output_limit - self._kept_bytes
        size = len(text.encode("utf-8", "replace"))
        if size <= room:
            self._kept_bytes += size
            return msg
        self._dropped_bytes += size - max(room, 0)
        is_stderr = msg["content"].get("name") == "stderr"
        already_stderr = any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outs)
        if room <= 0 and not (is_stderr and not already_stderr):
            return None
        kept = text.encode("utf-8", "replace")[: max(room, 0)].decode("utf-8", "ignore") + TRUNCATED
        self._kept_bytes = self.output_limit
        return {**msg, "content": {**msg["content"], "text": kept}}


PREPROCESSORS = [
    InsertCanaries,
    SandboxedExecute,
    CheckCanaries,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
