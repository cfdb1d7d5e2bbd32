"""Générateur des données du client fil rouge « Décolletage Arve Précision » (DAP SAS).

Toutes les données de ``datasets/`` sont produites ici, hors ligne, à partir d'une graine fixe
(``SEED``) : ``python datasets/generate.py [--out DIR]`` réécrit les fichiers à l'identique, octet
pour octet, puis écrit ``DIR/MANIFEST.json`` (empreintes SHA-256 de tous les fichiers de données).
``python datasets/generate.py --check`` vérifie le dossier contre son manifeste ;
``python datasets/generate.py --manifest-only`` ne réécrit que le manifeste (après l'ajout d'un
fichier écrit à la main, par exemple sous ``pilotage/``).

Le schéma des relevés capteurs s'inspire du jeu AI4I 2020 Predictive Maintenance Dataset
(S. Matzka, UCI Machine Learning Repository, CC BY 4.0) ; aucune ligne de ce jeu n'est reprise.

Règles de déterminisme suivies partout (pour que les empreintes ne dépendent ni de la machine ni de
la version de pandas) :
- un seul ``numpy.random.default_rng`` par fichier, dérivé de ``SEED`` et d'un numéro de flux fixe ;
- valeurs physiques calculées en flottants Python avec + - * / uniquement (pas de sin/exp/pow,
  dont le dernier bit peut varier d'une libm à l'autre), puis arrondies en entiers (dixièmes,
  centièmes) avant d'être écrites ;
- écriture texte à la main : UTF-8 sans BOM, fins de ligne « \\n », formats de nombres fixes,
  JSON à clés triées.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

# Graine unique du kit : le code postal de Cluses. La changer change toutes les empreintes.
SEED = 74300

DATASETS_DIR = Path(__file__).resolve().parent

# Période couverte par les relevés (jours ouvrés du lundi 8 janvier au vendredi 28 juin 2024).
PERIOD_START = date(2024, 1, 8)
PERIOD_END = date(2024, 6, 28)
# Jours fériés chômés par l'usine sur la période (le pont du 10 mai est travaillé).
HOLIDAYS = (
    date(2024, 4, 1),   # lundi de Pâques
    date(2024, 5, 1),   # fête du Travail
    date(2024, 5, 8),   # Victoire 1945
    date(2024, 5, 9),   # Ascension
    date(2024, 5, 20),  # lundi de Pentecôte
)
# Journée de production en 2x8 : équipe du matin 05:00-13:00, d'après-midi 13:00-21:00.
SHIFT_START_MIN = 5 * 60
SHIFT_END_MIN = 21 * 60
# Date d'extraction des fichiers ERP / RH (le lundi qui suit la fin de la période).
EXTRACTION_DATE = date(2024, 7, 1)
# Les relevés énergie couvrent aussi le dernier week-end.
ENERGY_END = date(2024, 6, 30)
# Passage à l'heure d'été : l'heure locale 02:00 du 31 mars 2024 n'existe pas.
DST_START = datetime(2024, 3, 31, 2, 0)

# Fichiers écrits par ce générateur (chemins relatifs POSIX) et leur description d'une ligne,
# reprise dans MANIFEST.json.
GENERATED_FILES = {
    "entreprise.json": "Fiche unique du client fil rouge DAP SAS : ateliers, machines, coûts, énergie, parties prenantes.",
    "capteurs/releves_capteurs.csv": "Relevés capteurs par machine et par cycle (schéma inspiré d'AI4I 2020), avec défauts documentés.",
    "maintenance/tickets.json": "Tickets de maintenance préventive et curative exportés de l'outil de helpdesk.",
    "erp/ordres_fabrication.sql": "Extrait ERP (SQLite) : ordres de fabrication et clients.",
    "energie/compteurs.csv": "Relevés horaires des compteurs électriques des trois ateliers (kWh).",
    "rh/operateurs.csv": "Extrait RH fictif de 42 opérateurs de production (données personnelles, dont une donnée sensible).",
}
MANIFEST_NAME = "MANIFEST.json"
# Fichiers de documentation ou de code, jamais listés dans le manifeste (à la racine de DIR),
# en plus des modules Python de la racine (generate.py et les greffons gen_*.py).
NOT_DATA = {"README.md", MANIFEST_NAME}
# Un lab qui a besoin de données générées ajoute un greffon `gen_<sujet>.py` à côté de ce fichier :
# il expose FILES ({chemin relatif: description}) et generate(out: Path), déterministe.
PLUGIN_GLOB = "gen_*.py"
DEFAULT_HANDWRITTEN_DESCRIPTION = "Fichier de données ajouté à la main (non produit par generate.py)."

# Numéros de flux aléatoires, un par fichier : modifier un fichier ne décale pas les autres.
STREAM_FLEET, STREAM_SENSOR_DEFECTS, STREAM_TICKETS, STREAM_ERP, STREAM_ENERGY, STREAM_HR = range(1, 7)


def rng_for(stream: int) -> np.random.Generator:
    """Renvoie le générateur du flux ``stream``, entièrement déterminé par ``SEED``."""
    return np.random.default_rng([SEED, stream])


# On n'utilise que random(), integers(), normal(), uniform() et permutation(), dont les suites
# sont stables d'une version de numpy à l'autre ; les deux tirages ci-dessous remplacent choice().
def pick_weighted(rng: np.random.Generator, values: list, weights: list[float]):
    """Tire une valeur de ``values`` avec les poids ``weights`` (un seul appel à random())."""
    u, acc = float(rng.random()) * sum(weights), 0.0
    for value, weight in zip(values, weights):
        acc += weight
        if u < acc:
            return value
    return values[-1]


def sample_indices(rng: np.random.Generator, n: int, k: int) -> list[int]:
    """``k`` indices distincts parmi ``range(n)``, triés."""
    return sorted(int(i) for i in rng.permutation(n)[:k])


# ---------------------------------------------------------------------------------------------
# Le client : une seule description, écrite dans entreprise.json et lue par tous les générateurs.
# ---------------------------------------------------------------------------------------------

# (atelier, nombre de machines, variantes dans l'ordre des numéros)
# Les variantes suivent AI4I (L/M/H = exigence qualité basse/moyenne/haute des pièces produites) ;
# les machines « H » sont celles qui font les pièces aéronautiques les plus tolérancées.
_FLEET_LAYOUT = {
    "A": "LLMLHLMLLM",  # 10 tours à poupée mobile
    "B": "MHLHMLHL",    # 8 centres 5 axes
    "C": "LMLHML",      # 6 rectifieuses
}
_WORKSHOPS = {
    "A": {
        "nom": "Décolletage",
        "type_machine": "Tour CNC à poupée mobile (décolleteuse type suisse), barre Ø 4 à 32 mm",
        "puissance_moyenne_kw": 9.0,
        "puissance_veille_kw": 1.5,
        "charge_socle_kw": 18.0,
    },
    "B": {
        "nom": "Fraisage 5 axes",
        "type_machine": "Centre d'usinage 5 axes continus, broche 15 000 tr/min",
        "puissance_moyenne_kw": 16.0,
        "puissance_veille_kw": 2.0,
        "charge_socle_kw": 14.0,
    },
    "C": {
        "nom": "Rectification",
        "type_machine": "Rectifieuse cylindrique CNC extérieure/intérieure",
        "puissance_moyenne_kw": 12.0,
        "puissance_veille_kw": 1.8,
        "charge_socle_kw": 10.0,
    },
}
_COMMISSIONING_YEARS = {
    "A": (2009, 2011, 2012, 2014, 2015, 2016, 2018, 2019, 2021, 2022),
    "B": (2013, 2015, 2016, 2018, 2019, 2020, 2022, 2023),
    "C": (2008, 2010, 2014, 2017, 2020, 2021),
}


def machine_ids() -> list[str]:
    """Les 24 identifiants machine, atelier par atelier : A-01..A-10, B-01..B-08, C-01..C-06."""
    return [f"{ws}-{i:02d}" for ws, layout in _FLEET_LAYOUT.items() for i in range(1, len(layout) + 1)]


def machine_variants() -> dict[str, str]:
    """Variante qualité L/M/H de chaque machine (fixe, reprise dans entreprise.json et les relevés)."""
    return {
        f"{ws}-{i:02d}": variant
        for ws, layout in _FLEET_LAYOUT.items()
        for i, variant in enumerate(layout, start=1)
    }


def build_company() -> dict:
    """Décrit le client DAP SAS. Promesse : c'est la seule source des faits sur le client ;
    les autres générateurs lisent ce dictionnaire, et il est écrit tel quel dans entreprise.json.
    Les montants et effectifs sont fictifs mais plausibles pour une PME du décolletage en 2024."""
    variants = machine_variants()
    workshops = []
    for ws, layout in _FLEET_LAYOUT.items():
        info = _WORKSHOPS[ws]
        machines = [
            {
                "machine_id": f"{ws}-{i:02d}",
                "variante": variants[f"{ws}-{i:02d}"],
                "type": info["type_machine"],
                "annee_mise_en_service": _COMMISSIONING_YEARS[ws][i - 1],
            }
            for i in range(1, len(layout) + 1)
        ]
        workshops.append(
            {
                "code": ws,
                "nom": info["nom"],
                "type_machine": info["type_machine"],
                "nombre_machines": len(machines),
                "machines": machines,
                "puissance_electrique_moyenne_par_machine_kw": info["puissance_moyenne_kw"],
                "puissance_veille_par_machine_kw": info["puissance_veille_kw"],
                "charge_socle_kw": info["charge_socle_kw"],
                "compteur_energie": f"CPT-{ws}",
            }
        )
    return {
        "raison_sociale": "Décolletage Arve Précision",
        "sigle": "DAP",
        "forme_juridique": "SAS",
        "fictif": True,
        "adresse": "145 avenue des Décolleteurs, 74300 Cluses (adresse fictive)",
        "ville": "Cluses",
        "code_postal": "74300",
        "departement": "Haute-Savoie (74)",
        "region": "Auvergne-Rhône-Alpes",
        "bassin": "vallée de l'Arve (premier bassin français du décolletage)",
        "activite": "Usinage de précision de pièces métalliques (décolletage, fraisage 5 axes, rectification)",
        "code_naf": "25.62A - Décolletage",
        "effectif": 120,
        "repartition_effectif": {
            "operateurs_production": 42,
            "regleurs": 14,
            "maintenance": 6,
            "qualite_controle": 10,
            "methodes_industrialisation": 7,
            "logistique_expedition": 11,
            "commercial_achats": 8,
            "administration_finance_rh_si": 12,
            "direction_encadrement": 10,
        },
        "nombre_operateurs": 42,
        "nombre_techniciens_maintenance": 5,
        "chiffre_affaires_annuel_eur": 19500000,
        "annee_chiffre_affaires": 2023,
        "secteurs_clients": [
            {"secteur": "aeronautique", "part_chiffre_affaires": 0.55},
            {"secteur": "automobile", "part_chiffre_affaires": 0.45},
        ],
        "ateliers": workshops,
        "nombre_machines": sum(len(layout) for layout in _FLEET_LAYOUT.values()),
        "organisation": {
            "equipes": "2x8",
            "postes": [
                {"equipe": "matin", "debut": "05:00", "fin": "13:00"},
                {"equipe": "apres-midi", "debut": "13:00", "fin": "21:00"},
            ],
            "jours_travailles": "lundi au vendredi, hors jours fériés",
            "rotation": "les équipes E1 et E2 alternent matin et après-midi chaque semaine",
        },
        "maintenance": {
            "politique_actuelle": "préventive calendaire (plan fixe) et curative après panne",
            "periodicite_preventive_semaines": 4,
            "outil": "outil de tickets (helpdesk) généraliste, pas de GMAO",
            "ordres_de_travail": "papier, remplis à la main par les opérateurs puis ressaisis dans l'ERP",
            "taux_horaire_technicien_eur": 62.0,
        },
        "ordres_de_travail_papier": {
            "volume_mensuel": 2000,
            "chiffres_manuscrits_par_ordre": 12,
            "temps_ressaisie_par_ordre_min": 2.5,
            "taux_erreur_ressaisie": 0.02,
        },
        "couts": {
            "cout_arret_non_planifie_eur_h": 1800.0,
            "definition_cout_arret": (
                "Estimation du contrôle de gestion (2023) pour une heure d'arrêt non planifié d'une machine : "
                "marge perdue, pénalités de retard des clients aéronautiques, heures supplémentaires de rattrapage. "
                "Hypothèse de la direction, à discuter dans l'étude d'opportunité."
            ),
            "cout_moyen_reparation_eur": 660.0,
            "definition_cout_reparation": (
                "Moyenne par panne (ticket curatif) : pièces + main-d'oeuvre interne au taux horaire technicien, "
                "hors coût de l'arrêt."
            ),
            "budget_maintenance_annuel_eur": 870000.0,
            "definition_budget_maintenance": (
                "Salaires chargés de l'équipe maintenance (6 personnes, ~315 kEUR), pièces de rechange (~505 kEUR), "
                "sous-traitance spécialisée (~50 kEUR)."
            ),
        },
        "energie": {
            "prix_electricite_eur_kwh": 0.165,
            "definition_prix": "prix moyen HT 2024 du kWh livré (fourniture + acheminement + taxes hors TVA), contrat à prix fixe",
            "intensite_carbone_reseau_kgco2e_kwh": 0.052,
            "source_intensite_carbone": (
                "ADEME, Base Empreinte, facteur « Électricité - mix moyen - consommation », France continentale "
                "(analyse de cycle de vie) ; RTE éCO2mix pour le suivi horaire des émissions de la production."
            ),
            "note_intensite_carbone": (
                "Paramètre par défaut du kit (ordre de grandeur du mix moyen français) : vérifier la valeur et son "
                "millésime dans la Base Empreinte avant un bilan officiel ; faire varier ce paramètre en analyse de sensibilité."
            ),
        },
        "systeme_information": {
            "erp": "ERP de production sur serveur SQL, extraits possibles en SQL",
            "helpdesk": "outil de tickets SaaS, export JSON",
            "capteurs": "automates des machines, passerelle OPC UA, export CSV quotidien",
            "hebergement": "salle serveur sur site (2 serveurs de virtualisation, pas de GPU) et messagerie en nuage",
            "effectif_si": 2,
        },
        "projet_ia": {
            "intitule": "Maintenance prédictive et lecture automatique des ordres de travail manuscrits",
            "objectifs": [
                "prédire les pannes des machines CNC à partir des relevés capteurs pour planifier les interventions",
                "lire les chiffres manuscrits des ordres de travail papier pour supprimer la ressaisie",
            ],
            "parties_prenantes": [
                {"role": "Présidente (direction générale)", "nom": "Isabelle Gaillard", "implication": "arbitre le budget et le go/no-go"},
                {"role": "Directeur industriel", "nom": "Philippe Rey", "implication": "sponsor du projet"},
                {"role": "Responsable maintenance", "nom": "Thierry Dupraz", "implication": "métier, propriétaire des données de maintenance"},
                {"role": "DSI", "nom": "Nadia Benali", "implication": "architecture, hébergement, sécurité"},
                {"role": "DPO", "nom": "Claire Vuillet", "implication": "conformité RGPD (déléguée mutualisée, cabinet externe)"},
                {"role": "Responsable RH", "nom": "Sandrine Collomb", "implication": "données des opérateurs, accompagnement du changement"},
                {"role": "Chef de projet IA", "nom": "Julien Moreau", "implication": "pilotage du projet"},
                {"role": "Secrétaire du CSE", "nom": "Karim Haddad", "implication": "consultation des représentants du personnel"},
            ],
        },
        "periode_donnees": {
            "debut": PERIOD_START.isoformat(),
            "fin": PERIOD_END.isoformat(),
            "jours_feries_chomes": [d.isoformat() for d in HOLIDAYS],
            "date_extraction": EXTRACTION_DATE.isoformat(),
            "fuseau": "Europe/Paris (heure locale)",
        },
    }


# ---------------------------------------------------------------------------------------------
# Petits outils de calendrier et de format.
# ---------------------------------------------------------------------------------------------

def working_days(start: date = PERIOD_START, end: date = PERIOD_END) -> list[date]:
    """Jours ouvrés (lundi-vendredi hors fériés chômés) de ``start`` à ``end`` inclus."""
    days, d = [], start
    while d <= end:
        if d.weekday() < 5 and d not in HOLIDAYS:
            days.append(d)
        d += timedelta(days=1)
    return days


def paris_offset(dt: datetime) -> str:
    """Décalage UTC de l'heure locale de Paris pour une date de 2024 (seul changement : 31 mars)."""
    return "+02:00" if dt >= DST_START else "+01:00"


def iso_local(dt: datetime) -> str:
    """Horodatage ISO 8601 local sans fuseau, à la seconde (format des automates)."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S")


def iso_offset(dt: datetime) -> str:
    """Horodatage ISO 8601 avec décalage (format de l'export du helpdesk)."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + paris_offset(dt)


def tenths(value: int) -> str:
    """Écrit un entier en dixièmes (2987 -> '298.7', -32 -> '-3.2') sans passer par un flottant."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 10}.{value % 10}"


def cents(value: float) -> float:
    """Arrondit un montant au centime (flottant dont repr() a au plus 2 décimales)."""
    return round(value, 2)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """Texte CSV (séparateur virgule, guillemets si besoin, fins de ligne \\n)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def json_text(obj) -> str:
    """JSON stable : clés triées, indentation 2, UTF-8 lisible, saut de ligne final."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_text(out: Path, rel: str, text: str) -> None:
    """Écrit ``text`` en UTF-8 sans BOM ni traduction des fins de ligne."""
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Simulation de l'atelier : cycles, pannes, maintenance. Source commune des capteurs, tickets,
# ordres de fabrication et compteurs d'énergie, pour qu'ils se recoupent.
# ---------------------------------------------------------------------------------------------

# Règles de panne d'AI4I 2020.
TOOL_LIFE_MIN, TOOL_LIFE_MAX = 200, 240      # TWF : fin de vie d'outil tirée dans [200, 240] min
HDF_DELTA_TENTHS, HDF_SPEED = 86, 1380       # HDF : process - air < 8,6 K et vitesse < 1 380 tr/min
PWF_LOW_W, PWF_HIGH_W = 3500.0, 9000.0       # PWF : puissance hors [3 500, 9 000] W
OSF_LIMIT = {"L": 11000, "M": 12000, "H": 13000}  # OSF : usure x couple > seuil (min.N.m)
RNF_PROBABILITY = 0.001                      # RNF : panne aléatoire 0,1 %
MODE_ORDER = ("TWF", "HDF", "PWF", "OSF", "RNF")  # mode retenu quand plusieurs règles se déclenchent
# Usure ajoutée par cycle : AI4I ajoute 5/3/2 min par opération pour H/M/L ; un cycle (un lot)
# en compte une ou deux.
WEAR_BASE = {"L": 2, "M": 3, "H": 5}
# Probabilité qu'un outil casse (TWF) au lieu d'être changé à temps en fin de vie
# (AI4I : 51 casses pour 120 fins de vie).
TOOL_BREAK_PROBABILITY = 0.42
# Durées de réparation (ouverture -> clôture du ticket, heures) et coût des pièces (EUR) par mode.
REPAIR_HOURS = {"TWF": (0.25, 1.0), "HDF": (0.75, 2.5), "PWF": (1.0, 3.5), "OSF": (0.5, 1.5), "RNF": (0.25, 2.0)}
PARTS_EUR = {"TWF": (40, 250), "HDF": (80, 700), "PWF": (150, 1800), "OSF": (100, 900), "RNF": (30, 400)}
CATEGORY = {"TWF": "outil", "HDF": "thermique", "PWF": "electrique", "OSF": "surcharge", "RNF": "indeterminee"}
PREVENTIVE_HOURS = {"A": (2.5, 3.5), "B": (3.0, 4.5), "C": (2.5, 4.0)}
TECHNICIANS = tuple(f"TECH-{i:02d}" for i in range(1, 6))
# Température de l'air par atelier (K) en janvier ; +3 K de janvier à fin juin (saison).
AIR_BASE_K = {"A": 297.8, "B": 298.4, "C": 297.2}
TORQUE_OFFSET = {"A": -1.0, "B": 2.0, "C": 0.0}


@dataclass
class Cycle:
    """Un cycle vrai (avant défauts) : valeurs en entiers (dixièmes de K, dixièmes de N.m)."""
    machine_id: str
    variant: str
    time: datetime
    air_tenths: int
    process_tenths: int
    process_k: float          # valeur non arrondie, pour la conversion en °C du défaut d'unité
    speed_rpm: int
    torque_tenths: int
    wear_min: int
    modes: tuple[str, ...]    # toutes les règles déclenchées (vide si pas de panne)
    ticket: "Intervention | None" = None

    @property
    def failure(self) -> bool:
        return bool(self.modes)

    @property
    def mode(self) -> str:
        return self.modes[0] if self.modes else ""


@dataclass
class Intervention:
    """Une intervention de maintenance ; ``start`` est la panne (curatif) ou le début planifié."""
    machine_id: str
    kind: str                 # "preventive" ou "curative"
    start: datetime           # début de l'arrêt machine
    opened: datetime          # ouverture du ticket
    closed: datetime          # clôture du ticket = fin de l'arrêt
    mode: str = ""
    modes: tuple[str, ...] = ()
    ticket_id: str = ""
    technician: str = ""
    parts_eur: float = 0.0
    description: str = ""


@dataclass
class Fleet:
    """Résultat de la simulation : cycles vrais (par machine puis dans le temps) et interventions
    (dans l'ordre d'ouverture des tickets)."""
    cycles: list[Cycle] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)


def _ceil_minute(dt: datetime) -> datetime:
    """Arrondit à la minute supérieure (l'outil de tickets horodate à la minute)."""
    if dt.second or dt.microsecond:
        dt = dt.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return dt


def _preventive_days(index: int, days: list[date]) -> set[date]:
    """Jours de préventif d'une machine : toutes les 4 semaines, semaine et jour décalés par machine
    pour étaler la charge de l'équipe maintenance ; un férié reporte au jour ouvré suivant."""
    week_offset, weekday = index % 4, (index // 4) % 5
    first_monday = PERIOD_START - timedelta(days=PERIOD_START.weekday())
    planned, k = set(), 0
    while True:
        d = first_monday + timedelta(weeks=week_offset + 4 * k, days=weekday)
        if d > PERIOD_END:
            return planned
        while d not in days and d <= PERIOD_END:
            d += timedelta(days=1)
        if d <= PERIOD_END:
            planned.add(d)
        k += 1


def simulate_fleet(company: dict) -> Fleet:
    """Simule les 24 machines jour ouvré par jour ouvré.

    Promesses : 3 à 6 cycles par machine et par jour, répartis sur 05:00-21:00 ; valeurs physiques
    dans l'esprit d'AI4I (air ~300 K +- 2, process = air + 10 K +- 1, couple ~40 +- 10 N.m, vitesse
    décroissante avec le couple autour de 1 540 tr/min) ; pannes déclenchées par les règles d'AI4I
    sur les valeurs arrondies écrites dans le fichier ; une panne arrête la machine jusqu'à la clôture
    du ticket curatif ; un préventif calendaire toutes les 4 semaines l'arrête quelques heures.
    """
    rng = rng_for(STREAM_FLEET)
    days = working_days()
    span_s = (datetime.combine(PERIOD_END, datetime.min.time()) - datetime.combine(PERIOD_START, datetime.min.time())).total_seconds()
    # Parc lu dans la fiche client, pour que les relevés suivent entreprise.json.
    variants = {m["machine_id"]: m["variante"] for w in company["ateliers"] for m in w["machines"]}
    fleet = Fleet()
    for index, (mid, variant) in enumerate(variants.items()):
        ws = mid[0]
        torque_offset = TORQUE_OFFSET[ws] + float(rng.normal(0.0, 1.0))
        preventive = _preventive_days(index, days)
        air_ar, proc_ar = 0.0, 0.0
        wear = int(rng.integers(0, 120))  # l'outil en place au 8 janvier a déjà servi
        tool_life = int(rng.integers(TOOL_LIFE_MIN, TOOL_LIFE_MAX + 1))
        tool_breaks = bool(rng.random() < TOOL_BREAK_PROBABILITY)
        available = datetime.combine(PERIOD_START, datetime.min.time())
        for day in days:
            day0 = datetime.combine(day, datetime.min.time())
            if day in preventive:
                start = max(day0 + timedelta(minutes=SHIFT_START_MIN), available)
                low, high = PREVENTIVE_HOURS[ws]
                hours = float(rng.uniform(low, high))
                end = _ceil_minute(start + timedelta(seconds=round(hours * 3600)))
                fleet.interventions.append(Intervention(mid, "preventive", start, start, end))
                available = end
            n = pick_weighted(rng, [3, 4, 5, 6], [0.2, 0.35, 0.3, 0.15])
            slot = (SHIFT_END_MIN - SHIFT_START_MIN) * 60 / n
            for k in range(n):
                # Un relevé par cycle, à un instant tiré dans la k-ième tranche de la journée.
                offset_s = int((k + float(rng.random())) * slot)
                t = day0 + timedelta(seconds=SHIFT_START_MIN * 60 + offset_s)
                draws = rng.normal(size=4)
                u_rnf, u_inc = float(rng.random()), int(rng.integers(0, 2))
                if t < available:
                    continue  # machine à l'arrêt (panne ou préventif) : pas de cycle
                # Température de l'air : saison (+3 K sur la période), journée (jusqu'à +1,2 K à 15 h),
                # marche aléatoire amortie propre à la machine.
                season = 3.0 * (t - datetime.combine(PERIOD_START, datetime.min.time())).total_seconds() / span_s
                minutes = t.hour * 60 + t.minute - SHIFT_START_MIN
                daily = 1.2 * max(0.0, 1.0 - abs(minutes - 600) / 600.0)
                air_ar = 0.85 * air_ar + 0.75 * float(draws[0])
                air = AIR_BASE_K[ws] + season + daily + air_ar
                proc_ar = 0.6 * proc_ar + 0.68 * float(draws[1])
                proc = air + 10.0 + proc_ar
                torque = 40.0 + torque_offset + 10.0 * float(draws[2])
                if torque < 3.0:
                    torque = 3.0 + abs(torque) / 10.0  # AI4I : pas de couple négatif
                dt_ = torque - 40.0
                speed = 1540.0 - 17.0 * dt_ + 0.15 * dt_ * dt_ + 60.0 * float(draws[3])
                speed_rpm = max(1000, int(round(speed)))  # plancher de sécurité (non atteint avec SEED)
                air_t, proc_t, torque_t = int(round(air * 10)), int(round(proc * 10)), int(round(torque * 10))
                # Usure : outil changé à temps (remis à neuf) ou cassé (TWF) en fin de vie.
                wear += WEAR_BASE[variant] * (1 + u_inc)
                modes = []
                if wear >= tool_life:
                    if tool_breaks:
                        modes.append("TWF")
                    else:
                        wear = WEAR_BASE[variant] * (1 + u_inc)
                        tool_life = int(rng.integers(TOOL_LIFE_MIN, TOOL_LIFE_MAX + 1))
                        tool_breaks = bool(rng.random() < TOOL_BREAK_PROBABILITY)
                if proc_t - air_t < HDF_DELTA_TENTHS and speed_rpm < HDF_SPEED:
                    modes.append("HDF")
                power = torque_t / 10 * speed_rpm * 2 * np.pi / 60
                if power < PWF_LOW_W or power > PWF_HIGH_W:
                    modes.append("PWF")
                if wear * torque_t > OSF_LIMIT[variant] * 10:
                    modes.append("OSF")
                if u_rnf < RNF_PROBABILITY:
                    modes.append("RNF")
                cycle = Cycle(mid, variant, t, air_t, proc_t, proc, speed_rpm, torque_t, wear, tuple(modes))
                fleet.cycles.append(cycle)
                if modes:
                    mode = modes[0]
                    delay_min = int(rng.integers(3, 26))  # l'opérateur appelle la maintenance
                    opened = _ceil_minute(t + timedelta(minutes=delay_min))
                    low, high = REPAIR_HOURS[mode]
                    closed = _ceil_minute(opened + timedelta(seconds=round(float(rng.uniform(low, high)) * 3600)))
                    ticket = Intervention(mid, "curative", t, opened, closed, mode, tuple(modes))
                    cycle.ticket = ticket
                    fleet.interventions.append(ticket)
                    available = closed
                    if "TWF" in modes or "OSF" in modes:
                        # Casse ou surcharge : l'outil est remplacé pendant la réparation.
                        wear = 0
                        tool_life = int(rng.integers(TOOL_LIFE_MIN, TOOL_LIFE_MAX + 1))
                        tool_breaks = bool(rng.random() < TOOL_BREAK_PROBABILITY)
    _number_tickets(fleet.interventions)
    return fleet


def _number_tickets(interventions: list[Intervention]) -> None:
    """Numérote les tickets MT-2024-NNNN dans l'ordre d'ouverture, comme le helpdesk."""
    interventions.sort(key=lambda iv: (iv.opened, iv.machine_id))
    for n, iv in enumerate(interventions, start=1):
        iv.ticket_id = f"MT-2024-{n:04d}"


# ---------------------------------------------------------------------------------------------
# 1. entreprise.json
# ---------------------------------------------------------------------------------------------

def generate_company(out: Path, company: dict) -> None:
    """Écrit ``entreprise.json`` : la fiche du client, telle que ``build_company`` la décrit."""
    write_text(out, "entreprise.json", json_text(company))


# ---------------------------------------------------------------------------------------------
# 2. capteurs/releves_capteurs.csv
# ---------------------------------------------------------------------------------------------

SENSOR_COLUMNS = [
    "horodatage", "machine_id", "variante", "temperature_air_k", "temperature_process_k",
    "vitesse_rotation_tr_min", "couple_nm", "usure_outil_min", "panne", "mode_panne", "code_intervention",
]
# Défauts injectés (documentés dans README.md ; les tests les vérifient).
MISSING_AIR_P = 0.02                 # valeurs manquantes de temperature_air_k, toutes machines
MISSING_TORQUE_P = 0.012             # valeurs manquantes de couple_nm, toutes machines
MISSING_SPEED_MACHINE = "C-03"       # codeur de broche défaillant...
MISSING_SPEED_FROM = date(2024, 2, 12)
MISSING_SPEED_TO = date(2024, 5, 31)  # ... remplacé le 1er juin
MISSING_SPEED_P = 0.45
CELSIUS_MACHINE = "A-04"             # automate reparamétré en °C pendant tout le mois de mars
CELSIUS_MONTH = (2024, 3)
DRIFT_MACHINE = "B-05"               # horloge d'automate non synchronisée
DRIFT_MAX_S = 540                    # avance de 9 min à la fin de la période, linéaire
DUPLICATE_P = 0.01                   # retransmissions de la passerelle : copies exactes
LEAK_SYNC_CUTOFF = datetime(2024, 6, 21)  # pannes après cette date : code pas encore synchronisé
N_TORQUE_SATURATED, TORQUE_SATURATED = 4, "6553.5"  # 0xFFFF / 10 : valeur de saturation du capteur
N_TORQUE_NEGATIVE = 3
N_WEAR_NEGATIVE = 5


def drift_seconds(t: datetime) -> int:
    """Avance de l'horloge de B-05 à l'instant vrai ``t`` : 0 s le 8 janvier 00:00, 540 s le 28 juin
    21:00, linéaire entre les deux."""
    t0 = datetime.combine(PERIOD_START, datetime.min.time())
    t1 = datetime.combine(PERIOD_END, datetime.min.time()) + timedelta(minutes=SHIFT_END_MIN)
    return int(round(DRIFT_MAX_S * (t - t0).total_seconds() / (t1 - t0).total_seconds()))


def _celsius_text(process_k: float) -> str:
    """Température process en °C à 0,1 près (arrondi décimal exact, indépendant du flottant)."""
    value = Decimal(repr(process_k)) - Decimal("273.15")
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def sensor_rows(fleet: Fleet) -> tuple[list[list[str]], dict]:
    """Construit les lignes du fichier capteurs, défauts compris, et le relevé exact des défauts.

    Promesses : une ligne par cycle simulé, plus ~1 % de doublons exacts ; les valeurs vraies
    respectent les règles d'AI4I, sauf sur les lignes touchées par un défaut listé dans le relevé
    renvoyé (manquants, °C, hors plage, dérive d'horloge, doublons, fuite de cible).
    """
    rng = rng_for(STREAM_SENSOR_DEFECTS)
    cycles = fleet.cycles
    n = len(cycles)
    # Tirages faits pour toutes les lignes, dans un ordre fixe, pour ne pas dépendre des branches.
    u_air, u_torque, u_speed, u_dup = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    rows, report = [], {
        "manquants_air": 0, "manquants_couple": 0, "manquants_vitesse_C03": 0,
        "celsius_A04": 0, "hors_plage": [], "doublons": 0, "doublons_panne": 0,
        "pannes_sans_code": 0,
    }
    eligible = []  # lignes propres où injecter les valeurs hors plage
    for i, c in enumerate(cycles):
        ts = c.time
        if c.machine_id == DRIFT_MACHINE:
            ts = ts + timedelta(seconds=drift_seconds(c.time))
        process = tenths(c.process_tenths)
        celsius = c.machine_id == CELSIUS_MACHINE and (c.time.year, c.time.month) == CELSIUS_MONTH
        if celsius:
            process = _celsius_text(c.process_k)
            report["celsius_A04"] += 1
        air = tenths(c.air_tenths)
        if u_air[i] < MISSING_AIR_P:
            air = ""
            report["manquants_air"] += 1
        torque = tenths(c.torque_tenths)
        if u_torque[i] < MISSING_TORQUE_P:
            torque = ""
            report["manquants_couple"] += 1
        speed = str(c.speed_rpm)
        if (c.machine_id == MISSING_SPEED_MACHINE and MISSING_SPEED_FROM <= c.time.date() <= MISSING_SPEED_TO
                and u_speed[i] < MISSING_SPEED_P):
            speed = ""
            report["manquants_vitesse_C03"] += 1
        code = ""
        if c.failure:
            # Fuite de cible : le code est recopié après coup depuis le ticket curatif.
            if c.time < LEAK_SYNC_CUTOFF:
                code = c.ticket.ticket_id
            else:
                report["pannes_sans_code"] += 1
        row = [iso_local(ts), c.machine_id, c.variant, air, process, speed, torque, str(c.wear_min),
               "1" if c.failure else "0", c.mode, code]
        rows.append(row)
        if not c.failure and not celsius and "" not in (air, torque, speed):
            eligible.append(i)
    # Valeurs hors plage sur des lignes sans panne ni autre défaut : saturation du capteur de couple
    # (0xFFFF / 10), couple de signe inversé (câblage), usure négative (compteur mal remis à zéro).
    kinds = ["saturation"] * N_TORQUE_SATURATED + ["couple_negatif"] * N_TORQUE_NEGATIVE + ["usure_negative"] * N_WEAR_NEGATIVE
    kinds = [kinds[int(k)] for k in rng.permutation(len(kinds))]
    picks = sample_indices(rng, len(eligible), len(kinds))
    for kind, p in zip(kinds, picks):
        i = eligible[p]
        if kind == "saturation":
            column, rows[i][6] = "couple_nm", TORQUE_SATURATED
        elif kind == "couple_negatif":
            column, rows[i][6] = "couple_nm", tenths(-cycles[i].torque_tenths)
        else:
            column, rows[i][7] = "usure_outil_min", str(-int(rng.integers(1, 30)))
        value = rows[i][6] if column == "couple_nm" else rows[i][7]
        report["hors_plage"].append({"machine_id": rows[i][1], "horodatage": rows[i][0], "colonne": column, "valeur": value})
    # Doublons exacts, insérés juste après l'original (retransmission).
    final = []
    for i, row in enumerate(rows):
        final.append(row)
        if u_dup[i] < DUPLICATE_P:
            final.append(list(row))
            report["doublons"] += 1
            report["doublons_panne"] += row[8] == "1"
    # Export trié par horodatage enregistré puis machine (tri stable : doublons adjacents).
    final.sort(key=lambda r: (r[0], r[1]))
    report["hors_plage"].sort(key=lambda h: (h["machine_id"], h["horodatage"]))
    report["fichier"] = _observed_counts(final)
    report["fichier_dedoublonne"] = _observed_counts([list(r) for r in dict.fromkeys(tuple(r) for r in final)])
    report["lignes"] = len(final)
    report["cycles"] = n
    report["pannes"] = sum(1 for c in cycles if c.failure)
    report["modes"] = {m: sum(1 for c in cycles if c.mode == m) for m in MODE_ORDER}
    report["modes_multiples"] = sum(1 for c in cycles if len(c.modes) > 1)
    return final, report


def _observed_counts(rows: list[list[str]]) -> dict:
    """Ce qu'un audit voit dans le fichier : lignes, pannes, manquants par colonne, valeurs en °C,
    valeurs hors plage."""
    col = {name: k for k, name in enumerate(SENSOR_COLUMNS)}
    return {
        "lignes": len(rows),
        "pannes": sum(r[col["panne"]] == "1" for r in rows),
        "manquants": {name: sum(r[col[name]] == "" for r in rows)
                      for name in ("temperature_air_k", "temperature_process_k", "vitesse_rotation_tr_min", "couple_nm")},
        "manquants_vitesse_C03": sum(r[col["vitesse_rotation_tr_min"]] == "" and r[1] == MISSING_SPEED_MACHINE for r in rows),
        "process_en_celsius": sum(r[col["temperature_process_k"]] != "" and float(r[col["temperature_process_k"]]) < 200 for r in rows),
        "couple_sature": sum(r[col["couple_nm"]] == TORQUE_SATURATED for r in rows),
        "couple_negatif": sum(r[col["couple_nm"]].startswith("-") for r in rows),
        "usure_negative": sum(r[col["usure_outil_min"]].startswith("-") for r in rows),
        "code_intervention_renseigne": sum(r[col["code_intervention"]] != "" for r in rows),
    }


def generate_sensors(out: Path, fleet: Fleet) -> dict:
    """Écrit ``capteurs/releves_capteurs.csv`` et renvoie le relevé des défauts injectés."""
    rows, report = sensor_rows(fleet)
    write_text(out, "capteurs/releves_capteurs.csv", csv_text(SENSOR_COLUMNS, rows))
    return report


# ---------------------------------------------------------------------------------------------
# 3. maintenance/tickets.json
# ---------------------------------------------------------------------------------------------

_DESCRIPTIONS = {
    "TWF": (
        "Casse outil en cours d'usinage, plaquette remplacée, premières pièces contrôlées.",
        "Outil de tronçonnage cassé, remplacement et reprise du réglage.",
        "Bris d'outil signalé par l'opérateur, changement d'outil et contrôle dimensionnel.",
        "Outil usé au-delà de sa durée de vie, arête cassée ; outil changé, pièce rebutée.",
    ),
    "HDF": (
        "Alarme température broche, nettoyage de l'échangeur et contrôle du groupe froid.",
        "Surchauffe : filtre du circuit de refroidissement colmaté, remplacé.",
        "Ventilateur de l'armoire électrique hors service, remplacé ; température revenue à la normale.",
        "Défaut de lubrification-refroidissement, pompe d'arrosage remplacée.",
    ),
    "PWF": (
        "Défaut variateur de broche, réarmement impossible, carte de puissance remplacée.",
        "Disjonction de l'alimentation broche, contrôle du câblage et remplacement du contacteur.",
        "Alarme puissance broche hors plage, paramètres du variateur corrigés.",
        "Moteur de broche en défaut d'isolement, intervention électrique.",
    ),
    "OSF": (
        "Arrêt sur surcouple broche, outil usé remplacé, contrôle des paliers.",
        "Surcharge axe : bourrage de copeaux, nettoyage et changement d'outil.",
        "Effort de coupe excessif, porte-outil déformé remplacé.",
    ),
    "RNF": (
        "Arrêt machine sans cause identifiée, redémarrage après contrôle général.",
        "Panne intermittente non reproduite, surveillance demandée à l'équipe.",
        "Arrêt d'urgence déclenché sans cause apparente, contrôle des sécurités.",
    ),
    "preventive": (
        "Maintenance préventive calendaire (4 semaines) : graissage, contrôle des jeux, niveau d'huile.",
        "Préventif 4 semaines : remplacement des filtres, contrôle du liquide de coupe, nettoyage des bacs.",
        "Préventif 4 semaines : contrôle géométrique, serrages, vérification des sécurités.",
    ),
}


def ticket_records(fleet: Fleet) -> list[dict]:
    """Complète les interventions (technicien, pièces, description) et les met au format du helpdesk.

    Promesses : un ticket curatif par panne simulée (ouvert 3 à 25 min après la panne, horloge vraie),
    un ticket préventif par passage du plan calendaire ; ``duree_arret_h`` = clôture - début de l'arrêt
    (panne ou début du préventif), en heures à 0,01 près ; tickets triés par numéro.
    """
    rng = rng_for(STREAM_TICKETS)
    records = []
    for iv in fleet.interventions:
        key = iv.mode if iv.kind == "curative" else "preventive"
        choices = _DESCRIPTIONS[key]
        iv.description = choices[int(rng.integers(0, len(choices)))]
        iv.technician = TECHNICIANS[int(rng.integers(0, len(TECHNICIANS)))]
        if iv.kind == "curative":
            low, high = PARTS_EUR[iv.mode]
            parts = 0.0 if iv.mode == "RNF" and rng.random() < 0.4 else float(rng.uniform(low, high))
        else:
            parts = float(rng.uniform(40, 380))
        iv.parts_eur = cents(parts)
        records.append(
            {
                "id_ticket": iv.ticket_id,
                "machine_id": iv.machine_id,
                "type": iv.kind,
                "categorie": CATEGORY[iv.mode] if iv.kind == "curative" else "plan_preventif",
                "ouverture": iso_offset(iv.opened),
                "cloture": iso_offset(iv.closed),
                "description": iv.description,
                "technicien": iv.technician,
                "duree_arret_h": round((iv.closed - iv.start).total_seconds() / 3600, 2),
                "cout_pieces_eur": iv.parts_eur,
            }
        )
    return records


def generate_tickets(out: Path, fleet: Fleet) -> list[dict]:
    """Écrit ``maintenance/tickets.json`` (liste d'objets) et renvoie les tickets."""
    records = ticket_records(fleet)
    write_text(out, "maintenance/tickets.json", json_text(records))
    return records


# ---------------------------------------------------------------------------------------------
# 4. erp/ordres_fabrication.sql
# ---------------------------------------------------------------------------------------------

# Clients fictifs : (nom, secteur, ville, pays).
CLIENTS = (
    ("Stratalp Aéro", "aeronautique", "Toulouse", "France"),
    ("Hélicia Systèmes", "aeronautique", "Marignane", "France"),
    ("Nacelles Atlantiques", "aeronautique", "Saint-Nazaire", "France"),
    ("Aérofix Rhône", "aeronautique", "Lyon", "France"),
    ("Injecto Sud Automotive", "automobile", "Vénissieux", "France"),
    ("Freinage Alpin Industries", "automobile", "Grenoble", "France"),
    ("Transmissions du Doubs", "automobile", "Montbéliard", "France"),
    ("Präzisionsteile Bodensee GmbH", "automobile", "Friedrichshafen", "Allemagne"),
)
# Pièces par atelier : (désignation, secteur, quantité min, quantité max, pas, durée min, durée max en jours ouvrés).
PIECES = {
    "A": (
        ("Axe de charnière Ø6 inox 316L", "aeronautique", 2000, 20000, 500, 3, 8),
        ("Vis épaulée titane TA6V M5", "aeronautique", 1000, 10000, 500, 3, 7),
        ("Goupille de verrouillage Ø4 inox 17-4PH", "aeronautique", 5000, 30000, 1000, 3, 6),
        ("Corps d'injecteur acier 100Cr6", "automobile", 10000, 50000, 1000, 4, 8),
        ("Raccord hydraulique laiton CuZn39Pb3", "automobile", 10000, 40000, 1000, 3, 6),
        ("Insert fileté M8 inox 303", "automobile", 10000, 50000, 1000, 3, 6),
    ),
    "B": (
        ("Support d'actionneur aluminium 7075", "aeronautique", 20, 300, 10, 2, 6),
        ("Bride de fixation titane TA6V", "aeronautique", 20, 200, 10, 3, 6),
        ("Ferrure de nacelle inox 15-5PH", "aeronautique", 10, 150, 10, 3, 6),
        ("Carter de pompe aluminium 6082", "automobile", 100, 500, 20, 2, 5),
        ("Boîtier de capteur aluminium 2017A", "automobile", 100, 500, 20, 2, 4),
    ),
    "C": (
        ("Axe de train d'atterrissage rectifié 35NCD16", "aeronautique", 50, 500, 10, 3, 5),
        ("Piston de vérin rectifié Ø20 42CrMo4", "aeronautique", 100, 1000, 50, 2, 5),
        ("Arbre de transmission rectifié Ø12 100Cr6", "automobile", 500, 5000, 100, 2, 4),
        ("Bague de roulement rectifiée 100Cr6", "automobile", 1000, 5000, 100, 2, 4),
        ("Tige de soupape rectifiée X45CrSi9", "automobile", 1000, 5000, 100, 2, 4),
    ),
}


REQUALIFICATION_H = 3.0


def _sql_text(value) -> str:
    """Littéral SQL : NULL, entier, ou chaîne entre apostrophes (apostrophes doublées)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def production_orders(fleet: Fleet) -> list[dict]:
    """Ordres de fabrication de chaque machine, enchaînés sans trou sur la période.

    Promesses : un OF démarre le jour ouvré qui suit la fin réelle du précédent ; la fin réelle
    recule d'un jour ouvré par 8 h d'arrêt curatif pendant l'OF (arrondi) plus des aléas
    (matière, réglage) ; ``retard_jours`` = max(0, jours calendaires entre fin prévue et fin réelle) ;
    un OF non terminé au 28 juin a ``date_fin_reelle`` et ``retard_jours`` à NULL.
    """
    rng = rng_for(STREAM_ERP)
    days = working_days(PERIOD_START, date(2024, 12, 31))
    day_index = {d: i for i, d in enumerate(days)}
    clients_by_sector = {}
    for name, sector, _, _ in CLIENTS:
        clients_by_sector.setdefault(sector, []).append(name)
    downtime = {}
    for iv in fleet.interventions:
        if iv.kind == "curative":
            downtime.setdefault(iv.machine_id, []).append((iv.start, iv.closed))
    orders = []
    for mid in machine_ids():
        ws = mid[0]
        i = 0  # indice du jour ouvré de début
        while days[i] <= PERIOD_END:
            piece, sector, qmin, qmax, step, dmin, dmax = PIECES[ws][int(rng.integers(0, len(PIECES[ws])))]
            client = clients_by_sector[sector][int(rng.integers(0, len(clients_by_sector[sector])))]
            quantity = int(rng.integers(qmin // step, qmax // step + 1)) * step
            planned_days = int(rng.integers(dmin, dmax + 1))
            start, planned_end = days[i], days[i + planned_days - 1]
            window = (datetime.combine(start, datetime.min.time()), datetime.combine(planned_end, datetime.min.time()) + timedelta(days=1))
            stops = [(a, b) for a, b in downtime.get(mid, []) if window[0] <= a < window[1]]
            lost_h = sum((b - a).total_seconds() / 3600 for a, b in stops)
            u = float(rng.random())
            # Chaque arrêt coûte sa durée plus ~3 h de redémarrage et de contrôle des premières
            # pièces ; la marge du planning absorbe moins de 4 h par OF.
            shift = int((lost_h + REQUALIFICATION_H * len(stops)) / 8 + 0.5)
            if u < 0.12:
                shift += int(rng.integers(1, 4))   # retard matière ou réglage
            elif u < 0.20:
                shift -= 1                         # OF terminé en avance
            real_end = days[day_index[planned_end] + shift]
            done = real_end <= PERIOD_END
            orders.append(
                {
                    "client": client,
                    "piece": piece,
                    "machine_id": mid,
                    "quantite": quantity,
                    "date_debut": start.isoformat(),
                    "date_fin_prevue": planned_end.isoformat(),
                    "date_fin_reelle": real_end.isoformat() if done else None,
                    "retard_jours": max(0, (real_end - planned_end).days) if done else None,
                }
            )
            i = day_index[real_end] + 1
    orders.sort(key=lambda o: (o["date_debut"], o["machine_id"]))
    for n, order in enumerate(orders, start=1):
        order["of_id"] = f"OF24-{n:05d}"
    return orders


def generate_erp(out: Path, fleet: Fleet) -> list[dict]:
    """Écrit ``erp/ordres_fabrication.sql`` : tables ``clients`` et ``ordres_fabrication``
    (CREATE TABLE + INSERT), exécutable tel quel par sqlite3 ; renvoie les OF."""
    orders = production_orders(fleet)
    lines = [
        "-- Extrait ERP de Décolletage Arve Précision (données fictives générées par datasets/generate.py).",
        f"-- Date d'extraction : {EXTRACTION_DATE.isoformat()}. Dialecte : SQLite. Dates au format AAAA-MM-JJ.",
        "BEGIN TRANSACTION;",
        "CREATE TABLE clients (",
        "    client TEXT PRIMARY KEY,",
        "    secteur TEXT NOT NULL CHECK (secteur IN ('aeronautique', 'automobile')),",
        "    ville TEXT NOT NULL,",
        "    pays TEXT NOT NULL",
        ");",
        "CREATE TABLE ordres_fabrication (",
        "    of_id TEXT PRIMARY KEY,",
        "    client TEXT NOT NULL REFERENCES clients (client),",
        "    piece TEXT NOT NULL,",
        "    machine_id TEXT NOT NULL,",
        "    quantite INTEGER NOT NULL CHECK (quantite > 0),",
        "    date_debut TEXT NOT NULL,",
        "    date_fin_prevue TEXT NOT NULL,",
        "    date_fin_reelle TEXT,",
        "    retard_jours INTEGER",
        ");",
    ]
    for name, sector, city, country in CLIENTS:
        lines.append(f"INSERT INTO clients VALUES ({', '.join(_sql_text(v) for v in (name, sector, city, country))});")
    columns = ["of_id", "client", "piece", "machine_id", "quantite", "date_debut", "date_fin_prevue", "date_fin_reelle", "retard_jours"]
    for order in orders:
        values = ", ".join(_sql_text(order[c]) for c in columns)
        lines.append(f"INSERT INTO ordres_fabrication ({', '.join(columns)}) VALUES ({values});")
    lines.append("COMMIT;")
    write_text(out, "erp/ordres_fabrication.sql", "\n".join(lines) + "\n")
    return orders


# ---------------------------------------------------------------------------------------------
# 5. energie/compteurs.csv
# ---------------------------------------------------------------------------------------------

ENERGY_COLUMNS = ["horodatage", "atelier", "compteur_id", "consommation_kwh", "index_kwh"]
ENERGY_START_INDEX_KWH = {"A": 2841530, "B": 3377260, "C": 1650840}


def _overlap_s(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    """Recouvrement en secondes de deux intervalles [a0, a1) et [b0, b1)."""
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def energy_rows(company: dict, fleet: Fleet) -> list[list[str]]:
    """Relevés horaires par atelier, heure locale de début de l'heure.

    Promesses : consommation = socle de l'atelier (éclairage, air comprimé, aspiration ; plus faible
    hors production, chauffage d'appoint en hiver) + machines en production (puissance moyenne de
    l'atelier) + machines arrêtées en poste (veille) ; les arrêts viennent des tickets ; l'index
    cumulé augmente exactement de la consommation (en dixièmes de kWh) ; l'heure 02:00 du 31 mars
    2024 n'existe pas (passage à l'heure d'été), la journée compte 23 relevés.
    """
    rng = rng_for(STREAM_ENERGY)
    workdays = set(working_days())
    down = {}
    for iv in fleet.interventions:
        down.setdefault(iv.machine_id, []).append((iv.start, iv.closed))
    # Puissances et parc lus dans la fiche client (entreprise.json).
    workshops = {w["code"]: w for w in company["ateliers"]}
    by_ws = {ws: [m["machine_id"] for m in w["machines"]] for ws, w in workshops.items()}
    index = dict((ws, v * 10) for ws, v in ENERGY_START_INDEX_KWH.items())
    t0 = datetime.combine(PERIOD_START, datetime.min.time())
    span_s = (datetime.combine(ENERGY_END, datetime.min.time()) - t0).total_seconds()
    rows = []
    t = t0
    end = datetime.combine(ENERGY_END, datetime.min.time()) + timedelta(hours=23)
    while t <= end:
        if t == DST_START:
            t += timedelta(hours=1)
            continue
        t1 = t + timedelta(hours=1)
        shift0 = datetime.combine(t.date(), datetime.min.time()) + timedelta(minutes=SHIFT_START_MIN)
        shift1 = datetime.combine(t.date(), datetime.min.time()) + timedelta(minutes=SHIFT_END_MIN)
        on_shift_s = _overlap_s(t, t1, shift0, shift1) if t.date() in workdays else 0.0
        # Chauffage d'appoint électrique, nul à partir de mi-avril.
        heating = max(0.0, 1.0 - 1.7 * (t - t0).total_seconds() / span_s)
        for ws, info in workshops.items():
            noise = rng.normal(0.0, 0.03, size=1 + len(by_ws[ws]))
            # Socle : plein pendant les postes, 35 % hors production.
            base_kw = info["charge_socle_kw"] * (on_shift_s / 3600) + 0.35 * info["charge_socle_kw"] * (1 - on_shift_s / 3600)
            kwh = (base_kw + 6.0 * heating) * (1.0 + float(noise[0]))
            for k, mid in enumerate(by_ws[ws]):
                if on_shift_s == 0:
                    continue
                stopped = sum(_overlap_s(t, t1, max(a, shift0), min(b, shift1)) for a, b in down.get(mid, []) if a < t1 and b > t)
                running = max(0.0, on_shift_s - stopped)
                kwh += (running * info["puissance_electrique_moyenne_par_machine_kw"] * (1.0 + float(noise[k + 1]))
                        + stopped * info["puissance_veille_par_machine_kw"]) / 3600
            kwh_tenths = int(round(kwh * 10))
            index[ws] += kwh_tenths
            rows.append([t.strftime("%Y-%m-%dT%H:%M:%S"), ws, f"CPT-{ws}", tenths(kwh_tenths), tenths(index[ws])])
        t = t1
    return rows


def generate_energy(out: Path, company: dict, fleet: Fleet) -> None:
    """Écrit ``energie/compteurs.csv`` (un relevé par heure et par atelier)."""
    write_text(out, "energie/compteurs.csv", csv_text(ENERGY_COLUMNS, energy_rows(company, fleet)))


# ---------------------------------------------------------------------------------------------
# 6. rh/operateurs.csv
# ---------------------------------------------------------------------------------------------

HR_COLUMNS = [
    "matricule", "nom", "prenom", "sexe", "date_naissance", "numero_securite_sociale", "adresse",
    "code_postal", "ville", "telephone", "poste", "atelier", "equipe", "date_entree", "anciennete_annees",
    "salaire_brut_mensuel_eur", "handicap_rqth",
]
# Listes fixes (pas de Faker) : prénoms et noms courants en France et dans la vallée de l'Arve.
FIRST_NAMES_M = (
    "Thomas", "Nicolas", "Julien", "Maxime", "Kevin", "Alexandre", "Anthony", "Romain", "Jérôme", "Sébastien",
    "Mickaël", "David", "Christophe", "Stéphane", "Frédéric", "Laurent", "Pascal", "Hugo", "Lucas", "Théo",
    "Mehdi", "Karim", "Yassine", "Mustafa", "Joao", "Rui", "Paulo", "Giovanni", "Cédric", "Florian",
    "Benoît", "Grégory", "Loïc", "Damien", "Arnaud", "Jordan", "Dylan", "Enzo", "Mathieu", "Bruno",
)
FIRST_NAMES_F = (
    "Sophie", "Nathalie", "Céline", "Aurélie", "Émilie", "Sandrine", "Laetitia", "Julie", "Camille", "Manon",
    "Sarah", "Inès", "Fatima", "Ana", "Marie", "Élodie", "Virginie", "Chloé", "Léa", "Samira",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Chatel",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Dupont",
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier", "Blanc", "Guerin",
    "Chevalier", "Perrin", "Morel", "Mathieu", "Clément", "Gauthier", "Perrier", "Jacquemoud", "Anthoine", "Favre",
    "Jacquet", "Mugnier", "Pasquier", "Bouvier", "Duret", "Socquet", "Tissot", "Chappaz", "Dunand", "Marullaz",
    "Pellet", "Gay", "Ferreira", "Da Silva", "Pereira", "Santos", "Rodrigues", "Mansouri", "Belkacem", "Bouzid",
    "Yilmaz", "Demir", "Rossi", "Ferrari", "Colombo", "Nguyen", "Diallo", "Traoré", "Lopez", "Sanchez",
)
# Communes du bassin d'emploi : (ville, code postal).
COMMUNES = (
    ("Cluses", "74300"), ("Cluses", "74300"), ("Scionzier", "74950"), ("Marnaz", "74460"),
    ("Thyez", "74300"), ("Magland", "74300"), ("Marignier", "74970"), ("Bonneville", "74130"),
    ("Sallanches", "74700"), ("Saint-Pierre-en-Faucigny", "74800"), ("La Roche-sur-Foron", "74800"),
    ("Passy", "74190"), ("Vougy", "74130"), ("Nancy-sur-Cluses", "74300"),
)
STREETS = (
    "rue du Pressy", "avenue de la Gare", "chemin des Prés", "rue des Écoles", "rue du Mont-Blanc",
    "impasse des Érables", "route de Châtillon", "rue de l'Arve", "allée des Tilleuls", "rue des Vergers",
    "chemin de la Chapelle", "rue du Stade", "avenue des Alpes", "rue des Bruyères", "route du Reposoir",
)
# Lieux de naissance pour le NIR : (département à 2 caractères, liste de codes commune) ;
# « 99 » = né à l'étranger, suivi du code pays INSEE.
BIRTH_PLACES = (
    ("74", (81, 10, 42, 256, 281, 224)), ("74", (81, 10, 42, 256, 281, 224)), ("74", (81, 10, 42)),
    ("73", (65, 11, 54)), ("38", (185, 151)), ("69", (123, 266)), ("01", (53, 143)), ("25", (56, 388)),
    ("13", (55, 1)), ("59", (350, 183)), ("99", (139,)), ("99", (350,)), ("99", (208,)), ("99", (127,)),
)
# Postes par atelier : (intitulé, salaire brut mensuel de base en EUR, poids).
POSTS = {
    "A": (("Opérateur sur tour CN", 2150, 6), ("Opérateur régleur décolletage", 2550, 3), ("Chef d'équipe décolletage", 3050, 1)),
    "B": (("Opérateur fraisage 5 axes", 2300, 6), ("Opérateur régleur fraisage", 2650, 3), ("Chef d'équipe fraisage", 3150, 1)),
    "C": (("Opérateur rectification", 2250, 6), ("Opérateur régleur rectification", 2600, 3), ("Chef d'équipe rectification", 3100, 1)),
}
HR_PER_WORKSHOP = {"A": 18, "B": 14, "C": 10}
N_RQTH = 3


def nir(sex: str, birth: date, dept: str, commune: int, order: int) -> str:
    """NIR fictif bien formé : sexe, AA, MM, département, commune, ordre, puis clé = 97 - (n mod 97)."""
    body = f"{1 if sex == 'M' else 2}{birth.year % 100:02d}{birth.month:02d}{dept}{commune:03d}{order:03d}"
    return body + f"{97 - int(body) % 97:02d}"


def operator_rows(company: dict) -> list[list[str]]:
    """Extrait RH des opérateurs de production : autant de lignes que ``nombre_operateurs``.

    Promesses : personnes fictives (listes fixes de noms) ; NIR cohérent avec le sexe et la date
    de naissance, clé de contrôle valide ; adresses dans le bassin de Cluses (74) ; téléphones
    dans la tranche 06 39 98 réservée par l'ARCEP aux œuvres de fiction ; entrée à 18 ans ou plus ;
    ancienneté en années révolues à la date d'extraction ; exactement ``N_RQTH`` « oui » en RQTH.
    """
    rng = rng_for(STREAM_HR)
    assert sum(HR_PER_WORKSHOP.values()) == company["nombre_operateurs"]
    people, used_names, used_phones = [], set(), set()
    for ws, count in HR_PER_WORKSHOP.items():
        posts = POSTS[ws]
        for k in range(count):
            sex = "F" if rng.random() < 0.18 else "M"
            while True:
                first_pool = FIRST_NAMES_F if sex == "F" else FIRST_NAMES_M
                first = first_pool[int(rng.integers(0, len(first_pool)))]
                last = LAST_NAMES[int(rng.integers(0, len(LAST_NAMES)))]
                if (first, last) not in used_names:
                    used_names.add((first, last))
                    break
            birth = date(1962, 1, 1) + timedelta(days=int(rng.integers(0, (date(2004, 12, 31) - date(1962, 1, 1)).days)))
            earliest = max(date(birth.year + 18, birth.month, min(birth.day, 28)), date(1990, 9, 1))
            entry = earliest + timedelta(days=int(rng.integers(0, max(1, (date(2024, 3, 31) - earliest).days))))
            seniority = EXTRACTION_DATE.year - entry.year - ((EXTRACTION_DATE.month, EXTRACTION_DATE.day) < (entry.month, entry.day))
            # Un chef d'équipe par atelier ; les autres postes tirés selon leurs poids.
            post = posts[2] if k == 0 else pick_weighted(rng, posts[:2], [p[2] for p in posts[:2]])
            salary = post[1] + 18 * seniority + float(rng.uniform(-60, 60))
            dept, communes = BIRTH_PLACES[int(rng.integers(0, len(BIRTH_PLACES)))]
            commune = communes[int(rng.integers(0, len(communes)))]
            city, postcode = COMMUNES[int(rng.integers(0, len(COMMUNES)))]
            address = f"{int(rng.integers(1, 180))} {STREETS[int(rng.integers(0, len(STREETS)))]}"
            while True:
                phone = f"06 39 98 {int(rng.integers(0, 100)):02d} {int(rng.integers(0, 100)):02d}"
                if phone not in used_phones:
                    used_phones.add(phone)
                    break
            people.append(
                {
                    "nom": last, "prenom": first, "sexe": sex, "date_naissance": birth.isoformat(),
                    "numero_securite_sociale": nir(sex, birth, dept, commune, int(rng.integers(1, 999))),
                    "adresse": address, "code_postal": postcode, "ville": city, "telephone": phone,
                    "poste": post[0], "atelier": ws, "equipe": "E1" if k % 2 == 0 else "E2",
                    "date_entree": entry.isoformat(), "anciennete_annees": str(seniority),
                    "salaire_brut_mensuel_eur": f"{salary:.2f}", "handicap_rqth": "non",
                }
            )
    for p in sample_indices(rng, len(people), N_RQTH):
        people[p]["handicap_rqth"] = "oui"
    # Matricules attribués dans l'ordre d'entrée dans l'entreprise, comme dans le SIRH.
    people.sort(key=lambda p: (p["date_entree"], p["nom"], p["prenom"]))
    for n, p in enumerate(people, start=1):
        p["matricule"] = f"DAP{n * 7 + 100:04d}"
    return [[p[c] for c in HR_COLUMNS] for p in people]


def generate_hr(out: Path, company: dict) -> None:
    """Écrit ``rh/operateurs.csv``."""
    write_text(out, "rh/operateurs.csv", csv_text(HR_COLUMNS, operator_rows(company)))


# ---------------------------------------------------------------------------------------------
# Manifeste
# ---------------------------------------------------------------------------------------------

def data_files(directory: Path) -> list[str]:
    """Chemins relatifs POSIX triés de tous les fichiers de données sous ``directory`` : tout fichier,
    quelle que soit son extension, sauf README.md, generate.py et MANIFEST.json à la racine, les
    fichiers et dossiers cachés (nom commençant par « . ») et les caches Python."""
    found = []
    for path in directory.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(directory)
        parts = rel.parts
        if len(parts) == 1 and (parts[0] in NOT_DATA or path.suffix == ".py"):
            continue
        if any(p.startswith(".") or p == "__pycache__" for p in parts) or path.suffix == ".pyc":
            continue
        found.append(rel.as_posix())
    return sorted(found)


def sha256_of(path: Path) -> str:
    """Empreinte SHA-256 hexadécimale du contenu du fichier."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_manifest(directory: Path) -> dict:
    """Manifeste de ``directory`` : empreinte, taille et description de chaque fichier de données.
    La description d'un fichier non généré est reprise de l'ancien manifeste s'il en a une."""
    previous = {}
    old = directory / MANIFEST_NAME
    if old.exists():
        previous = json.loads(old.read_text(encoding="utf-8")).get("files", {})
    files = {}
    for rel in data_files(directory):
        path = directory / rel
        description = generated_files().get(rel) or previous.get(rel, {}).get("description") or DEFAULT_HANDWRITTEN_DESCRIPTION
        files[rel] = {"sha256": sha256_of(path), "bytes": path.stat().st_size, "description": description}
    return {"files": files}


def plugins() -> list:
    """Les greffons `gen_*.py` de ce dossier, chargés comme modules, triés par nom."""
    import importlib.util

    # Plug-ins share this module's writers with `from generate import csv_text, write_text`,
    # whatever name it was loaded under (script, test).
    sys.modules.setdefault("generate", sys.modules[__name__])
    modules = []
    for path in sorted(DATASETS_DIR.glob(PLUGIN_GLOB)):
        spec = importlib.util.spec_from_file_location(f"labkit_datasets_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def generated_files() -> dict[str, str]:
    """Tous les fichiers générés (ce module et ses greffons), avec leur description."""
    files = dict(GENERATED_FILES)
    for module in plugins():
        files.update(module.FILES)
    return files


def write_manifest(directory: Path) -> dict:
    """Écrit ``MANIFEST.json`` dans ``directory`` et le renvoie."""
    manifest = build_manifest(directory)
    (directory / MANIFEST_NAME).write_bytes(json_text(manifest).encode("utf-8"))
    return manifest


def check_manifest(directory: Path) -> list[str]:
    """Compare ``directory`` à son MANIFEST.json ; renvoie la liste des écarts (vide si conforme)."""
    path = directory / MANIFEST_NAME
    if not path.exists():
        return [f"{MANIFEST_NAME} absent"]
    listed = json.loads(path.read_text(encoding="utf-8"))["files"]
    present = data_files(directory)
    problems = [f"non listé dans le manifeste : {rel}" for rel in present if rel not in listed]
    problems += [f"listé mais absent : {rel}" for rel in listed if rel not in present]
    for rel in present:
        if rel in listed:
            if sha256_of(directory / rel) != listed[rel]["sha256"]:
                problems.append(f"empreinte différente : {rel}")
            elif (directory / rel).stat().st_size != listed[rel]["bytes"]:
                problems.append(f"taille différente : {rel}")
    return problems


# ---------------------------------------------------------------------------------------------
# Point d'entrée
# ---------------------------------------------------------------------------------------------

def generate_all(out: Path) -> dict:
    """Écrit tous les fichiers générés sous ``out`` puis ``out/MANIFEST.json`` ; renvoie un relevé
    (défauts injectés, volumes) qui sert à rédiger la fiche de données et aux tests."""
    out.mkdir(parents=True, exist_ok=True)
    company = build_company()
    fleet = simulate_fleet(company)
    generate_company(out, company)
    report = {"capteurs": generate_sensors(out, fleet)}
    tickets = generate_tickets(out, fleet)
    orders = generate_erp(out, fleet)
    generate_energy(out, company, fleet)
    generate_hr(out, company)
    for module in plugins():
        module.generate(out)
    write_manifest(out)
    report["tickets"] = {"total": len(tickets), "curatifs": sum(t["type"] == "curative" for t in tickets)}
    report["ordres_fabrication"] = len(orders)
    return report


def main(argv: list[str] | None = None) -> int:
    """Ligne de commande : génère (défaut), vérifie (--check) ou réécrit le manifeste seul ;
    renvoie 0 si tout va bien, 1 si --check trouve un écart."""
    parser = argparse.ArgumentParser(description="Génère les données du client fil rouge DAP (graine fixe).")
    parser.add_argument("--out", type=Path, default=DATASETS_DIR, help="dossier de sortie (défaut : datasets/)")
    parser.add_argument("--check", action="store_true", help="vérifie le dossier contre MANIFEST.json sans rien écrire")
    parser.add_argument("--manifest-only", action="store_true",
                        help="réécrit seulement MANIFEST.json (après l'ajout d'un fichier à la main)")
    parser.add_argument("--report", action="store_true", help="affiche le relevé des défauts injectés (JSON)")
    args = parser.parse_args(argv)
    if args.manifest_only:
        write_manifest(args.out)
        return 0
    if args.check:
        problems = check_manifest(args.out)
        for p in problems:
            print(p)
        print("manifeste conforme" if not problems else f"{len(problems)} écart(s)")
        return 1 if problems else 0
    report = generate_all(args.out)
    if args.report:
        print(json_text(report), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
