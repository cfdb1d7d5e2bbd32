"""The evidence document from gradebook rows (no nbgrader here: rows are built by hand)."""
from datetime import datetime

from autograder import catalogue, evidence, mastery
from autograder.course import Course
from autograder.gradebook import GradeRow

A = "bc04_01_mini_plan"


def row(grade_id, score, max_score, auto=True, learner="ana", comment=""):
    return GradeRow(learner, A, "01_mini_plan", grade_id, score, max_score, auto, comment, datetime(2026, 11, 20, 16))


def competency(doc, cid):
    return next(c for fw in doc["frameworks"] for b in fw["blocks"] for c in b["competencies"] if c["id"] == cid)


def block(doc, bid):
    return next(b for fw in doc["frameworks"] for b in fw["blocks"] if b["id"] == bid)


def build(mini_repo, rows, rule=mastery.DEFAULT_RULE):
    return evidence.build(Course(mini_repo / "course"), catalogue.discover(mini_repo), "ana", rows, rule)


def test_points_per_competency_and_pending_manual_grades(mini_repo):
    rows = [row("plan_total_tests", 2, 2), row("plan_longest_tests", 0, 1), row("plan_justification", None, 2, auto=False)]
    doc = build(mini_repo, rows)
    c2 = competency(doc, "RNCP40514BC04.C2")
    # The pending task counts neither as zero nor in the maximum.
    assert (c2["points"], c2["max_points"], c2["pending_points"], c2["status"]) == (2, 2, 2, mastery.ACQUIRED)
    assert {e["grade_id"]: e["status"] for e in c2["evidence"]} == {"plan_total_tests": "graded", "plan_justification": "pending"}
    c5 = competency(doc, "RNCP40514BC04.C5")
    assert (c5["points"], c5["max_points"], c5["status"]) == (0, 1, mastery.NOT_ACQUIRED)
    assert competency(doc, "RNCP40514BC04.C1")["status"] == mastery.NOT_ASSESSED
    assert block(doc, "RNCP40514BC04")["status"] == mastery.BLOCK_IN_PROGRESS
    assert block(doc, "RNCP40514BC01")["status"] == mastery.BLOCK_NOT_ASSESSED


def test_manual_grade_and_comment_are_evidence(mini_repo):
    rows = [row("plan_total_tests", 0, 2), row("plan_justification", 2, 2, auto=False, comment="Chemin critique bien justifié.")]
    c2 = competency(build(mini_repo, rows), "RNCP40514BC04.C2")
    assert (c2["points"], c2["max_points"], c2["status"]) == (2, 4, mastery.IN_PROGRESS)
    manual = next(e for e in c2["evidence"] if e["kind"] == "manual")
    assert manual["comment"] == "Chemin critique bien justifié." and manual["score"] == 2


def test_other_learners_rows_are_ignored_and_no_submission_is_not_assessed(mini_repo):
    doc = build(mini_repo, [row("plan_total_tests", 2, 2, learner="ben")])
    assert competency(doc, "RNCP40514BC04.C2")["status"] == mastery.NOT_ASSESSED
    assert doc["submissions"][0]["status"] == "not_submitted"
    assert all(e["status"] == "not_submitted" for e in competency(doc, "RNCP40514BC04.C2")["evidence"])


def test_the_mastery_rule_in_force_is_recorded_and_applied(mini_repo):
    rows = [row("plan_total_tests", 1.6, 2)]
    strict = mastery.MasteryRule(acquired=0.9, in_progress=0.5)
    doc = build(mini_repo, rows, strict)
    assert doc["mastery_rule"] == {"acquired": 0.9, "in_progress": 0.5}
    assert competency(doc, "RNCP40514BC04.C2")["status"] == mastery.IN_PROGRESS


def test_seal_detects_any_change_and_a_foreign_key(mini_repo):
    doc = evidence.seal(build(mini_repo, [row("plan_total_tests", 0, 2)]), b"k" * 32)
    assert evidence.verify(doc, b"k" * 32) == []
    forged = {**doc, "frameworks": doc["frameworks"][:1]}
    assert "modifié" in evidence.verify(forged)[0]
    assert evidence.verify(doc, b"x" * 32) and "HMAC" in evidence.verify(doc, b"x" * 32)[0]
    assert evidence.verify({k: v for k, v in doc.items() if k != "integrity"})


def test_course_key_is_created_once_and_private(tmp_path):
    course = Course(tmp_path / "course")
    key = evidence.course_key(course)
    assert len(key) == 32 and evidence.course_key(course) == key
    assert (course.root / ".labkit" / "report.key").stat().st_mode & 0o077 == 0
