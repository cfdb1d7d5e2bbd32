"""The whole instructor cycle on real nbgrader, on the mini-lab (seconds, not minutes)."""
import hashlib
import json

import pytest

from autograder import demo, evidence
from autograder.cli import main

pytestmark = pytest.mark.integration


def digests(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    import minilab

    root = minilab.make_repo(tmp_path_factory.mktemp("loop") / "kit")
    lines = []
    out = demo.run(root / "out" / "demo", root, say=lines.append)
    return out, lines


def statuses(out, learner):
    doc = json.loads((out / "reports" / learner / "evidence.json").read_text(encoding="utf-8"))
    return {c["id"]: c["status"] for fw in doc["frameworks"] for b in fw["blocks"] for c in b["competencies"] if c["status"] != "not_assessed"}


def test_demo_writes_every_output_and_says_where(demo_out):
    out, lines = demo_out
    for learner in ("amartin", "bdupont", "cmoreau", "dleroy"):
        assert (out / "reports" / learner / "evidence.html").exists()
        assert (out / "reports" / learner / "evidence.json").exists()
    assert (out / "cohort.csv").exists() and (out / "cohort.html").exists()
    assert any(str(out / "cohort.html") in line for line in lines)


def test_solutions_acquire_everything_mapped_and_partial_learner_shows_a_mix(demo_out):
    out, _ = demo_out
    assert set(statuses(out, "amartin").values()) == {"acquired"}
    assert statuses(out, "bdupont") == {
        "RNCP40514BC04.C2": "acquired",  # total right (2/2) + written answer half right (1/2): 3/4
        "RNCP40514BC04.C5": "not_acquired",
        "RNCP38777BC04.C1": "acquired",
    }
    assert set(statuses(out, "cmoreau").values()) == {"not_acquired"}


def test_a_corrupt_submission_is_reported_and_stops_nobody(demo_out):
    out, lines = demo_out
    doc = json.loads((out / "reports" / "dleroy" / "evidence.json").read_text(encoding="utf-8"))
    (sub,) = doc["submissions"]
    assert sub["status"] == "failed" and "dleroy" in sub["message"] and "JSON" in sub["message"]
    assert sub["files"] and len(sub["files"][0]["sha256"]) == 64
    assert statuses(out, "dleroy") == {}


def test_manual_grades_reach_the_report_with_the_comment(demo_out):
    out, _ = demo_out
    doc = json.loads((out / "reports" / "bdupont" / "evidence.json").read_text(encoding="utf-8"))
    rows = [e for fw in doc["frameworks"] for b in fw["blocks"] for c in b["competencies"] for e in c["evidence"] if e["grade_id"] == "plan_justification"]
    assert rows and all(e["score"] == 1.0 and e["kind"] == "manual" and e["comment"] == "Chemin critique non cité." for e in rows)
    wrong = json.loads((out / "reports" / "cmoreau" / "evidence.json").read_text(encoding="utf-8"))
    assert any(e["status"] == "pending" for fw in wrong["frameworks"] for b in fw["blocks"] for c in b["competencies"] for e in c["evidence"])


def test_report_embeds_figures_digests_and_a_valid_seal(demo_out):
    out, _ = demo_out
    doc = json.loads((out / "reports" / "amartin" / "evidence.json").read_text(encoding="utf-8"))
    assert [f["grade_id"] for f in doc["figures"]] == ["plan_figure"]
    html = (out / "reports" / "amartin" / "evidence.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and doc["submissions"][0]["files"][0]["sha256"] in html
    assert "Acquise" in html and 'lang="fr"' in html
    key = evidence.course_key(__import__("autograder.course", fromlist=["Course"]).Course(out / "course"))
    assert evidence.verify(doc, key) == []


def test_cohort_csv_has_one_row_per_learner(demo_out):
    out, _ = demo_out
    lines = (out / "cohort.csv").read_text(encoding="utf-8").splitlines()
    assert [l.split(",")[0] for l in lines[1:]] == ["amartin", "bdupont", "cmoreau", "dleroy"]
    header = lines[0].split(",")
    amartin = dict(zip(header, lines[1].split(",")))
    assert amartin["RNCP40514BC04.C2"] == "acquired" and amartin["RNCP40514BC04.C2_pct"] == "100"


def test_submissions_are_never_modified_by_grading_or_reporting(demo_out, capsys):
    out, _ = demo_out
    submitted = out / "course" / "submitted"
    before = digests(submitted)
    root = str(out.parent.parent)
    assert main(["--root", root, "autograde", "--course", str(out / "course"), "bc04_01_mini_plan"]) == 1  # dleroy fails
    assert main(["--root", root, "report", "--course", str(out / "course"), "--out", str(out / "again")]) == 0
    assert digests(submitted) == before
    printed = capsys.readouterr().out
    assert "ÉCHEC dleroy" in printed and "ok  amartin" in printed


def test_an_unsafe_learner_id_is_refused_without_touching_the_others(demo_out):
    from autograder import catalogue, grading
    from autograder.course import Course

    out, _ = demo_out
    course = Course(out / "course")
    lab = catalogue.discover(out.parent.parent)[0]
    outcome = grading.autograde_learner(course, lab, "../amartin")
    assert outcome.status == "failed" and "../amartin" in outcome.message


def test_verify_command_detects_tampering(demo_out, tmp_path, capsys):
    out, _ = demo_out
    report = out / "reports" / "cmoreau" / "evidence.json"
    assert main(["verify", str(report), "--course", str(out / "course")]) == 0
    doc = json.loads(report.read_text(encoding="utf-8"))
    doc["frameworks"][0]["blocks"][3]["status"] = "validated"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["verify", str(forged)]) == 1
    assert "modifié" in capsys.readouterr().out


def test_a_fast_course_grades_with_fast_true_and_the_graded_notebook_shows_it(mini_repo):
    import shutil

    import nbformat

    from autograder import catalogue, grading
    from autograder.course import Course, release

    (lab,) = catalogue.discover(mini_repo)
    course = Course(mini_repo / "course", fast=True)
    release(course, lab)
    folder = course.submitted_dir("ana", lab)
    folder.mkdir(parents=True)
    shutil.copy(lab.path, folder / f"{lab.notebook}.ipynb")
    assert grading.autograde(course, lab)[0].ok
    graded = nbformat.read(str(course.autograded_path("ana", lab)), as_version=4)
    parameters = next(i for i, c in enumerate(graded.cells) if c.source.startswith("FAST = False"))
    assert graded.cells[parameters + 1].source == "FAST = True"
    assert "autograder.parameters.InjectParameters" in (course.root / "nbgrader_config.py").read_text(encoding="utf-8")
