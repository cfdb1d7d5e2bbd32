import nbformat
from nbformat.v4 import new_code_cell
import pytest

from autograder import catalogue, validate

import minilab


def _write(root, nb, name="01_mini_plan.ipynb"):
    nbformat.write(nb, str(root / "bc04_pilotage" / name))


def test_the_mini_lab_passes(mini_repo):
    assert validate.validate(mini_repo) == []


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


BREAKS = {
    "kernelspec": (lambda nb: nb.metadata.update(kernelspec={"name": "ir"}), "kernelspec"),
    "outputs": (lambda nb: nb.cells[1].update(execution_count=3), "sorties"),
    "parameters": (lambda nb: nb.cells[1].metadata.update(tags=[]), "parameters"),
    "no_seed": (lambda nb: nb.cells[1].update(source="FAST = False"), "SEED"),
    "points": (lambda nb: _cell(nb, "plan_total_tests").metadata.nbgrader.update(points=0), "points"),
    "no_competency": (lambda nb: _cell(nb, "plan_total_tests").metadata.pop("competencies"), "competencies"),
    "unknown_competency": (lambda nb: _cell(nb, "plan_total_tests").metadata.update(competencies=["RNCP40514BC09.C1"]), "inconnue"),
    "only_38777": (lambda nb: _cell(nb, "plan_total_tests").metadata.update(competencies=["RNCP38777BC04.C1"]), "RNCP40514 est requise"),
    "duplicate_id": (lambda nb: _cell(nb, "plan_longest_tests").metadata.nbgrader.update(grade_id="plan_total_tests"), "déjà utilisé"),
    "bad_id": (lambda nb: _cell(nb, "plan_longest_tests").metadata.nbgrader.update(grade_id="Plan-Test"), "snake_case"),
    "foreign_prefix": (lambda nb: _cell(nb, "plan_longest_tests").metadata.nbgrader.update(grade_id="autre_test"), "mot du sujet"),
    "no_hidden": (lambda nb: _cell(nb, "plan_total_tests").update(source="assert total([1]) == 1"), "HIDDEN TESTS"),
    "no_solution_region": (lambda nb: _cell(nb, "plan_total").update(source="def total(d):\n    return sum(d)"), "BEGIN SOLUTION"),
    "no_mark_scheme": (lambda nb: _cell(nb, "plan_justification").update(source="Justifiez."), "MARK SCHEME"),
    "evidence_unlocked": (lambda nb: _cell(nb, "plan_figure").metadata.nbgrader.update(locked=False), "verrouillée"),
    "no_closing": (lambda nb: nb.cells.pop(), "Ce qu'il faut retenir"),
    "task_without_answer_cell": (lambda nb: nb.cells.__setitem__(-2, new_code_cell("x = 1")), "suivi d'une cellule markdown"),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_each_broken_rule_is_reported_with_a_precise_message(mini_repo, name):
    nb = minilab.notebook()
    breaker, expected = BREAKS[name]
    breaker(nb)
    _write(mini_repo, nb)
    faults = validate.validate(mini_repo)
    assert faults, f"{name}: not detected"
    assert any(expected in f.message for f in faults), [str(f) for f in faults]
    assert all(f.file == "bc04_pilotage/01_mini_plan.ipynb" for f in faults)


def test_a_notebook_that_does_not_parse_is_one_fault(mini_repo):
    (mini_repo / "bc04_pilotage" / "02_casse.ipynb").write_text("{pas du json", encoding="utf-8")
    faults = validate.validate(mini_repo)
    assert [f.file for f in faults] == ["bc04_pilotage/02_casse.ipynb"]
    assert "illisible" in faults[0].message


def test_badly_named_notebooks_are_reported(mini_repo):
    _write(mini_repo, minilab.notebook(), name="Planning.ipynb")
    assert [f.where for f in validate.validate(mini_repo)] == ["nom"]


def test_catalogue_names_assignments_from_block_and_file(mini_repo):
    (lab,) = catalogue.discover(mini_repo)
    assert (lab.assignment, lab.notebook, lab.rel) == ("bc04_01_mini_plan", "01_mini_plan", "bc04_pilotage/01_mini_plan.ipynb")
    assert catalogue.find("bc04_01_mini_plan", mini_repo) == lab
    with pytest.raises(LookupError, match="bc04_01_mini_plan"):
        catalogue.find("nope", mini_repo)
