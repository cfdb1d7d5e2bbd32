"""A tiny lab that follows the authoring contract, for fast tests of the engine on real nbgrader."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nbg(grade_id, *, grade=False, solution=False, locked=False, task=False, points=None):
    meta = {"grade": grade, "solution": solution, "locked": locked, "task": task,
            "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return meta


def notebook() -> nbformat.NotebookNode:
    """`bc04_pilotage/01_mini_plan.ipynb`: two autograded exercises, one evidence cell, one task."""
    cells = [
        new_markdown_cell("# Mini-lab de test\n\nBloc RNCP40514BC04."),
        new_code_cell("FAST = False\nSEED = 42", metadata={"tags": ["parameters"]}),
        new_code_cell("def total(durations):\n    ### BEGIN SOLUTION\n    return sum(durations)\n    ### END SOLUTION",
                      metadata={"nbgrader": _nbg("plan_total", solution=True)}),
        new_code_cell("assert total([1, 2]) == 3, \"`total` ne fait pas la somme.\"\n### BEGIN HIDDEN TESTS\n"
                      "assert total([]) == 0, \"`total` doit valoir 0 pour une liste vide.\"\n### END HIDDEN TESTS",
                      metadata={"nbgrader": _nbg("plan_total_tests", grade=True, locked=True, points=2),
                                "competencies": ["RNCP40514BC04.C2", "RNCP38777BC04.C1"]}),
        new_code_cell("def longest(durations):\n    ### BEGIN SOLUTION\n    return max(durations)\n    ### END SOLUTION",
                      metadata={"nbgrader": _nbg("plan_longest", solution=True)}),
        new_code_cell("assert longest([1, 3]) == 3\n### BEGIN HIDDEN TESTS\nassert longest([5, 2]) == 5\n### END HIDDEN TESTS",
                      metadata={"nbgrader": _nbg("plan_longest_tests", grade=True, locked=True, points=1),
                                "competencies": ["RNCP40514BC04.C5"]}),
        new_code_cell("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.barh(['a'], [total([1, 2])])\nplt.show()",
                      metadata={"nbgrader": _nbg("plan_figure", locked=True), "tags": ["evidence"]}),
        new_markdown_cell("Justifiez le planning.\n\n### BEGIN MARK SCHEME\n- 2 points : cite le chemin critique.\n### END MARK SCHEME",
                          metadata={"nbgrader": _nbg("plan_justification", task=True, locked=True, points=2),
                                    "competencies": ["RNCP40514BC04.C2"]}),
        new_markdown_cell("**Votre réponse :**"),
        new_markdown_cell("## Ce qu'il faut retenir\n\n- Somme et maximum."),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


SAMPLES = '''
[[mistakes]]
id = "somme_oubliee"
cell = "plan_total"
explanation = "Renvoie le premier élément au lieu de la somme."
fails = ["plan_total_tests"]
source = """
def total(durations):
    return durations[0]
"""

[written.plan_justification]
partial = "Le planning est bon."
partial_score = 1.0
partial_comment = "Chemin critique non cité."
full = "Le chemin critique passe par T1 et T3."
full_comment = "Complet."
'''


def make_repo(root: Path) -> Path:
    """A kit-shaped folder holding only the mini-lab and its samples; returns root."""
    (root / "bc04_pilotage").mkdir(parents=True)
    nbformat.write(notebook(), str(root / "bc04_pilotage" / "01_mini_plan.ipynb"))
    (root / "samples" / "bc04_pilotage").mkdir(parents=True)
    (root / "samples" / "bc04_pilotage" / "01_mini_plan.toml").write_text(SAMPLES, encoding="utf-8")
    return root
