"""Greffon de `generate.py` : lots mensuels de production après la mise en service du modèle
(lab BC03 « monitoring et réentraînement »).

Le modèle de maintenance prédictive de DAP, entraîné sur les relevés de janvier à juin 2024
(`capteurs/releves_capteurs.csv`), est en production depuis le lundi 3 mars 2025. Ce fichier est
l'extraction de monitoring : un relevé par cycle, de mars à août 2025, avec la même physique que
`generate.py` (règles de panne d'AI4I) et trois dérives **volontaires**, documentées dans
`datasets/README.md` pour que les enseignants puissent vérifier les réponses :

1. température de l'air de plus en plus chaude (saison, puis épisode de chaleur en juillet-août) ;
   la température process suit l'air, l'écart process - air ne change pas ;
2. nouveau fournisseur d'outils à partir du 1er avril 2025 (le stock et les outils montés sont
   remplacés le 31 mars, les compteurs d'usure ne sont pas remis à zéro) : outils moins tenaces,
   la surcharge (OSF) survient dès que usure x couple dépasse 75 % de l'ancien seuil, et chaque
   nouvel outil a une durée de vie tirée entre 170 et 210 min au lieu de 200 à 240 min ;
3. capteur de couple recalibré avec un décalage de zéro sur les 6 rectifieuses de l'atelier C à
   partir du lundi 2 juin 2025 : le couple **écrit** vaut le couple vrai + 15,0 N·m ; les pannes
   suivent le couple vrai.

Les étiquettes (panne 0/1) d'un lot ne sont connues qu'après la revue mensuelle de maintenance :
`date_etiquette` = le 15 du mois suivant (ou le jour ouvré qui suit).

Déterminisme : flux `numpy.random.default_rng([SEED, STREAM])`, seulement + - * / sur des
flottants Python, valeurs arrondies en dixièmes entiers avant l'écriture, fins de ligne « \\n ».
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from generate import csv_text, write_text

SEED = 74300  # graine du kit (code postal de Cluses), la même que generate.py
STREAM_MONITORING = 61

FILES = {
    "monitoring/lots_mensuels.csv": (
        "Relevés capteurs de production de mars à août 2025 (lots mensuels après mise en service du "
        "modèle), avec dérives documentées et date d'arrivée des étiquettes."
    ),
}

COLUMNS = [
    "lot", "date", "machine_id", "variante", "temperature_air_k", "temperature_process_k",
    "vitesse_rotation_tr_min", "couple_nm", "usure_outil_min", "panne", "mode_panne", "date_etiquette",
]

PROD_START, PROD_END = date(2025, 3, 3), date(2025, 8, 29)
HOLIDAYS_2025 = (
    date(2025, 4, 21),  # lundi de Pâques
    date(2025, 5, 1),   # fête du Travail
    date(2025, 5, 8),   # Victoire 1945
    date(2025, 5, 29),  # Ascension
    date(2025, 6, 9),   # lundi de Pentecôte
    date(2025, 7, 14),  # fête nationale
    date(2025, 8, 15),  # Assomption
)
SHIFT_START_MIN, SHIFT_END_MIN = 5 * 60, 21 * 60

# Physique reprise de generate.py (mêmes constantes, pour que la référence 2024 et la production
# 2025 suivent les mêmes règles).
AIR_BASE_K = {"A": 297.8, "B": 298.4, "C": 297.2}   # air en janvier, par atelier
TORQUE_OFFSET = {"A": -1.0, "B": 2.0, "C": 0.0}
WEAR_BASE = {"L": 2, "M": 3, "H": 5}
TOOL_BREAK_PROBABILITY = 0.42
HDF_DELTA_TENTHS, HDF_SPEED = 86, 1380
PWF_LOW_W, PWF_HIGH_W = 3500.0, 9000.0
OSF_LIMIT = {"L": 11000, "M": 12000, "H": 13000}
RNF_PROBABILITY = 0.001

# Dérives injectées (voir README.md).
SEASON_K = {3: 1.5, 4: 1.7, 5: 2.0, 6: 3.0, 7: 4.6, 8: 4.9}  # + K sur l'air de janvier, par mois
OLD_TOOL_LIFE = (200, 240)
NEW_TOOL_LIFE = (170, 210)
NEW_OSF_FACTOR_PCT = 75  # outils du nouveau fournisseur moins tenaces : seuil OSF à 75 % de l'ancien
SUPPLIER_CHANGE = date(2025, 4, 1)
RECALIBRATION_DATE = date(2025, 6, 2)
RECALIBRATED_WORKSHOP = "C"
TORQUE_BIAS_TENTHS = 150  # +15,0 N.m sur le couple écrit


def _fleet() -> list[tuple[str, str]]:
    company = json.loads((Path(__file__).resolve().parent / "entreprise.json").read_text(encoding="utf-8"))
    return [(m["machine_id"], m["variante"]) for w in company["ateliers"] for m in w["machines"]]


def _working_days() -> list[date]:
    days, d = [], PROD_START
    while d <= PROD_END:
        if d.weekday() < 5 and d not in HOLIDAYS_2025:
            days.append(d)
        d += timedelta(days=1)
    return days


def label_date(day: date) -> date:
    """Date d'arrivée des étiquettes du lot du mois de `day` : le 15 du mois suivant, ou le jour
    ouvré qui suit s'il tombe un samedi, un dimanche ou un jour férié."""
    year, month = (day.year, day.month + 1) if day.month < 12 else (day.year + 1, 1)
    d = date(year, month, 15)
    while d.weekday() >= 5 or d in HOLIDAYS_2025:
        d += timedelta(days=1)
    return d


def _tenths(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 10}.{value % 10}"


def _rows() -> list[list[str]]:
    rng = np.random.default_rng([SEED, STREAM_MONITORING])
    days = _working_days()
    rows = []
    for mid, variant in _fleet():
        ws = mid[0]
        torque_offset = TORQUE_OFFSET[ws] + float(rng.normal(0.0, 1.0))
        air_ar, proc_ar = 0.0, 0.0
        wear = int(rng.integers(0, 120))
        life_low, life_high = OLD_TOOL_LIFE
        tool_life = int(rng.integers(life_low, life_high + 1))
        tool_breaks = bool(rng.random() < TOOL_BREAK_PROBABILITY)
        for day in days:
            new_supplier = day >= SUPPLIER_CHANGE
            life_low, life_high = NEW_TOOL_LIFE if new_supplier else OLD_TOOL_LIFE
            biased = ws == RECALIBRATED_WORKSHOP and day >= RECALIBRATION_DATE
            n = 3 + int(rng.integers(0, 3))  # 3 à 5 cycles par jour
            slot = (SHIFT_END_MIN - SHIFT_START_MIN) / n
            for k in range(n):
                minutes = (k + float(rng.random())) * slot  # minutes depuis 05:00
                draws = rng.normal(size=4)
                u_rnf, u_inc = float(rng.random()), int(rng.integers(0, 2))
                daily = 1.2 * max(0.0, 1.0 - abs(minutes - 600.0) / 600.0)
                air_ar = 0.85 * air_ar + 0.75 * float(draws[0])
                air = AIR_BASE_K[ws] + SEASON_K[day.month] + daily + air_ar
                proc_ar = 0.6 * proc_ar + 0.68 * float(draws[1])
                proc = air + 10.0 + proc_ar
                torque = 40.0 + torque_offset + 10.0 * float(draws[2])
                if torque < 3.0:
                    torque = 3.0 + abs(torque) / 10.0
                dt_ = torque - 40.0
                speed = 1540.0 - 17.0 * dt_ + 0.15 * dt_ * dt_ + 60.0 * float(draws[3])
                speed_rpm = max(1000, int(round(speed)))
                air_t, proc_t, torque_t = int(round(air * 10)), int(round(proc * 10)), int(round(torque * 10))
                wear += WEAR_BASE[variant] * (1 + u_inc)
                modes = []
                if wear >= tool_life:
                    if tool_breaks:
                        modes.append("TWF")
                    else:
                        wear = WEAR_BASE[variant] * (1 + u_inc)
                        tool_life = int(rng.integers(life_low, life_high + 1))
                        tool_breaks = bool(rng.random() < TOOL_BREAK_PROBABILITY)
                if proc_t - air_t < HDF_DELTA_TENTHS and speed_rpm < HDF_SPEED:
                    modes.append("HDF")
                power = torque_t / 10 * speed_rpm * 2 * np.pi / 60
                if power < PWF_LOW_W or power > PWF_HIGH_W:
                    modes.append("PWF")
                osf_pct = NEW_OSF_FACTOR_PCT if new_supplier else 100
                if wear * torque_t * 100 > OSF_LIMIT[variant] * 10 * osf_pct:
                    modes.append("OSF")
                if u_rnf < RNF_PROBABILITY:
                    modes.append("RNF")
                written_torque = torque_t + (TORQUE_BIAS_TENTHS if biased else 0)
                rows.append([
                    f"{day.year}-{day.month:02d}", day.isoformat(), mid, variant,
                    _tenths(air_t), _tenths(proc_t), str(speed_rpm), _tenths(written_torque), str(wear),
                    "1" if modes else "0", modes[0] if modes else "", label_date(day).isoformat(),
                ])
                if "TWF" in modes or "OSF" in modes:
                    # Casse ou surcharge : l'outil est remplacé pendant la réparation.
                    wear = 0
                    tool_life = int(rng.integers(life_low, life_high + 1))
                    tool_breaks = bool(rng.random() < TOOL_BREAK_PROBABILITY)
    rows.sort(key=lambda r: (r[1], r[2]))  # tri stable : date puis machine, l'ordre des cycles est gardé
    return rows


def generate(out: Path) -> None:
    """Écrit `monitoring/lots_mensuels.csv` sous `out`."""
    write_text(out, "monitoring/lots_mensuels.csv", csv_text(COLUMNS, _rows()))
