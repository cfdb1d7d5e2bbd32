"""Greffon de `generate.py` : données de suivi du projet IA de DAP (lab BC04 « suivi et tableau de bord »).

Le projet est celui de `pilotage/taches_projet.csv` (lab PERT). Le plan de référence (baseline) prend les
durées attendues PERT arrondies au jour ouvré (demi-journée arrondie au-dessus) et les dates au plus tôt ;
le lancement (J0) est le lundi 2 septembre 2024. Le projet réel est simulé jusqu'au vendredi 15 novembre
2024 (date du dernier point d'avancement) : dépassements sur trois tâches critiques (T03 audit des données,
T07 pipeline d'ingestion, T09 modèle prédictif), pose des capteurs de l'atelier B (T06) démarrée tard
(fournisseur), T10 plus rapide que prévu. L'équipe données et modèles travaille en sprints de deux semaines.

Tout est déterministe : flux `numpy.random.default_rng([SEED, STREAM])`, arrondis explicites, formats fixes.
"""
from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from generate import csv_text, write_text

SEED = 74300  # graine du kit (code postal de Cluses), la même que generate.py
STREAM_TIMESHEETS, STREAM_SPRINTS = 41, 42

HERE = Path(__file__).resolve().parent
TASKS_FILE = "pilotage/taches_projet.csv"

FILES = {
    "pilotage/budget_planifie.csv": "Plan de référence du projet IA : dates prévues (jours ouvrés) et budget à terminaison (EUR) par tâche.",
    "pilotage/feuilles_temps.csv": "Feuilles de temps hebdomadaires du projet IA (personnes pseudonymisées), heures et coût en EUR par tâche.",
    "pilotage/avancement_taches.csv": "Points d'avancement hebdomadaires par tâche : avancement déclaré (%) et reste à faire (EUR).",
    "pilotage/sprints.csv": "Sprints de l'équipe données et modèles : points engagés, ajoutés, réalisés, reste du backlog produit.",
    "pilotage/burndown_sprints.csv": "Burndown quotidien des sprints : points restants en fin de journée ouvrée.",
}

# Calendrier du projet : lancement et jours fériés chômés (France) sur la durée du projet.
LAUNCH = date(2024, 9, 2)
HOLIDAYS = (date(2024, 11, 1), date(2024, 11, 11), date(2024, 12, 25), date(2025, 1, 1))
STATUS_DATE = date(2024, 11, 15)  # dernier point d'avancement : vendredi de la 11e semaine
HOURS_PER_DAY = 7.0

# Personnes (pseudonymes) : rôle et taux horaire chargé en EUR HT (coût complet pour DAP ; prestataires
# au tarif facturé). Le technicien de maintenance est au taux de entreprise.json (62 EUR/h).
PEOPLE = {
    "CP-01": ("Chef de projet IA", 72.0),
    "DE-01": ("Data engineer", 65.0),
    "DE-02": ("Data engineer (prestataire)", 90.0),
    "DS-01": ("Data scientist", 68.0),
    "DS-02": ("Data scientist (prestataire)", 85.0),
    "DPO-01": ("DPO (cabinet externe)", 120.0),
    "MNT-01": ("Responsable maintenance", 66.0),
    "TECH-02": ("Technicien de maintenance", 62.0),
    "SI-01": ("DSI", 78.0),
    "SI-02": ("Administrateur SI", 55.0),
    "RH-01": ("Responsable RH", 60.0),
}

# Affectations prévues : part d'une journée de 7 h par personne, sur toute la durée de la tâche.
PLANNED_STAFF = {
    "T01": {"CP-01": 1.0, "MNT-01": 0.2},
    "T02": {"CP-01": 1.0, "MNT-01": 0.4},
    "T03": {"DE-01": 1.0, "DS-01": 0.5},
    "T04": {"DPO-01": 0.5, "CP-01": 0.2},
    "T05": {"DE-01": 1.0, "SI-01": 0.3},
    "T06": {"TECH-02": 1.0, "MNT-01": 0.3},
    "T07": {"DE-01": 1.0, "DE-02": 1.0},
    "T08": {"DS-01": 0.5, "SI-02": 0.5},
    "T09": {"DS-01": 1.0, "DS-02": 1.0},
    "T10": {"DS-02": 1.0},
    "T11": {"DE-01": 1.0, "SI-01": 0.5},
    "T12": {"MNT-01": 0.5, "DS-01": 0.5, "TECH-02": 0.5},
    "T13": {"RH-01": 0.5, "MNT-01": 0.5, "CP-01": 0.5},
    "T14": {"DPO-01": 1.0, "CP-01": 0.3},
    "T15": {"CP-01": 1.0, "SI-01": 0.3},
}

# Réalité jusqu'au 15 novembre : durée réelle (jours ouvrés, None = pas de changement), début au plus tôt
# imposé (indice de jour ouvré) et affectations réelles (part d'une journée). Les tâches qui finissent après
# la date de statut ne sont connues que jusqu'à elle.
ACTUAL = {
    "T01": (5, None, {"CP-01": 1.0, "MNT-01": 0.2}),
    "T02": (5, None, {"CP-01": 0.9, "MNT-01": 0.4}),
    "T03": (12, None, {"DE-01": 1.0, "DS-01": 0.5}),           # données plus sales que prévu
    "T04": (8, None, {"DPO-01": 0.5, "CP-01": 0.2}),
    "T05": (6, None, {"DE-01": 1.0, "SI-01": 0.3}),
    "T06": (11, 30, {"TECH-02": 1.0, "MNT-01": 0.3}),          # capteurs livrés tard par le fournisseur
    "T07": (12, None, {"DE-01": 1.0, "DE-02": 1.0}),
    "T08": (7, None, {"DS-01": 0.5, "SI-02": 0.45}),
    "T09": (22, None, {"DS-01": 1.0, "DS-02": 0.6, "DE-01": 0.2}),  # déséquilibre des classes ; prestataire à 60 %
    "T10": (7, None, {"DS-02": 0.8}),
    "T11": (9, None, {"DE-01": 1.0, "SI-01": 0.5}),
    "T12": (8, None, {"MNT-01": 0.5, "DS-01": 0.5, "TECH-02": 0.5}),
    "T13": (4, None, {"RH-01": 0.5, "MNT-01": 0.5, "CP-01": 0.5}),
    "T14": (3, None, {"DPO-01": 1.0, "CP-01": 0.3}),
    "T15": (3, None, {"CP-01": 1.0, "SI-01": 0.3}),
}
# Le reste à faire déclaré par le responsable de T09 est optimiste (il voit la fin proche).
RAF_BIAS = {"T09": 0.8}
# Correction d'imputation : 7 h de DE-01 saisies sur T07 au lieu de T05, corrigées la semaine suivante.
CORRECTION = (date(2024, 9, 30), "DE-01", "T07", "T05", 7.0)

# Sprints de l'équipe données et modèles : (id, début, fin, points engagés, points ajoutés en cours de sprint,
# jour d'ajout (indice dans le sprint), tailles des stories terminées). Le backlog produit de départ est celui
# de `pilotage/backlog.csv` hors « Won't » (69 points) ; les ajouts viennent de stories découpées en cours de route.
SPRINTS = (
    ("S1", date(2024, 9, 16), date(2024, 9, 27), 13, 0, None, (2, 3, 5)),
    ("S2", date(2024, 9, 30), date(2024, 10, 11), 14, 0, None, (5, 8)),
    ("S3", date(2024, 10, 14), date(2024, 10, 25), 13, 3, 4, (3, 1, 5)),
    ("S4", date(2024, 10, 28), date(2024, 11, 8), 12, 6, 3, (3, 8)),
    ("S5", date(2024, 11, 12), date(2024, 11, 22), 12, 0, None, None),
)
BACKLOG_START = 69
# Points restants de S5 (sprint en cours) en fin de journée, jusqu'à la date de statut.
S5_REMAINING = (12, 12, 9, 9)


def is_workday(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def workday(index: int) -> date:
    """Le jour ouvré d'indice ``index`` (0 = le lancement)."""
    day, seen = LAUNCH, 0
    while True:
        if is_workday(day):
            if seen == index:
                return day
            seen += 1
        day += timedelta(days=1)


def workdays_between(start: date, end: date) -> list[date]:
    """Jours ouvrés de ``start`` à ``end`` inclus."""
    days, day = [], start
    while day <= end:
        if is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def money(value: float) -> str:
    return f"{value:.2f}"


def read_tasks() -> list[dict]:
    with open(HERE / TASKS_FILE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5 + 1e-9))


def schedule(tasks: list[dict], durations: dict[str, int], forced_start: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Dates au plus tôt en indices de jours ouvrés : {id: (premier jour, jour suivant la fin)}."""
    plan: dict[str, tuple[int, int]] = {}
    pending = list(tasks)
    while pending:
        for task in list(pending):
            preds = [p for p in task["predecesseurs"].split(";") if p]
            if all(p in plan for p in preds):
                start = max((plan[p][1] for p in preds), default=0)
                start = max(start, forced_start.get(task["id"], 0))
                plan[task["id"]] = (start, start + durations[task["id"]])
                pending.remove(task)
    return plan


def baseline(tasks: list[dict]) -> dict[str, tuple[int, int]]:
    durations = {}
    for task in tasks:
        o, m, p = (int(task[k]) for k in ("duree_optimiste_j", "duree_probable_j", "duree_pessimiste_j"))
        durations[task["id"]] = round_half_up((o + 4 * m + p) / 6)
    return schedule(tasks, durations, {})


def budget_rows(tasks: list[dict], plan: dict) -> list[list[str]]:
    rows = []
    for task in tasks:
        if task["type"] != "tache":
            continue
        start, end = plan[task["id"]]
        days = end - start
        staff = PLANNED_STAFF[task["id"]]
        hours = sum(share * HOURS_PER_DAY * days for share in staff.values())
        cost = sum(share * HOURS_PER_DAY * days * PEOPLE[who][1] for who, share in staff.items())
        rows.append([
            task["id"], task["libelle"], task["responsable"], workday(start).isoformat(), workday(end - 1).isoformat(),
            str(days), f"{hours:.1f}", money(cost), ";".join(staff),
        ])
    return rows


def actual_plan(tasks: list[dict]) -> dict[str, tuple[int, int]]:
    durations = {t["id"]: (ACTUAL[t["id"]][0] if t["type"] == "tache" else 0) for t in tasks}
    forced = {tid: v[1] for tid, v in ACTUAL.items() if v[1] is not None}
    return schedule(tasks, durations, forced)


def weeks() -> list[date]:
    """Lundis des semaines du lancement à la date de statut."""
    monday, result = LAUNCH, []
    while monday <= STATUS_DATE:
        result.append(monday)
        monday += timedelta(days=7)
    return result


def status_index() -> int:
    return len(workdays_between(LAUNCH, STATUS_DATE)) - 1


def timesheet_and_progress(tasks: list[dict], real: dict) -> tuple[list[list[str]], list[list[str]]]:
    rng = np.random.default_rng([SEED, STREAM_TIMESHEETS])
    last = status_index()
    sheet, progress = [], []
    # Coût réel complet de chaque tâche (heures prévues à l'allure réelle), pour le reste à faire déclaré.
    for monday in weeks():
        friday = monday + timedelta(days=4)
        week_days = [d for d in workdays_between(monday, friday)]
        week_idx = [len(workdays_between(LAUNCH, d)) - 1 for d in week_days]
        for task in tasks:
            tid = task["id"]
            if task["type"] != "tache":
                continue
            start, end = real[tid]
            active = [i for i in week_idx if start <= i < end and i <= last]
            staff = ACTUAL[tid][2]
            for who in sorted(staff):
                if not active:
                    continue
                hours = staff[who] * HOURS_PER_DAY * len(active) + float(rng.normal(0.0, 0.6))
                hours = max(0.5, round(hours * 2) / 2)
                rate = PEOPLE[who][1]
                sheet.append([monday.isoformat(), who, PEOPLE[who][0], tid, f"{hours:.1f}", money(rate), money(hours * rate)])
            if active:
                done_days = min(end, week_idx[-1] + 1) - start
                total = end - start
                if done_days >= total:
                    pct, remaining = 100, 0.0
                else:
                    pct = min(95, int(5 * math.floor(20 * done_days / total)))
                    daily = sum(share * HOURS_PER_DAY * PEOPLE[w][1] for w, share in staff.items())
                    remaining = daily * (total - done_days) * RAF_BIAS.get(tid, 1.0)
                    remaining = round(remaining / 10) * 10
                progress.append([monday.isoformat(), tid, str(pct), money(remaining)])
    # Correction d'imputation (semaine suivant l'erreur) : -h sur la mauvaise tâche, +h sur la bonne.
    week, who, wrong, right, hours = CORRECTION
    fix_week = (week + timedelta(days=7)).isoformat()
    rate = PEOPLE[who][1]
    for tid, h in ((wrong, -hours), (right, hours)):
        sheet.append([fix_week, who, PEOPLE[who][0], tid, f"{h:.1f}", money(rate), money(h * rate)])
    sheet.sort(key=lambda r: (r[0], r[3], r[1], float(r[4])))
    return sheet, progress


def sprint_rows() -> tuple[list[list[str]], list[list[str]]]:
    rng = np.random.default_rng([SEED, STREAM_SPRINTS])
    summary, daily = [], []
    backlog = BACKLOG_START
    for sprint, start, end, committed, added, add_day, stories in SPRINTS:
        days = workdays_between(start, end)
        if stories is None:
            summary.append([sprint, start.isoformat(), end.isoformat(), str(committed), str(added), "", "", "en_cours"])
            for day, left in zip(days, S5_REMAINING):
                daily.append([sprint, day.isoformat(), str(left)])
            continue
        done = sum(stories)
        backlog = backlog + added - done
        summary.append([sprint, start.isoformat(), end.isoformat(), str(committed), str(added), str(done), str(backlog), "termine"])
        # Chaque story terminée fait baisser le reste d'un bloc, un jour tiré après le 2e jour du sprint.
        finish_days = sorted(int(rng.integers(2, len(days))) for _ in stories)
        left = committed
        for k, day in enumerate(days):
            if add_day is not None and k == add_day:
                left += added
            left -= sum(size for size, when in zip(stories, finish_days) if when == k)
            daily.append([sprint, day.isoformat(), str(left)])
    return summary, daily


def generate(out: Path) -> None:
    """Écrit les cinq fichiers de ``FILES`` sous ``out``."""
    tasks = read_tasks()
    plan = baseline(tasks)
    write_text(out, "pilotage/budget_planifie.csv", csv_text(
        ["id", "libelle", "responsable", "debut_prevu", "fin_prevue", "duree_prevue_j", "charge_prevue_h",
         "budget_eur", "ressources"],
        budget_rows(tasks, plan),
    ))
    sheet, progress = timesheet_and_progress(tasks, actual_plan(tasks))
    write_text(out, "pilotage/feuilles_temps.csv", csv_text(
        ["semaine", "personne", "role", "id_tache", "heures", "taux_horaire_eur", "cout_eur"], sheet))
    write_text(out, "pilotage/avancement_taches.csv", csv_text(
        ["semaine", "id_tache", "avancement_pct", "reste_a_faire_eur"], progress))
    summary, daily = sprint_rows()
    write_text(out, "pilotage/sprints.csv", csv_text(
        ["sprint", "debut", "fin", "points_engages", "points_ajoutes", "points_realises", "reste_backlog_points",
         "statut"], summary))
    write_text(out, "pilotage/burndown_sprints.csv", csv_text(["sprint", "date", "points_restants"], daily))
