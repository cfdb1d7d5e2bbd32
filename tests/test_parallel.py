"""`labkit autograde` in parallel: nbgrader's scores, one writer, progress, kill -9 and resume."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cohorts import copy_course, course_with_cohort, grades, submit_source
from autograder import grading, integrity, parallel, sandbox
from autograder.cli import main

pytestmark = pytest.mark.integration
LABKIT = [sys.executable, "-m", "autograder.cli"]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel")
    course, lab = course_with_cohort(root, 6)
    # one more learner whose locked test cell was edited: nbgrader restores it, labkit flags it
    folder = submit_source(course, lab, "l99", {})
    nb = json.loads((folder / f"{lab.notebook}.ipynb").read_text(encoding="utf-8"))
    test_cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "plan_total_tests")
    test_cell["source"] = "pass"
    test_cell["metadata"]["nbgrader"]["points"] = 20
    (folder / f"{lab.notebook}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (folder / "notes.txt").write_text("brouillon", encoding="utf-8")
    return root, course, lab


@pytest.fixture(scope="module")
def sequential(cohort):
    """The same cohort graded by nbgrader's own autograde, one learner after the other."""
    root, course, lab = cohort
    copy = copy_course(course, root / "sequential")
    api = copy.api()
    for learner in copy.learners(lab):
        assert api.autograde(lab.assignment, learner, force=True, create=True)["success"]
    return copy


@pytest.fixture(scope="module")
def graded(cohort):
    root, course, lab = cohort
    copy = copy_course(course, root / "labkit")
    outcomes = grading.autograde(copy, lab, workers=2)
    return copy, lab, outcomes


def test_parallel_scores_are_exactly_those_of_sequential_nbgrader(sequential, graded):
    course, _, outcomes = graded
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    expected = grades(sequential)
    assert len(expected) == 7 * 3  # 7 learners, 3 graded cells each
    assert grades(course) == expected


def test_jobs_ran_in_worker_processes_and_each_learner_has_a_log(graded):
    course, lab, outcomes = graded
    workers = {o.worker for o in outcomes}
    assert len(workers) == 2 and all(str(os.getpid()) not in w.split(":")[1] for w in workers)
    for outcome in outcomes:
        log = json.loads((course.root / "logs" / lab.assignment / f"{outcome.learner}.log").read_text(encoding="utf-8"))
        assert log["status"] == "graded" and log["message"] == outcome.message
        assert "database is locked" not in log["log"]
        assert log["files"] and all(len(f["sha256"]) == 64 for f in log["files"])
        assert any("bubblewrap" in line for line in log["protections"])


def test_integrity_flags_a_modified_test_cell_changed_points_and_an_unexpected_file(graded, sequential):
    course, _, outcomes = graded
    flagged = next(o for o in outcomes if o.learner == "l99")
    text = "\n".join(flagged.flags)
    assert "cellule de test plan_total_tests modifiée" in text
    assert "points 2 → 20" in text
    assert "fichier inattendu : notes.txt" in text
    # nbgrader restored the hidden tests and the points: same score as sequential nbgrader
    assert {k: v for k, v in grades(course).items() if k[0] == "l99"} == {k: v for k, v in grades(sequential).items() if k[0] == "l99"}
    honest = next(o for o in outcomes if o.learner == "l00")
    assert honest.flags == ()


def test_submissions_are_read_never_written(cohort, tmp_path):
    _, course, lab = cohort
    copy = copy_course(course, tmp_path / "course")
    submitted = copy.root / "submitted"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in submitted.rglob("*") if p.is_file()}
    grading.autograde(copy, lab, workers=2)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in submitted.rglob("*") if p.is_file()} == before


def test_only_the_grading_process_opens_the_course_gradebook(cohort, tmp_path):
    _, course, lab = cohort
    copy = copy_course(course, tmp_path / "course")
    gradebook = str(copy.root / "gradebook.db")
    seen = tmp_path / "opened.txt"

    def hook(event, args):
        # audit hooks are inherited by forked workers: any of them touching the file would be seen
        if event in ("sqlite3.connect", "open") and args and gradebook in str(args[0]) and os.environ.get("LABKIT_AUDIT") == gradebook:
            with open(seen, "a") as out:
                out.write(f"{os.getpid()}\n")

    sys.addaudithook(hook)
    os.environ["LABKIT_AUDIT"] = gradebook
    try:
        outcomes = grading.autograde(copy, lab, workers=2)
    finally:
        os.environ.pop("LABKIT_AUDIT")
    assert all(o.ok for o in outcomes)
    assert set(seen.read_text().split()) == {str(os.getpid())}


def test_the_command_shows_progress_protections_and_a_line_per_learner(cohort, tmp_path, capsys):
    _, course, lab = cohort
    copy = copy_course(course, tmp_path / "course")
    root = str(Path(lab.root))
    assert main(["--root", root, "autograde", "--course", str(copy.root), "--workers", "2"]) == 0
    captured = capsys.readouterr()
    assert "terminés" in captured.err and "restants" in captured.err and "en échec" in captured.err
    assert captured.err.strip().splitlines()[-1].count("7/7") == 1
    assert "bubblewrap (espaces de noms)" in captured.out and "réseau coupé" in captured.out
    assert sum(line.startswith("  ok  ") for line in captured.out.splitlines()) == 7
    # a second run resumes everyone from the journal: nothing is graded twice
    assert main(["--root", root, "autograde", "--course", str(copy.root), "--workers", "2"]) == 0
    again = capsys.readouterr().out
    assert again.count("repris du journal") == 7 and "0 à corriger" in again


def test_kill_9_mid_cohort_then_rerun_resumes_and_gives_the_clean_gradebook(tmp_path):
    course, lab = course_with_cohort(tmp_path, 12)
    clean = copy_course(course, tmp_path / "clean")
    grading.autograde(clean, lab, workers=2)
    command = [*LABKIT, "--root", str(lab.root), "autograde", "--course", str(course.root), "--workers", "2"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    first = []
    for line in run.stdout:
        if line.startswith("  ok  "):
            first.append(line.split()[1])
        if len(first) == 3:
            os.kill(run.pid, signal.SIGKILL)
            break
    run.wait()
    assert run.returncode == -signal.SIGKILL and len(first) == 3
    rerun = subprocess.run(command, capture_output=True, text=True, env=env)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    resumed = [l.split()[1] for l in rerun.stdout.splitlines() if "repris du journal" in l]
    regraded = [l.split()[1] for l in rerun.stdout.splitlines() if l.startswith("  ok  ") and "repris du journal" not in l]
    assert set(first) <= set(resumed)
    assert not set(resumed) & set(regraded) and len(resumed) + len(regraded) == 12
    assert grades(course) == grades(clean)
    writer = parallel.Writer(course, lab, [])
    journal = writer.journal()
    writer.close()
    assert sorted(journal) == sorted(course.learners(lab)) and {e["status"] for e in journal.values()} == {"graded"}


def test_a_changed_submission_is_graded_again_on_the_next_run(cohort, tmp_path):
    _, course, lab = cohort
    copy = copy_course(course, tmp_path / "course")
    grading.autograde(copy, lab, workers=1, learners=["l00", "l02"])
    submit_source(copy, lab, "l02", {})  # l02 hands in the solutions after all
    outcomes = {o.learner: o for o in grading.autograde(copy, lab, workers=1, learners=["l00", "l02"])}
    assert outcomes["l00"].resumed and not outcomes["l02"].resumed
    assert outcomes["l02"].score == 3


def test_integrity_check_is_pure_and_names_unreadable_notebooks():
    result = integrity.check({"a.ipynb": b"{not json"}, {"a.ipynb"}, {"a.ipynb": None})
    assert result.unreadable and "JSON" in result.unreadable[0]
    assert result.files[0]["sha256"] == __import__("hashlib").sha256(b"{not json").hexdigest()
    missing = integrity.check({}, {"a.ipynb"}, {})
    assert missing.flags == ["fichier manquant : a.ipynb"]


def test_fresh_kernels_without_preloading_give_the_same_scores(cohort, sequential, tmp_path):
    _, course, lab = cohort
    copy = copy_course(course, tmp_path / "course")
    grading.autograde(copy, lab, workers=2, limits=sandbox.Limits(prefork=False))
    assert grades(copy) == grades(sequential)


def test_several_labs_are_graded_in_one_session(tmp_path):
    import shutil

    from autograder import catalogue, demo
    from autograder.course import release

    course, lab = course_with_cohort(tmp_path, 3)
    shutil.copy(lab.path, lab.path.with_name("02_mini_bis.ipynb"))
    second = catalogue.find("bc04_02_mini_bis", lab.root)
    release(course, second)
    for index, learner in enumerate(course.learners(lab)):
        demo.submit(course, second, demo.Learner(learner, ("solutions", "partial", "wrong")[index], ""))
    results = grading.autograde_labs(course, [lab, second], workers=2)
    assert {a: [o.score for o in outcomes] for a, outcomes in results.items()} == {
        lab.assignment: [3.0, 2.0, 0.0], second.assignment: [3.0, 2.0, 0.0],
    }


def test_notebooks_leave_the_kernel_folder_while_it_runs(tmp_path):
    from autograder.harness import SandboxedExecute

    folder = tmp_path / "kernel"
    folder.mkdir()
    for name in ("graded.ipynb", "other.ipynb", "data.csv"):
        (folder / name).write_text("{}", encoding="utf-8")
    execute = SandboxedExecute(stash_dir=str(tmp_path / "stash"))
    moved = execute._stash(str(folder), "graded.ipynb")
    assert sorted(p.name for p in folder.iterdir()) == ["data.csv"]
    execute._unstash(str(folder), moved)
    assert sorted(p.name for p in folder.iterdir()) == ["data.csv", "other.ipynb"]
