"""Headless runs of a notebook with papermill, scored cell by cell the way nbgrader scores them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .mapping import is_autograded_test, nbgrader_meta
from .parameters import inject


@dataclass(frozen=True)
class Run:
    """An executed notebook and its autograded scores."""

    notebook: nbformat.NotebookNode
    scores: dict[str, tuple[float, float]]  # grade_id -> (score, max)

    @property
    def score(self) -> float:
        return sum(s for s, _ in self.scores.values())

    @property
    def max_score(self) -> float:
        return sum(m for _, m in self.scores.values())

    @property
    def ran_to_end(self) -> bool:
        """Every code cell was executed (papermill went on past errors)."""
        return all(c.get("execution_count") is not None for c in self.notebook.cells if c.cell_type == "code" and c.source.strip())

    def errors(self) -> dict[str, str]:
        """`<cell index or grade_id>` -> 'ename: evalue' of every cell that raised."""
        found = {}
        for index, cell in enumerate(self.notebook.cells):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    found[nbgrader_meta(cell).get("grade_id") or f"cellule {index + 1}"] = f"{output.ename}: {output.evalue}"
        return found


def score_cells(nb) -> dict[str, tuple[float, float]]:
    """nbgrader's own verdict (error or stderr = 0) for every autograded test cell of an executed notebook."""
    from nbgrader.utils import determine_grade

    return {nbgrader_meta(c)["grade_id"]: tuple(map(float, determine_grade(c))) for c in nb.cells if is_autograded_test(c)}


def execute(source: Path, output: Path, parameters: dict | None = None, cwd: Path | None = None, timeout: int = 600) -> Run:
    """Runs the notebook at source with papermill to output, going on past errors, and scores it."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=parameters or {},
            kernel_name="python3",
            cwd=str(cwd or output.parent),
            progress_bar=False,
            allow_errors=True,
            execution_timeout=timeout,
        )
    except PapermillExecutionError:
        pass  # the errors stay in the output notebook, where the scores read them
    nb = nbformat.read(str(output), as_version=4)
    return Run(nb, score_cells(nb))


def _index_of(nb, grade_id: str) -> int:
    for index, cell in enumerate(nb.cells):
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return index
    raise LookupError(f"grade_id {grade_id!r} introuvable dans le notebook.")


def try_mistakes(source: Path, mistakes, parameters: dict | None = None, cwd: Path | None = None, timeout: int = 600) -> dict:
    """Scores of the named test cells with each mistake in place, all in one kernel.

    The notebook runs once; then, for each mistake, its answer cell is replaced, the cells from it
    to the last test cell it names are run again and scored, and the right answer is run again
    over the same range to restore the kernel's state. Cells must therefore be re-runnable.
    Returns {mistake id: {grade_id: (score, max)}}.
    """
    from nbclient import NotebookClient

    nb = inject(nbformat.read(str(source), as_version=4), parameters or {})
    client = NotebookClient(
        nb, kernel_name="python3", allow_errors=True, timeout=timeout,
        resources={"metadata": {"path": str(cwd or source.parent)}},
    )
    from nbgrader.utils import determine_grade

    results = {}
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)

        def run_range(start: int, stop: int) -> None:
            for index in range(start, stop + 1):
                if nb.cells[index].cell_type == "code":
                    client.execute_cell(nb.cells[index], index)

        for mistake in mistakes:
            start = _index_of(nb, mistake.cell)
            stop = max(_index_of(nb, grade_id) for grade_id in mistake.fails)
            right = nb.cells[start].source
            nb.cells[start].source = mistake.source
            run_range(start, stop)
            results[mistake.id] = {g: tuple(map(float, determine_grade(nb.cells[_index_of(nb, g)]))) for g in mistake.fails}
            nb.cells[start].source = right
            run_range(start, stop)
    return results
