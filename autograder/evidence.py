"""A learner's evidence: per framework, block and competency, the graded work behind each verdict.

`build()` is a pure function of the gradebook rows, the source notebooks' mapping and what the
course folder holds (submitted files, autograded notebooks, grading outcomes); `integrity` seals it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timezone
from pathlib import Path

from . import frameworks, mastery
from .catalogue import Lab
from .course import Course
from .gradebook import GradeRow
from .mapping import AUTO, GradedCell, evidence_ids, graded_cells, read

SCHEMA = "labkit.evidence/1"


def file_digests(folder: Path) -> list[dict]:
    """sha256 of every file under a submission folder, by path relative to it (read only)."""
    if not folder.exists():
        return []
    return [
        {"name": p.relative_to(folder).as_posix(), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


def figures(course: Course, lab: Lab, learner: str) -> list[dict]:
    """PNG outputs of the lab's `evidence` cells in the learner's autograded notebook."""
    path = course.autograded_path(learner, lab)
    if not path.exists():
        return []
    wanted = set(evidence_ids(read(lab.path)))
    found = []
    for cell in read(path).cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in wanted:
            continue
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                found.append({"notebook": lab.rel, "grade_id": grade_id, "png": png.replace("\n", "")})
    return found


def grading_outcome(course: Course, lab: Lab, learner: str) -> dict | None:
    """The last autograde outcome recorded for this learner and lab, if any."""
    path = course.root / "logs" / lab.assignment / f"{learner}.log"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _submission(course: Course, lab: Lab, learner: str, graded: bool) -> dict:
    outcome = grading_outcome(course, lab, learner)
    folder = course.root / "submitted" / learner / lab.assignment
    timestamp = folder / "timestamp.txt"
    if graded:
        status = "graded"
    elif outcome and outcome["status"] == "failed":
        status = "failed"
    else:
        status = "not_submitted" if not folder.exists() else "not_graded"
    return {
        "notebook": lab.rel,
        "assignment": lab.assignment,
        "status": status,
        "message": outcome["message"] if outcome and status == "failed" else "",
        "submitted_on": timestamp.read_text(encoding="utf-8").strip() if timestamp.exists() else None,
        "files": file_digests(folder),
    }


def _evidence_row(cell: GradedCell, row: GradeRow | None) -> dict:
    if row is None:
        status = "not_submitted"
    elif row.score is None:
        status = "pending"
    else:
        status = "graded"
    return {
        "notebook": cell.lab.rel,
        "grade_id": cell.grade_id,
        "kind": cell.kind,
        "score": None if row is None else row.score,
        "max_score": cell.points,
        "status": status,
        "comment": row.comment if row else "",
        "date": row.graded_on.isoformat() if row and row.graded_on else None,
    }


def _competency(comp, cells: list[GradedCell], grades: dict, rule: mastery.MasteryRule) -> dict:
    rows = [_evidence_row(c, grades.get((c.lab.assignment, c.grade_id))) for c in cells if comp.id in c.competencies]
    graded = [r for r in rows if r["status"] == "graded"]
    points = sum(r["score"] for r in graded)
    max_points = sum(r["max_score"] for r in graded)
    return {
        "id": comp.id,
        "text": comp.text,
        "text_en": comp.text_en,
        "status": mastery.competency_status(points, max_points, rule),
        "points": points,
        "max_points": max_points,
        "pending_points": sum(r["max_score"] for r in rows if r["status"] == "pending"),
        "evidence": rows,
    }


def build(
    course: Course,
    labs: list[Lab],
    learner: str,
    grade_rows: list[GradeRow],
    rule: mastery.MasteryRule = mastery.DEFAULT_RULE,
    now: datetime | None = None,
) -> dict:
    """The learner's evidence document (see SCHEMA); grade_rows may hold other learners' rows."""
    grades = {(r.assignment, r.grade_id): r for r in grade_rows if r.learner == learner}
    cells = [c for lab in labs for c in graded_cells(lab)]
    graded_assignments = {a for a, _ in grades}
    doc_frameworks = []
    for fw in frameworks.load():
        blocks = []
        for block in fw.blocks:
            comps = [_competency(c, cells, grades, rule) for c in block.competencies]
            blocks.append(
                {
                    "id": block.id,
                    "title": block.title,
                    "title_en": block.title_en,
                    "status": mastery.block_status([c["status"] for c in comps]),
                    "competencies": comps,
                }
            )
        doc_frameworks.append({"id": fw.id, "title": fw.title, "title_en": fw.title_en, "blocks": blocks})
    return {
        "schema": SCHEMA,
        "learner": {"id": learner},
        "generated_on": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "mastery_rule": {"acquired": rule.acquired, "in_progress": rule.in_progress},
        "submissions": [_submission(course, lab, learner, lab.assignment in graded_assignments) for lab in labs],
        "frameworks": doc_frameworks,
        "figures": [f for lab in labs for f in figures(course, lab, learner)],
        "summary": {
            "auto_points": sum(r.score or 0 for r in grades.values() if r.auto),
            "manual_points": sum(r.score or 0 for r in grades.values() if not r.auto),
            "max_points": sum(c.points for c in cells if c.lab.assignment in graded_assignments),
            "pending": sum(1 for r in grades.values() if r.score is None),
        },
    }


def _canonical(doc: dict) -> bytes:
    body = {k: v for k, v in doc.items() if k != "integrity"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def course_key(course: Course) -> bytes:
    """The course's secret sealing key, created on first use in `<course>/.labkit/report.key` (0600)."""
    path = course.root / ".labkit" / "report.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


def seal(doc: dict, key: bytes) -> dict:
    """The document with `integrity`: sha256 of its canonical JSON and an HMAC-SHA256 under key."""
    body = _canonical(doc)
    return {
        **doc,
        "integrity": {
            "canonicalisation": "JSON, clés triées, séparateurs compacts, UTF-8, sans le champ integrity",
            "sha256": hashlib.sha256(body).hexdigest(),
            "hmac_sha256": hmac.new(key, body, hashlib.sha256).hexdigest(),
        },
    }


def verify(doc: dict, key: bytes | None = None) -> list[str]:
    """Problems found in a sealed document (empty if intact; the HMAC is checked when key is given)."""
    seal_ = doc.get("integrity")
    if not seal_:
        return ["le document n'a pas de champ integrity"]
    body = _canonical(doc)
    problems = []
    if hashlib.sha256(body).hexdigest() != seal_.get("sha256"):
        problems.append("le contenu ne correspond plus à son empreinte sha256 : il a été modifié")
    if key is not None and not hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest(), seal_.get("hmac_sha256", "")):
        problems.append("le sceau HMAC ne correspond pas : document modifié ou scellé avec une autre clé")
    return problems
