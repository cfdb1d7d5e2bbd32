"""Grading through a real Dask distributed cluster: a scheduler and worker processes on this machine."""
import logging
import os

import pytest

from cohorts import copy_course, course_with_cohort, grades
from autograder import grading

pytestmark = pytest.mark.integration
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    # Worker processes with one thread each: what `dask worker --nthreads 1` gives on real machines.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1", silence_logs=logging.ERROR) as local:
        yield local


def test_a_cohort_graded_on_a_dask_cluster_gets_the_local_scores(cluster, tmp_path):
    course, lab = course_with_cohort(tmp_path, 6)
    local = copy_course(course, tmp_path / "local")
    grading.autograde(local, lab, workers=1)

    outcomes = grading.autograde(course, lab, scheduler=cluster.scheduler_address)

    assert [o.learner for o in outcomes] == course.learners(lab)
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    with distributed.Client(cluster.scheduler_address) as client:
        worker_pids = set(client.run(os.getpid).values())
    graded_by = {int(o.worker.split(":")[1]) for o in outcomes}
    assert graded_by <= worker_pids and os.getpid() not in graded_by
    assert grades(course) == grades(local)
    assert all(course.autograded_path(o.learner, lab).exists() for o in outcomes)


def test_a_dask_run_resumes_from_the_journal(cluster, tmp_path):
    course, lab = course_with_cohort(tmp_path, 3)
    grading.autograde(course, lab, learners=["l00"], scheduler=cluster.scheduler_address)
    outcomes = grading.autograde(course, lab, scheduler=cluster.scheduler_address)
    assert [o.resumed for o in outcomes] == [True, False, False]
    assert all(o.ok for o in outcomes)
