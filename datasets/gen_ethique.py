"""Greffon de `generate.py` : fichier d'évaluation d'un modèle d'affectation (lab BC01 « éthique, RGPD, gouvernance »).

L'éditeur (fictif) du progiciel de planification de DAP propose un module d'IA qui recommande les
opérateurs à affecter aux futures cellules équipées de maintenance prédictive (« pilote de cellule »).
Il fournit, pour l'évaluer, les prédictions de son modèle sur 600 dossiers pseudonymisés de ses
clients du bassin, avec le résultat réellement constaté (période d'essai de trois mois réussie ou non).

Construction (biais **volontaire**, à trouver dans le lab) : l'aptitude réelle ne dépend ni du sexe,
ni de l'âge, ni de la RQTH ; le score du modèle, appris sur des décisions de promotion passées,
pénalise les femmes, les 45 ans et plus et les personnes ayant une RQTH (biais historique).

Tout est déterministe : flux `numpy.random.default_rng([SEED, STREAM])`, seulement des opérations
+ − × ÷ sur les tirages, arrondis explicites, formats fixes, fins de ligne « \\n ».
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from generate import csv_text, write_text

SEED = 74300  # graine du kit (code postal de Cluses), la même que generate.py
STREAM_PREDICTIONS = 51

FILES = {
    "ethique/predictions_affectation.csv": (
        "Prédictions d'un modèle fournisseur d'affectation des opérateurs (600 dossiers fictifs "
        "pseudonymisés, attributs de groupe, résultat constaté) : biais volontaire pour le lab d'équité."
    ),
}

N_RECORDS = 600
COLUMNS = ["dossier_id", "sexe", "tranche_age", "rqth", "anciennete_annees", "score", "recommande", "reussite"]
AGE_BANDS = ("<30", "30-44", "45+")


def _rows() -> list[list[str]]:
    rng = np.random.default_rng([SEED, STREAM_PREDICTIONS])
    n = N_RECORDS
    female = rng.random(n) < 0.30
    band = rng.choice(3, size=n, p=[0.30, 0.35, 0.35])
    rqth = rng.random(n) < 0.07
    # ancienneté plausible pour la tranche d'âge (années révolues)
    max_seniority = np.array([10, 25, 40])[band]
    seniority = np.floor(rng.random(n) * (max_seniority + 1)).astype(int)
    aptitude = rng.normal(0.0, 1.0, n)  # aptitude réelle, indépendante des groupes
    success = (aptitude + rng.normal(0.0, 0.6, n)) > 0.0
    # score du modèle : aptitude bruitée + pénalités apprises sur l'historique (biais)
    z = (1.3 * aptitude + rng.normal(0.0, 0.7, n) + 0.2
         - 0.9 * female - 0.5 * (band == 2) - 0.7 * rqth)
    score = 0.5 + 0.5 * z / (1.0 + np.abs(z))
    rows = []
    for i in range(n):
        milli = int(round(float(score[i]) * 1000))
        milli = min(max(milli, 1), 999)
        rows.append([
            f"D{i + 1:04d}",
            "F" if female[i] else "M",
            AGE_BANDS[int(band[i])],
            "oui" if rqth[i] else "non",
            str(int(seniority[i])),
            f"{milli // 1000}.{milli % 1000:03d}",
            "1" if milli >= 500 else "0",
            "1" if success[i] else "0",
        ])
    return rows


def generate(out: Path) -> None:
    """Écrit `ethique/predictions_affectation.csv` sous `out`."""
    write_text(out, "ethique/predictions_affectation.csv", csv_text(COLUMNS, _rows()))
