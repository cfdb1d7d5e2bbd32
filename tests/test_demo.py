"""`labkit demo` on the kit's own labs: the issue's 'done when', checked on every run."""
import json

import pytest

from autograder import catalogue, demo
from autograder.mapping import graded_cells

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return demo.run(tmp_path_factory.mktemp("demo") / "demo", say=lambda line: None)


def statuses(out, learner):
    doc = json.loads((out / "reports" / learner / "evidence.json").read_text(encoding="utf-8"))
    return {c["id"]: c["status"] for fw in doc["frameworks"] for b in fw["blocks"] for c in b["competencies"]}


def mapped(prefix):
    return {c for lab in catalogue.discover() for cell in graded_cells(lab) for c in cell.competencies if c.startswith(prefix)}


def test_the_learner_with_the_solutions_acquires_every_mapped_competency(out):
    got = statuses(out, "amartin")
    assert mapped("RNCP40514BC04")
    assert {c: got[c] for c in mapped("RNCP")} == {c: "acquired" for c in mapped("RNCP")}


def test_the_partial_learner_shows_a_mix(out):
    got = statuses(out, "bdupont")
    assert len({got[c] for c in mapped("RNCP40514BC04")}) >= 2


def test_the_wrong_learner_acquires_nothing(out):
    assert "acquired" not in statuses(out, "cmoreau").values()


def test_every_learner_has_both_reports_and_the_cohort_views_exist(out):
    for learner in ("amartin", "bdupont", "cmoreau", "dleroy"):
        assert (out / "reports" / learner / "evidence.html").stat().st_size > 0
    assert len((out / "cohort.csv").read_text(encoding="utf-8").splitlines()) == 5
