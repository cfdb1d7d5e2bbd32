"""Sequential `nbgrader autograde` against `labkit autograde` on a simulated cohort of the bc04 labs.

    .venv/bin/python benchmarks/autograde_cohort.py [--learners 24] [--workers N] [--lab ID ...] [--keep DIR]

Builds one course (release of the bc04 labs, `--learners` learners cycling through complete,
partial and wrong answers from `samples/`, as `labkit demo` does), copies it, grades one copy with
nbgrader's own command, one after the other, and the other with `labkit autograde`. Then checks
that both gradebooks hold exactly the same grades, and prints wall time, CPU time (this process's
children: the graders and every kernel), the CPU floor (CPU seconds / cores) and, on the last line,
the ratio sequential / labkit. Exit status 1 if any grade differs.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import catalogue, demo  # noqa: E402
from autograder.course import Course, release  # noqa: E402

PROFILES = ("solutions", "partial", "wrong")


def build_cohort(course: Course, labs, size: int) -> dict[str, int]:
    """Releases the labs and submits `size` learners, profiles in turn; returns the count per profile."""
    for lab in labs:
        release(course, lab)
    counts = dict.fromkeys(PROFILES, 0)
    for index in range(size):
        profile = PROFILES[index % len(PROFILES)]
        counts[profile] += 1
        learner = demo.Learner(f"a{index + 1:03d}", profile, "")
        for lab in labs:
            demo.submit(course, lab, learner)
    return counts


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the command and all it waited for, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def grades(course: Course) -> dict[tuple, tuple]:
    """Every grade of the gradebook: (learner, assignment, notebook, cell) -> (auto, manual, needs review)."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(course.gradebook_url) as gb:
        for student in gb.students:
            for submission in student.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        key = (student.id, submission.assignment.name, notebook.name, grade.name)
                        found[key] = (grade.auto_score, grade.manual_score, bool(grade.needs_manual_grade))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=24)
    parser.add_argument("--workers", type=int, default=None, help="labkit's --workers (default: its own, the cores)")
    parser.add_argument("--lab", action="append", help="one bc04 lab (repeatable; default: every bc04 lab)")
    parser.add_argument("--keep", help="keep both courses in this folder")
    args = parser.parse_args(argv)

    labs = [catalogue.find(name) for name in args.lab] if args.lab else [
        lab for lab in catalogue.discover() if lab.block_dir.startswith("bc04")
    ]
    cores = len(os.sched_getaffinity(0))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="labkit-bench-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    try:
        sequential = Course(work / "sequential")
        counts = build_cohort(sequential, labs, args.learners)
        parallel = Course(work / "labkit")
        shutil.copytree(sequential.root, parallel.root)
        parallel.write_config()
        names = [lab.assignment for lab in labs]
        print(f"cohorte : {args.learners} apprenants ({', '.join(f'{n} {p}' for p, n in counts.items())}) "
              f"× {len(labs)} lab(s) : {', '.join(names)} ; {cores} cœur(s)")

        seq_wall = seq_cpu = 0.0
        for name in names:
            wall, cpu, result = timed([str(bin_dir / "nbgrader"), "autograde", name, "--force"], sequential.root, env)
            if result.returncode != 0:
                print(f"nbgrader autograde {name} : code {result.returncode}\n{result.stderr[-2000:]}", file=sys.stderr)
            seq_wall, seq_cpu = seq_wall + wall, seq_cpu + cpu
        print(f"nbgrader autograde, séquentiel : mur {seq_wall:.1f} s, CPU {seq_cpu:.1f} s")

        command = [str(bin_dir / "labkit"), "autograde", *names, "--course", str(parallel.root)]
        if args.workers:
            command += ["--workers", str(args.workers)]
        lk_wall, lk_cpu, result = timed(command, ROOT, env)
        if result.returncode not in (0, 1):
            print(f"labkit autograde : code {result.returncode}\n{result.stderr[-2000:]}", file=sys.stderr)
        workers = args.workers or cores
        floor = lk_cpu / cores
        print(f"labkit autograde, {workers} processus : mur {lk_wall:.1f} s, CPU {lk_cpu:.1f} s, "
              f"plancher CPU {floor:.1f} s (CPU / {cores} cœurs)")

        expected, got = grades(sequential), grades(parallel)
        differ = sorted(k for k in expected.keys() | got.keys() if expected.get(k) != got.get(k))
        learners = {k[0] for k in expected}
        if differ:
            print(f"scores identiques : NON, {len(differ)} note(s) diffèrent, par exemple :")
            for key in differ[:10]:
                print(f"  {key}: nbgrader {expected.get(key)} / labkit {got.get(key)}")
        else:
            print(f"scores identiques : oui ({len(learners)} apprenants, {len(expected)} notes comparées)")
        print(f"ratio séquentiel / labkit : {seq_wall / lk_wall:.2f} (mur {seq_wall:.1f} s / {lk_wall:.1f} s ; "
              f"CPU {seq_cpu:.1f} s / {lk_cpu:.1f} s ; plancher CPU labkit {floor:.1f} s sur {cores} cœurs)")
        return 1 if differ else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
