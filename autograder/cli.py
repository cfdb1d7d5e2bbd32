"""`labkit`: a thin command line over the engine's functions."""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import catalogue, coverage, frameworks, mastery
from .course import Course, CourseError

DEFAULT_COURSE = Path("out/course")


def _labs(args) -> list[catalogue.Lab]:
    root = Path(args.root).resolve() if args.root else None
    names = getattr(args, "labs", [])
    return [catalogue.find(n, root) for n in names] if names else catalogue.discover(root)


def cmd_demo(args) -> int:
    from . import demo

    demo.run(Path(args.out) if args.out else None, Path(args.root).resolve() if args.root else None)
    return 0


def cmd_doctor(args) -> int:
    from . import doctor

    results = doctor.checks()
    for check in results:
        print(check.line())
    return 0 if all(c.ok for c in results) else 1


def cmd_competencies(args) -> int:
    for fw in frameworks.load():
        print(f"{fw.id} — {fw.title}")
        for block in fw.blocks:
            print(f"  {block.id} — {block.title}")
            for comp in block.competencies:
                print(f"    {comp.id}  {comp.text}")
                if args.english:
                    print(f"    {'':{len(comp.id)}}  ({comp.text_en})")
    return 0


def cmd_coverage(args) -> int:
    rows = coverage.coverage(_labs(args))
    print(json.dumps(rows, ensure_ascii=False, indent=2) if args.format == "json" else coverage.table(rows))
    return 0


def cmd_validate(args) -> int:
    from . import validate

    labs = _labs(args)
    faults = validate.validate(Path(args.root).resolve() if args.root else None, labs)
    for fault in faults:
        print(fault)
    print(f"{len(labs)} notebook(s), {len(faults)} problème(s).")
    return 1 if faults else 0


def cmd_release(args) -> int:
    from .course import package, release

    course = Course(Path(args.course).resolve())
    for lab in _labs(args):
        path = release(course, lab)
        print(f"{lab.assignment}: {path}")
        if args.zip:
            print(f"{lab.assignment}: {package(course, lab)}")
    return 0


def cmd_autograde(args) -> int:
    from . import grading, sandbox

    course = Course(Path(args.course).resolve())
    limits = sandbox.Limits(
        cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb,
        processes=args.processes, network=args.network, prefork=not args.fresh_kernels,
    )
    print("Protections du bac à sable sur cette machine :")
    for protection in sandbox.protections(limits):
        print("  " + protection.line())
    failed = 0

    def show(outcome) -> None:
        nonlocal failed
        resumed = " (déjà corrigé, repris du journal)" if outcome.resumed else ""
        print(("  ok  " if outcome.ok else "ÉCHEC ") + outcome.message + resumed, flush=True)
        for flag in outcome.flags:
            print(f"      ! {flag}", flush=True)
        failed += not outcome.ok

    grading.autograde_labs(
        course, _labs(args), args.learner or None, workers=args.workers, scheduler=args.scheduler, limits=limits,
        regrade=args.regrade, progress=True, say=lambda line: print(line, flush=True), on_outcome=show,
    )
    print(f"Journaux par apprenant : {course.root / 'logs'}")
    return 1 if failed else 0


def cmd_report(args) -> int:
    from . import report

    course = Course(Path(args.course).resolve())
    out = Path(args.out)
    rule = mastery.MasteryRule(acquired=args.acquired, in_progress=args.in_progress)
    docs = report.write_reports(course, _labs(args), out, rule)
    for doc in docs:
        print(out / "reports" / doc["learner"]["id"] / "evidence.html")
    print(out / "cohort.html")
    return 0


def cmd_verify(args) -> int:
    from . import evidence

    doc = json.loads(Path(args.report).read_text(encoding="utf-8"))
    key = evidence.course_key(Course(Path(args.course).resolve())) if args.course else None
    problems = evidence.verify(doc, key)
    for problem in problems:
        print(f"{args.report}: {problem}")
    if not problems:
        print(f"{args.report}: intact" + (" (empreinte et sceau HMAC vérifiés)" if key else " (empreinte vérifiée ; donnez --course pour le sceau)"))
    return 1 if problems else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="labkit", description="Labs auto-corrigés et preuves de compétences RNCP.")
    p.add_argument("--root", help="dossier du kit (défaut : celui où labkit est installé)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("demo", help="cycle complet enseignant sur une cohorte simulée")
    s.add_argument("--out", help="dossier de sortie (défaut : out/demo)")
    s.set_defaults(func=cmd_demo)

    sub.add_parser("doctor", help="vérifie l'installation (une ligne OK/FAIL par point)").set_defaults(func=cmd_doctor)

    s = sub.add_parser("competencies", help="liste les compétences RNCP40514 et RNCP38777")
    s.add_argument("--english", action="store_true", help="ajoute la traduction anglaise")
    s.set_defaults(func=cmd_competencies)

    s = sub.add_parser("coverage", help="points et exercices par compétence")
    s.add_argument("--format", choices=["table", "json"], default="table")
    s.set_defaults(func=cmd_coverage)

    s = sub.add_parser("validate", help="vérifie les notebooks sources contre AUTHORING.md")
    s.add_argument("labs", nargs="*", help="labs à vérifier (défaut : tous)")
    s.set_defaults(func=cmd_validate)

    for name, func, helptext in (
        ("release", cmd_release, "publie les versions étudiantes (nbgrader generate_assignment)"),
        ("autograde", cmd_autograde, "corrige les rendus collectés (nbgrader autograde)"),
        ("report", cmd_report, "écrit les rapports de preuves et les vues de cohorte"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("labs", nargs="*", help="labs (défaut : tous)")
        s.add_argument("--course", default=str(DEFAULT_COURSE), help=f"dossier du cours nbgrader (défaut : {DEFAULT_COURSE})")
        s.set_defaults(func=func)
        if name == "release":
            s.add_argument("--zip", action="store_true", help="crée aussi une archive zip par lab pour un LMS")
        if name == "autograde":
            from .sandbox import Limits

            s.add_argument("--learner", action="append", help="un apprenant (répétable) ; défaut : tous")
            s.add_argument("--workers", type=int, default=None, help="processus de correction en parallèle (défaut : nombre de cœurs)")
            s.add_argument("--scheduler", help="adresse d'un cluster Dask existant (tcp://hôte:8786) : les corrections y tournent")
            s.add_argument("--regrade", action="store_true", help="recorrige tout, même les rendus déjà corrigés à l'identique")
            s.add_argument("--cell-timeout", type=int, default=Limits.cell_timeout, help=f"secondes par cellule (défaut {Limits.cell_timeout})")
            s.add_argument("--notebook-timeout", type=int, default=Limits.notebook_timeout, help=f"secondes par notebook (défaut {Limits.notebook_timeout})")
            s.add_argument("--memory-mb", type=int, default=Limits.memory_mb, help=f"mémoire par noyau en Mio (défaut {Limits.memory_mb})")
            s.add_argument("--processes", type=int, default=Limits.processes, help=f"processus par noyau (défaut {Limits.processes})")
            s.add_argument("--network", action="store_true", help="laisse le réseau aux noyaux (coupé par défaut)")
            s.add_argument("--fresh-kernels", action="store_true",
                           help="chaque noyau importe lui-même les modules du lab (plus lent ; pas de préchargement)")
        if name == "report":
            s.add_argument("--out", default="out/reports", help="dossier des rapports (défaut : out/reports)")
            s.add_argument("--acquired", type=float, default=mastery.DEFAULT_RULE.acquired, help="seuil « acquise » (défaut 0.70)")
            s.add_argument("--in-progress", type=float, default=mastery.DEFAULT_RULE.in_progress, help="seuil « en cours » (défaut 0.40)")

    s = sub.add_parser("verify", help="vérifie l'intégrité d'un evidence.json")
    s.add_argument("report")
    s.add_argument("--course", help="dossier du cours, pour vérifier le sceau HMAC")
    s.set_defaults(func=cmd_verify)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # nbgrader's own SQLAlchemy usage warns on every grade; the warnings say nothing to a user.
    warnings.filterwarnings("ignore", module="sqlalchemy")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    try:
        return args.func(args)
    except (CourseError, LookupError, ValueError) as exc:
        print(f"labkit: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
