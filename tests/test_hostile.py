"""Hostile submissions, one learner each, graded in one cohort with honest learners.

Every case ends with a clear outcome for its learner (a zero, a failure or a flag, with the
reason), and the honest learners of the same cohort keep nbgrader's scores. Limits are small so
the cohort grades in about a minute; the fork storm is bounded by the test itself.
"""
import json
import shutil
import socket
import subprocess
import threading

import pytest

from cohorts import course_with_cohort, grades, submit_source
from autograder import grading, sandbox

pytestmark = pytest.mark.integration

LIMITS = sandbox.Limits(cell_timeout=4, notebook_timeout=25, memory_mb=2048, processes=64, output_mb=1)
HONEST = {"l00": 3.0, "l01": 2.0, "l02": 0.0}  # solutions, partial, wrong (nbgrader's own scores)
RIGHT = "def total(durations):\n    return sum(durations)\n"


def bwrap_or_skip():
    """bubblewrap usable here, installed first when this machine allows it; else the reason to skip."""
    if shutil.which("bwrap") is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "bubblewrap"], capture_output=True)
        sandbox.bwrap_usable.cache_clear()
    usable, why = sandbox.bwrap_usable()
    if not usable:
        pytest.skip(f"bubblewrap inutilisable sur cette machine : {why}")


class AnswerServer:
    """A TCP server on loopback that hands out the right answer: reachable only with a network."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.served = 0
        self.stop = False
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.served += 1
            conn.sendall(RIGHT.encode())
            conn.close()


def cases(course, lab, port):
    """grade_id plan_total answers of each hostile learner (the rest of their notebook is right)."""
    source = course.source_path(lab)
    paths = [str(source), str(lab.path), str(course.root / "gradebook.db"),
             str(course.root / "submitted" / "l00" / lab.assignment / f"{lab.notebook}.ipynb"),
             "../../../gradebook.db", f"{lab.notebook}.ipynb", "../../../source"]
    return {
        "h_loop": "while True:\n    pass\n" + RIGHT,
        "h_stubborn": "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n    except KeyboardInterrupt:\n        pass\n",
        "h_memory": "def total(durations):\n    hog = []\n    while True:\n        hog.append(bytearray(64 * 1024 * 1024))\n",
        "h_forks": (
            "import os, sys, time\nborn = 0\ntry:\n    for _ in range(300):  # bounded storm: 300 at most, each sleeps 30 s\n"
            "        pid = os.fork()\n        if pid == 0:\n            time.sleep(30)\n            os._exit(0)\n        born += 1\n"
            "except OSError as exc:\n    print('fork refusé après', born, type(exc).__name__)\n" + RIGHT
        ),
        "h_network": (
            "import socket\ntry:\n    conn = socket.create_connection(('127.0.0.1', %d), timeout=3)\n"
            "    exec(conn.recv(1000).decode())\n    print('RÉSEAU OUVERT')\nexcept OSError as exc:\n"
            "    print('réseau refusé :', type(exc).__name__)\n" % port
        ),
        "h_reader": (
            "leaks = []\nfor path in %r:\n    try:\n        with open(path, 'rb') as handle:\n            leaks.append((path, handle.read(200)))\n"
            "    except OSError:\n        pass\nprint('FUITES :', [p for p, _ in leaks])\n"
            "if any(b'nbgrader' in data for _, data in leaks):\n    exec(%r)\n" % (paths, RIGHT)
        ),
        "h_writer": (
            "import sqlite3\nfor path in (%r, '../../../gradebook.db'):\n    try:\n        db = sqlite3.connect(path)\n"
            "        db.execute('UPDATE grade SET auto_score = 99')\n        db.commit()\n        print('GRADEBOOK MODIFIÉ', path)\n"
            "    except Exception as exc:\n        print('écriture refusée :', type(exc).__name__)\n" + RIGHT.replace("sum(durations)", "0")
        ) % str(course.root / "gradebook.db"),
        "h_patch_assert": (
            "def total(durations):\n    return 0\n\nget_ipython().input_transformers_cleanup.append(\n"
            "    lambda lines: ['pass  # ' + l if l.lstrip().startswith('assert') else l for l in lines])\n"
        ),
        "h_builtins": (
            "import builtins\nbuiltins.AssertionError = type('Ignored', (Exception,), {})\n"
            "get_ipython().set_custom_exc((AssertionError,), lambda *args, **kwargs: None)\n"
            "def total(durations):\n    return 0\n"
        ),
        "h_eq": "class Always:\n    def __eq__(self, other):\n        return True\n\ndef total(durations):\n    return Always()\n",
        "h_os_exit": "import os\nos._exit(0)\n",
        "h_sys_exit": RIGHT + "import sys\nsys.exit('au revoir')\n",
        "h_crash": "import ctypes\nctypes.string_at(0)\n",
        "h_chatty": "for _ in range(1000):\n    print('x' * 100_000)\n" + RIGHT,
    }


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    bwrap_or_skip()
    root = tmp_path_factory.mktemp("hostile")
    course, lab = course_with_cohort(root, 3)
    server = AnswerServer()
    for learner, answer in cases(course, lab, server.port).items():
        submit_source(course, lab, learner, {"plan_total": answer})
    corrupt = course.root / "submitted" / "h_corrupt" / lab.assignment
    corrupt.mkdir(parents=True)
    (corrupt / f"{lab.notebook}.ipynb").write_text('{"cells": [', encoding="utf-8")
    linked = submit_source(course, lab, "h_symlink", {})
    (linked / "indice.txt").symlink_to(course.source_path(lab))
    learners = [*course.learners(lab), "../l00"]
    before = {p: p.read_bytes() for p in (course.root / "submitted").rglob("*") if p.is_file() and not p.is_symlink()}
    outcomes = {o.learner: o for o in grading.autograde(course, lab, learners, workers=2, limits=LIMITS)}
    server.stop = True
    return course, lab, outcomes, server, before


def autograded(course, lab, learner):
    return json.loads(course.autograded_path(learner, lab).read_text(encoding="utf-8"))


def printed(course, lab, learner):
    nb = autograded(course, lab, learner)
    texts = [o.get("text", "") for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)


def score(course, learner, grade_id="plan_total_tests"):
    return next(v for k, v in grades(course).items() if k[0] == learner and k[3] == grade_id)


def test_honest_learners_keep_nbgrader_scores(cohort):
    course, _, outcomes, _, _ = cohort
    for learner, points in HONEST.items():
        assert outcomes[learner].ok and outcomes[learner].flags == ()
        assert sum(v[0] or 0 for k, v in grades(course).items() if k[0] == learner) == points


def test_infinite_loop_is_interrupted_and_graded(cohort):
    course, lab, outcomes, _, _ = cohort
    outcome = outcomes["h_loop"]
    assert outcome.ok and any("interrompue" in n for n in outcome.notes)
    assert score(course, "h_loop")[0] == 0 and score(course, "h_loop", "plan_longest_tests")[0] == 1


def test_a_loop_that_ignores_interrupts_fails_with_the_reason(cohort):
    outcome = cohort[2]["h_stubborn"]
    assert outcome.status == "failed" and "ne rend pas la main" in outcome.message


def test_a_notebook_past_its_time_limit_is_stopped(tmp_path):
    bwrap_or_skip()
    course, lab = course_with_cohort(tmp_path, 1)
    slow = "import time\ntime.sleep(3)\n"
    submit_source(course, lab, "h_slow", {"plan_total": slow + RIGHT, "plan_longest": slow + "def longest(d):\n    return max(d)\n"})
    limits = sandbox.Limits(cell_timeout=5, notebook_timeout=5)
    outcomes = {o.learner: o for o in grading.autograde(course, lab, workers=1, limits=limits)}
    assert outcomes["h_slow"].status == "failed" and "durée maximale du notebook dépassée (5 s)" in outcomes["h_slow"].message
    assert outcomes["l00"].ok


def test_memory_hog_hits_the_memory_limit(cohort):
    course, lab, outcomes, _, _ = cohort
    assert outcomes["h_memory"].ok
    assert score(course, "h_memory")[0] == 0
    assert "MemoryError" in json.dumps(autograded(course, lab, "h_memory"))


def test_fork_storm_is_bounded_and_swept(cohort):
    course, lab, outcomes, _, _ = cohort
    outcome = outcomes["h_forks"]
    assert outcome.ok and outcome.kernel["swept"] >= 1
    assert "fork refusé après" in printed(course, lab, "h_forks")
    assert score(course, "h_forks")[0] == 2  # the answer itself is right


def test_network_is_unreachable_even_on_loopback(cohort):
    course, lab, outcomes, server, _ = cohort
    assert server.served == 0
    assert "réseau refusé" in printed(course, lab, "h_network") and "RÉSEAU OUVERT" not in printed(course, lab, "h_network")
    assert score(course, "h_network")[0] == 0


def test_sources_hidden_tests_gradebook_and_other_submissions_are_out_of_reach(cohort):
    course, lab, outcomes, _, _ = cohort
    assert "FUITES : []" in printed(course, lab, "h_reader")
    assert score(course, "h_reader")[0] == 0


def test_writing_the_gradebook_is_impossible(cohort):
    course, lab, outcomes, _, _ = cohort
    assert "GRADEBOOK MODIFIÉ" not in printed(course, lab, "h_writer")
    assert all(v[0] in (None, 0, 1, 2) for v in grades(course).values())
    assert score(course, "h_writer")[0] == 0


def test_neutralised_asserts_are_caught_by_the_canaries_and_zeroed(cohort):
    course, _, outcomes, _, _ = cohort
    outcome = outcomes["h_patch_assert"]
    assert any("tests neutralisés" in f for f in outcome.flags)
    assert all(v[0] in (0, None) for k, v in grades(course).items() if k[0] == "h_patch_assert")


def test_patched_builtins_and_swallowed_errors_are_flagged_and_score_nothing(cohort):
    course, _, outcomes, _, _ = cohort
    flags = "\n".join(outcomes["h_builtins"].flags)
    assert "builtins" in flags and "set_custom_exc" in flags
    assert score(course, "h_builtins")[0] == 0


def test_an_eq_that_always_answers_true_is_held_for_review(cohort):
    course, _, outcomes, _, _ = cohort
    assert any("__eq__" in f for f in outcomes["h_eq"].flags)
    auto, _, needs_review = score(course, "h_eq")
    assert auto == 2 and needs_review  # nbgrader's points, pending an instructor in formgrader


def test_os_exit_and_a_crash_fail_with_the_reason(cohort):
    outcomes = cohort[2]
    assert outcomes["h_os_exit"].status == "failed" and "code de sortie 0" in outcomes["h_os_exit"].message
    assert outcomes["h_crash"].status == "failed" and "SIGSEGV" in outcomes["h_crash"].message


def test_sys_exit_is_an_error_in_its_cell_only(cohort):
    course, _, outcomes, _, _ = cohort
    assert outcomes["h_sys_exit"].ok and score(course, "h_sys_exit")[0] == 2
    assert any("sys.exit" in n for n in outcomes["h_sys_exit"].notes)


def test_100_mb_of_output_is_cut_and_flagged(cohort):
    course, lab, outcomes, _, _ = cohort
    assert any("sortie coupée" in f for f in outcomes["h_chatty"].flags)
    assert course.autograded_path("h_chatty", lab).stat().st_size < 3 * 1024 * 1024
    assert score(course, "h_chatty")[0] == 2


def test_invalid_json_and_unsafe_ids_fail_with_the_reason(cohort):
    outcomes = cohort[2]
    assert outcomes["h_corrupt"].status == "failed" and "JSON" in outcomes["h_corrupt"].message
    assert outcomes["../l00"].status == "failed" and "refusé" in outcomes["../l00"].message


def test_a_symlink_in_a_submission_is_never_followed(cohort):
    course, lab, outcomes, _, _ = cohort
    assert any("indice.txt" in f and "lien" in f for f in outcomes["h_symlink"].flags)
    folder = course.autograded_path("h_symlink", lab).parent
    assert not (folder / "indice.txt").exists()


def test_submissions_were_not_modified(cohort):
    course, _, _, _, before = cohort
    assert {p: p.read_bytes() for p in (course.root / "submitted").rglob("*") if p.is_file() and not p.is_symlink()} == before
