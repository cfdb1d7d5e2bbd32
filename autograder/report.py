"""Writing the jury's documents: one sealed evidence report per learner, and the cohort views."""
from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from . import evidence, frameworks, gradebook, mastery
from .catalogue import Lab
from .course import Course, is_safe_learner_id
from .mapping import graded_cells

LABELS = {
    "competency": {
        mastery.ACQUIRED: "Acquise",
        mastery.IN_PROGRESS: "En cours d'acquisition",
        mastery.NOT_ACQUIRED: "Non acquise",
        mastery.NOT_ASSESSED: "Non évaluée",
    },
    "short": {mastery.ACQUIRED: "A", mastery.IN_PROGRESS: "E", mastery.NOT_ACQUIRED: "N", mastery.NOT_ASSESSED: "–"},
    "block": {mastery.VALIDATED: "Validé", mastery.BLOCK_IN_PROGRESS: "En cours", mastery.BLOCK_NOT_ASSESSED: "Non évalué"},
    "evidence": {"graded": "Corrigé", "pending": "En attente de correction", "not_submitted": "Non rendu"},
    "kind": {"auto": "automatique", "manual": "manuelle"},
    "submission": {"graded": "Corrigé", "failed": "Échec de correction", "not_submitted": "Non rendu", "not_graded": "Rendu, pas encore corrigé"},
}

_env = Environment(loader=PackageLoader("autograder", "templates"), autoescape=select_autoescape(["html", "j2"]))


def render_evidence(doc: dict) -> str:
    """The French HTML page of a sealed evidence document."""
    return _env.get_template("evidence.html.j2").render(doc=doc, labels=LABELS)


def write_learner(doc: dict, folder: Path) -> tuple[Path, Path]:
    """Writes `evidence.json` and `evidence.html` of one learner into folder; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path, html_path = folder / "evidence.json", folder / "evidence.html"
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    html_path.write_text(render_evidence(doc), encoding="utf-8")
    return json_path, html_path


def cohort_rows(docs: list[dict]) -> list[dict]:
    """Per learner: the status of each block and of each competency (with its points)."""
    return [
        {
            "learner": d["learner"]["id"],
            "blocks": {b["id"]: b["status"] for fw in d["frameworks"] for b in fw["blocks"]},
            "competencies": {c["id"]: c for fw in d["frameworks"] for b in fw["blocks"] for c in b["competencies"]},
        }
        for d in docs
    ]


def write_cohort(docs: list[dict], out: Path, covered: list[str]) -> tuple[Path, Path]:
    """Writes `cohort.csv` (every block and competency) and `cohort.html` (covered ones) into out."""
    rows = cohort_rows(docs)
    comps = frameworks.competencies()
    blocks = [b.id for fw in frameworks.load() for b in fw.blocks]
    csv_path = out / "cohort.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", *blocks, *comps, *(f"{c}_pct" for c in comps)])
        for r in rows:
            pct = [
                "" if r["competencies"][c]["max_points"] == 0
                else f"{100 * r['competencies'][c]['points'] / r['competencies'][c]['max_points']:.0f}"
                for c in comps
            ]
            writer.writerow([r["learner"], *(r["blocks"][b] for b in blocks), *(r["competencies"][c]["status"] for c in comps), *pct])
    html_path = out / "cohort.html"
    html_path.write_text(
        _env.get_template("cohort.html.j2").render(
            rows=rows,
            blocks=sorted({comps[c].block for c in covered}, key=blocks.index),
            columns=[comps[c] for c in covered],
            labels=LABELS,
            generated_on=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        ),
        encoding="utf-8",
    )
    return csv_path, html_path


def write_reports(course: Course, labs: list[Lab], out: Path, rule: mastery.MasteryRule = mastery.DEFAULT_RULE) -> list[dict]:
    """Every learner's sealed report under `out/reports/<learner>/`, then the cohort views in out.

    Learners are those of the gradebook plus those whose submission could not be graded.
    """
    rows = gradebook.rows(course)
    failed = {
        p.stem
        for lab in labs
        for p in (course.root / "logs" / lab.assignment).glob("*.log")
        if is_safe_learner_id(p.stem)
    }
    learners = sorted(set(gradebook.learners(course)) | failed)
    key = evidence.course_key(course)
    docs = [evidence.seal(evidence.build(course, labs, learner, rows, rule), key) for learner in learners]
    for doc in docs:
        write_learner(doc, out / "reports" / doc["learner"]["id"])
    mapped = {c for lab in labs for cell in graded_cells(lab) for c in cell.competencies}
    covered = [c for c in frameworks.competencies() if c in mapped]
    write_cohort(docs, out, covered)
    return docs

