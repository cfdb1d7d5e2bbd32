"""The whole instructor cycle on a sample cohort, from the repo's notebooks to evidence reports.

Steps, in order: validate, release, submit (simulated learners), autograde, grade written
answers (as in formgrader), report. Each step is a function the tests can call alone.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import gradebook, grading, report, samples, validate
from .catalogue import Lab, discover, repo_root
from .course import Course, release

SUBMITTED_AT = "2026-11-20 16:00:00.000000 UTC"


@dataclass(frozen=True)
class Learner:
    id: str
    profile: str  # solutions, partial, wrong, or corrupt (a notebook that is not valid JSON)
    about: str


COHORT = (
    Learner("amartin", "solutions", "rend les solutions complètes"),
    Learner("bdupont", "partial", "rend une tentative partielle"),
    Learner("cmoreau", "wrong", "rend des réponses fausses et une erreur"),
    Learner("dleroy", "corrupt", "rend un fichier abîmé (JSON invalide)"),
)


def submit(course: Course, lab: Lab, learner: Learner) -> Path:
    """Places the learner's notebook for the lab in `submitted/`, as `nbgrader collect` would."""
    folder = course.submitted_dir(learner.id, lab)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{lab.notebook}.ipynb"
    released = nbformat.read(str(course.release_path(lab)), as_version=4)
    if learner.profile == "corrupt":
        target.write_text(nbformat.writes(released)[:500], encoding="utf-8")
    else:
        answers, written = samples.profile_answers(lab, learner.profile)
        nbformat.write(samples.fill(released, answers, written), str(target))
    (folder / "timestamp.txt").write_text(SUBMITTED_AT, encoding="utf-8")
    return target


def grade_written(course: Course, lab: Lab, learner: Learner) -> int:
    """Records the instructor's manual grades and comments for the learner; returns how many.

    The learner with wrong answers wrote nothing: their task stays pending, as in formgrader
    before the instructor has opened it.
    """
    written = samples.load(lab).written
    count = 0
    for grade_id, sample in written.items():
        if learner.profile == "solutions":
            score, comment = None, sample.full_comment
        elif learner.profile == "partial":
            score, comment = sample.partial_score, sample.partial_comment
        else:
            continue
        max_score = next(r.max_score for r in gradebook.rows(course, learner.id) if r.grade_id == grade_id and r.assignment == lab.assignment)
        gradebook.record_manual_grade(course, learner.id, lab.assignment, lab.notebook, grade_id, max_score if score is None else score, comment)
        count += 1
    return count


def run(out: Path | None = None, root: Path | None = None, say=print) -> Path:
    """Runs the demo into `out` (default `<repo>/out/demo`, emptied first); returns out."""
    root = root or repo_root()
    out = out or root / "out" / "demo"
    started = time.monotonic()
    labs = discover(root)
    faults = validate.validate(root, labs)
    if faults:
        raise SystemExit("Les notebooks ne respectent pas le contrat :\n" + "\n".join(map(str, faults)))
    if out.exists():
        shutil.rmtree(out)
    course = Course(out / "course", fast=True)
    say(f"1. Cours nbgrader : {course.root} ({len(labs)} lab(s))")
    for lab in labs:
        release(course, lab)
        say(f"2. Publié : {lab.assignment} -> {course.release_path(lab).relative_to(out)}")
    for lab in labs:
        for learner in COHORT:
            submit(course, lab, learner)
    say(f"3. Cohorte simulée : " + ", ".join(f"{l.id} ({l.about})" for l in COHORT))
    for lab in labs:
        for outcome in grading.autograde(course, lab):
            say(f"4. Autograde : {outcome.message}")
    manual = sum(grade_written(course, lab, learner) for lab in labs for learner in COHORT if learner.profile != "corrupt")
    say(f"5. Notes manuelles et commentaires enregistrés dans le gradebook : {manual}")
    docs = report.write_reports(course, labs, out)
    say(f"6. Rapports : {len(docs)} apprenant(s)")
    for doc in docs:
        say(f"   - {out / 'reports' / doc['learner']['id'] / 'evidence.html'}")
    say(f"   Cohorte : {out / 'cohort.html'} et {out / 'cohort.csv'}")
    say(f"Terminé en {time.monotonic() - started:.0f} s. Formgrader : `cd {course.root} && jupyter lab` puis l'onglet Nbgrader.")
    return out
