from autograder import catalogue, coverage, frameworks


def test_coverage_lists_every_competency_with_points_by_kind(mini_repo):
    rows = coverage.coverage(catalogue.discover(mini_repo))
    assert [r["id"] for r in rows] == list(frameworks.competencies())
    assert len(rows) == 4 + 3 + 3 + 6 + 5 + 8 + 5 + 6
    by_id = {r["id"]: r for r in rows}
    c2 = by_id["RNCP40514BC04.C2"]
    assert (c2["framework"], c2["block"]) == ("RNCP40514", "RNCP40514BC04")
    assert (c2["auto_points"], c2["manual_points"]) == (2, 2)
    assert sorted(c2["exercises"]) == [
        "bc04_pilotage/01_mini_plan.ipynb#plan_justification",
        "bc04_pilotage/01_mini_plan.ipynb#plan_total_tests",
    ]
    assert by_id["RNCP40514BC04.C5"]["auto_points"] == 1
    assert by_id["RNCP38777BC04.C1"]["auto_points"] == 2
    assert by_id["RNCP40514BC01.C1"] == {**by_id["RNCP40514BC01.C1"], "auto_points": 0, "manual_points": 0, "exercises": []}


def test_table_names_uncovered_competencies(mini_repo):
    text = coverage.table(coverage.coverage(catalogue.discover(mini_repo)))
    assert "RNCP40514BC04.C2" in text and "37 sans exercice" in text
