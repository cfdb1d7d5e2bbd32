import pytest

from autograder import mastery as m


@pytest.mark.parametrize(
    "points, max_points, expected",
    [
        (7, 10, m.ACQUIRED),
        (6.99, 10, m.IN_PROGRESS),
        (4, 10, m.IN_PROGRESS),
        (3.99, 10, m.NOT_ACQUIRED),
        (0, 10, m.NOT_ACQUIRED),
        (0, 0, m.NOT_ASSESSED),
        (10, 10, m.ACQUIRED),
    ],
)
def test_competency_thresholds_are_70_and_40_percent(points, max_points, expected):
    assert m.competency_status(points, max_points) == expected


def test_rule_is_configurable():
    strict = m.MasteryRule(acquired=0.9, in_progress=0.5)
    assert m.competency_status(8, 10, strict) == m.IN_PROGRESS
    assert m.competency_status(9, 10, strict) == m.ACQUIRED


def test_incoherent_thresholds_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="incohérents"):
        m.MasteryRule(acquired=0.3, in_progress=0.6)


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([m.ACQUIRED] * 4, m.VALIDATED),
        ([m.ACQUIRED, m.ACQUIRED, m.IN_PROGRESS], m.BLOCK_IN_PROGRESS),
        ([m.ACQUIRED, m.NOT_ASSESSED], m.BLOCK_IN_PROGRESS),
        ([m.NOT_ASSESSED] * 3, m.BLOCK_NOT_ASSESSED),
        ([m.NOT_ACQUIRED, m.NOT_ASSESSED], m.BLOCK_IN_PROGRESS),
    ],
)
def test_block_validated_only_when_every_competency_is_acquired(statuses, expected):
    assert m.block_status(statuses) == expected
