"""Every lab run headlessly with papermill, as an instructor's CI would.

- the source notebook (solutions, hidden tests) reaches full marks on its autograded cells;
- the released student version, made by nbgrader, runs to the end and scores zero;
- each plausible mistake of `samples/` fails the test cells it names (tests of the tests).
"""
import pytest

from autograder import catalogue, samples
from autograder.course import Course, release
from autograder.execution import execute, try_mistakes

pytestmark = pytest.mark.notebooks
LABS = catalogue.discover()
FAST = {"FAST": True}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return Course(tmp_path_factory.mktemp("course"))


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.assignment)
def test_source_reaches_full_marks(lab, tmp_path):
    run = execute(lab.path, tmp_path / "out.ipynb", FAST)
    assert run.errors() == {}, f"{lab.rel}: cellules en erreur"
    assert run.max_score > 0 and run.score == run.max_score, run.scores


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.assignment)
def test_released_version_runs_to_the_end_and_scores_zero(lab, course, tmp_path):
    released = release(course, lab)
    text = released.read_text(encoding="utf-8")
    for leak in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME"):
        assert leak not in text, f"{lab.rel}: {leak} dans la version étudiante"
    run = execute(released, tmp_path / "out.ipynb", FAST)
    assert run.ran_to_end
    assert run.max_score > 0 and run.score == 0, {k: v for k, v in run.scores.items() if v[0]}


LABS_WITH_MISTAKES = [lab for lab in LABS if samples.load(lab).mistakes]


def test_every_lab_has_plausible_mistakes():
    for lab in LABS:
        assert len(samples.load(lab).mistakes) >= 2, f"{lab.rel}: au moins deux erreurs plausibles dans {lab.samples}"


@pytest.mark.parametrize("lab", LABS_WITH_MISTAKES, ids=lambda lab: lab.assignment)
def test_hidden_tests_fail_every_plausible_mistake(lab, tmp_path):
    mistakes = samples.load(lab).mistakes
    results = try_mistakes(lab.path, mistakes, FAST, cwd=tmp_path)
    passed = {m.id: [g for g, (score, _) in results[m.id].items() if score > 0] for m in mistakes}
    assert not any(passed.values()), f"{lab.rel}: erreurs plausibles que les tests laissent passer : { {k: v for k, v in passed.items() if v} }"
