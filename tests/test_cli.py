import json

from autograder import cli, doctor, frameworks


def test_coverage_json_has_one_object_per_competency(mini_repo, capsys):
    assert cli.main(["--root", str(mini_repo), "coverage", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 40
    assert set(rows[0]) == {"id", "framework", "block", "auto_points", "manual_points", "exercises"}
    assert next(r for r in rows if r["id"] == "RNCP40514BC04.C2")["auto_points"] == 2


def test_validate_exits_non_zero_and_names_the_fault(mini_repo, capsys):
    assert cli.main(["--root", str(mini_repo), "validate"]) == 0
    (mini_repo / "bc04_pilotage" / "02_vide.ipynb").write_text("{}", encoding="utf-8")
    assert cli.main(["--root", str(mini_repo), "validate"]) == 1
    assert "bc04_pilotage/02_vide.ipynb" in capsys.readouterr().out


def test_unknown_lab_is_a_clear_error(mini_repo, capsys):
    assert cli.main(["--root", str(mini_repo), "release", "--course", str(mini_repo / "c"), "bc09_x"]) == 2
    assert "Lab inconnu" in capsys.readouterr().err


def test_release_can_package_a_zip_for_an_lms(mini_repo, capsys):
    import zipfile

    assert cli.main(["--root", str(mini_repo), "release", "--course", str(mini_repo / "c"), "--zip"]) == 0
    archive = mini_repo / "c" / "release" / "bc04_01_mini_plan.zip"
    names = zipfile.ZipFile(archive).namelist()
    assert names == ["bc04_01_mini_plan/01_mini_plan.ipynb"]
    assert b"BEGIN SOLUTION" not in zipfile.ZipFile(archive).read(names[0])


def test_competencies_lists_both_frameworks(capsys):
    assert cli.main(["competencies", "--english"]) == 0
    out = capsys.readouterr().out
    comps = frameworks.competencies()
    assert comps["RNCP40514BC04.C6"].text in out and comps["RNCP38777BC02.C8"].text in out
    assert comps["RNCP40514BC04.C6"].text_en in out


def test_doctor_prints_one_ok_or_fail_line_per_check():
    lines = [c.line() for c in doctor.checks()]
    assert all(line.startswith(("[  OK]", "[FAIL]")) for line in lines)
    names = [c.name for c in doctor.checks()]
    assert {"python", "nbgrader", "jupyterlab", "extensions nbgrader", "noyau python3"} <= set(names)
    assert doctor.check_package("paquet-qui-n-existe-pas", "test").ok is False
