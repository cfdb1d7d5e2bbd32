"""Every lab run headlessly with papermill, as an instructor's CI would.

- the source notebook (solutions, hidden tests) reaches full marks on its autograded cells;
- the released student version, made by nbgrader, runs to the end and scores zero;
- each plausible mistake of `samples/` fails the test cells it names (tests of the tests).
"""
import pytest

from autograder import catalogue, samples
from autograder.course import Course, release
from autograder.execution import execute

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


MISTAKES = [(lab, m) for lab in LABS for m in samples.load(lab).mistakes]


def test_every_lab_has_plausible_mistakes():
    for lab in LABS:
        assert len(samples.load(lab).mistakes) >= 2, f"{lab.rel}: au moins deux erreurs plausibles dans {lab.samples}"


@pytest.mark.parametrize("lab, mistake", MISTAKES, ids=lambda x: getattr(x, "id", getattr(x, "assignment", "")))
def test_hidden_tests_fail_a_plausible_mistake(lab, mistake, tmp_path):
    import nbformat

    broken = tmp_path / "broken.ipynb"
    nbformat.write(samples.with_mistake(lab, mistake), str(broken))
    run = execute(broken, tmp_path / "out.ipynb", FAST)
    passed = [grade_id for grade_id in mistake.fails if run.scores[grade_id][0] > 0]
    assert not passed, f"{lab.rel}: l'erreur « {mistake.explanation} » passe {passed}"
