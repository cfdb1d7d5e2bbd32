"""Tests des données du client fil rouge (datasets/).

Ils vérifient que les fichiers livrés sont ceux que le générateur produit (empreintes du
manifeste), que le manifeste couvre tout le dossier, et que les défauts décrits dans
datasets/README.md sont bien là, en nombre exact : les corrigés des labs d'audit en dépendent.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import math
import shutil
import sqlite3
import statistics
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"
SENSORS = "capteurs/releves_capteurs.csv"

# Valeurs documentées dans datasets/README.md (section « Défauts connus »).
EXPECTED = {
    "lignes": 12684,
    "doublons": 111,
    "lignes_uniques": 12573,
    "pannes_uniques": 395,
    "manquants_air": 239,
    "manquants_couple": 156,
    "manquants_vitesse_C03": 136,
    "celsius_A04": 99,
    "couple_sature": 4,
    "couple_negatif": 3,
    "usure_negative": 5,
    "pannes_sans_code": 22,
    "tickets_curatifs": 395,
    "tickets_preventifs": 150,
    "ordres_fabrication": 652,
    "ordres_en_cours": 17,
    "releves_energie": 12597,
    "operateurs": 42,
}
OUT_OF_RANGE = {
    ("A-01", "2024-01-15T19:41:29", "usure_outil_min", "-1"),
    ("A-02", "2024-06-24T07:34:40", "usure_outil_min", "-10"),
    ("A-03", "2024-03-01T09:06:39", "usure_outil_min", "-24"),
    ("A-06", "2024-05-30T08:20:55", "couple_nm", "6553.5"),
    ("B-02", "2024-05-02T06:30:56", "couple_nm", "-31.8"),
    ("B-07", "2024-01-25T05:20:23", "couple_nm", "6553.5"),
    ("B-07", "2024-06-04T20:06:03", "usure_outil_min", "-22"),
    ("C-01", "2024-06-07T08:44:03", "couple_nm", "-50.2"),
    ("C-02", "2024-03-22T05:23:01", "couple_nm", "6553.5"),
    ("C-02", "2024-06-24T20:57:25", "couple_nm", "6553.5"),
    ("C-04", "2024-05-14T17:29:44", "usure_outil_min", "-18"),
    ("C-05", "2024-06-07T08:58:59", "couple_nm", "-32.1"),
}
MODES = {"TWF", "HDF", "PWF", "OSF", "RNF"}


# ------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="session")
def gen():
    """Le module datasets/generate.py, chargé sans écrire de __pycache__ dans datasets/."""
    spec = importlib.util.spec_from_file_location("dap_generate", DATASETS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    previous, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        sys.modules[spec.name] = module  # les dataclasses en ont besoin
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = previous
    return module


@pytest.fixture(scope="session")
def regenerated(gen, tmp_path_factory):
    """Une régénération complète dans un dossier temporaire : (dossier, relevé des défauts)."""
    out = tmp_path_factory.mktemp("datasets")
    report = gen.generate_all(out)
    return out, report


@pytest.fixture(scope="session")
def manifest():
    return json.loads((DATASETS / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def company():
    return json.loads((DATASETS / "entreprise.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rows():
    """Les lignes du fichier capteurs, en chaînes exactes (une valeur manquante vaut "")."""
    with open(DATASETS / SENSORS, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def unique_rows(rows):
    seen, out = set(), []
    for row in rows:
        key = tuple(row.values())
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


@pytest.fixture(scope="session")
def tickets():
    return json.loads((DATASETS / "maintenance/tickets.json").read_text(encoding="utf-8"))


def local(ts: str) -> datetime:
    """Horodatage ISO 8601, décalage éventuel ignoré (toutes les heures sont locales à Cluses)."""
    return datetime.fromisoformat(ts[:19])


def is_clean(row: dict) -> bool:
    """Ligne sans aucun des défauts documentés (hors doublons et dérive d'horloge)."""
    if "" in (row["temperature_air_k"], row["temperature_process_k"], row["vitesse_rotation_tr_min"], row["couple_nm"]):
        return False
    return (float(row["temperature_process_k"]) > 200 and 0 <= float(row["couple_nm"]) < 200
            and int(row["usure_outil_min"]) >= 0)


# ------------------------------------------------------------------- déterminisme et manifeste

def test_regeneration_gives_committed_checksums(gen, regenerated, manifest):
    out, _ = regenerated
    fresh = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))["files"]
    assert sorted(fresh) == sorted(gen.generated_files()), "la régénération doit produire exactement les fichiers générés"
    for rel in gen.generated_files():
        assert rel in manifest["files"], f"{rel} manque dans datasets/MANIFEST.json"
        assert fresh[rel]["sha256"] == manifest["files"][rel]["sha256"], (
            f"{rel} régénéré diffère du fichier livré : relancez `python datasets/generate.py` et relisez le diff"
        )
        assert fresh[rel]["bytes"] == manifest["files"][rel]["bytes"]
        assert fresh[rel]["description"] == manifest["files"][rel]["description"]


def test_generation_is_repeatable_in_process(gen, regenerated, tmp_path):
    """Deux exécutions dans le même processus donnent les mêmes octets (pas d'état caché)."""
    out, _ = regenerated
    gen.generate_all(tmp_path)
    for rel in gen.generated_files():
        assert (tmp_path / rel).read_bytes() == (out / rel).read_bytes(), rel


def _data_files_on_disk() -> list[str]:
    """Parcours indépendant du générateur : tout fichier sauf la doc, le code et les caches."""
    found = []
    for path in DATASETS.rglob("*"):
        rel = path.relative_to(DATASETS)
        if not path.is_file() or rel.as_posix() in {"README.md", "MANIFEST.json"}:
            continue
        if len(rel.parts) == 1 and path.suffix == ".py":  # generate.py and its gen_*.py plug-ins
            continue
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or path.suffix == ".pyc":
            continue
        found.append(rel.as_posix())
    return sorted(found)


def test_manifest_covers_every_data_file(manifest):
    files = manifest["files"]
    assert list(files) == sorted(files), "le manifeste doit être trié par chemin"
    assert sorted(files) == _data_files_on_disk(), (
        "le manifeste ne couvre pas exactement les fichiers de datasets/ : relancez "
        "`python datasets/generate.py --manifest-only`"
    )
    for rel, entry in files.items():
        data = (DATASETS / rel).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), f"empreinte périmée pour {rel}"
        assert entry["bytes"] == len(data), rel
        assert entry["description"].strip() and "\n" not in entry["description"], rel


def test_manifest_check_detects_changes(gen, regenerated, tmp_path):
    out, _ = regenerated
    copy = tmp_path / "copie"
    shutil.copytree(out, copy)
    assert gen.check_manifest(copy) == []
    target = copy / "rh/operateurs.csv"
    target.write_bytes(target.read_bytes().replace(b"non", b"oui", 1))
    (copy / "ajout").mkdir()
    (copy / "ajout/risques.csv").write_text("id,risque\n", encoding="utf-8")
    problems = gen.check_manifest(copy)
    assert any("rh/operateurs.csv" in p for p in problems)
    assert any("ajout/risques.csv" in p for p in problems)
    gen.write_manifest(copy)
    listed = json.loads((copy / "MANIFEST.json").read_text(encoding="utf-8"))["files"]
    assert "ajout/risques.csv" in listed and listed["ajout/risques.csv"]["description"]
    assert gen.check_manifest(copy) == []


def test_files_are_small_utf8_with_unix_newlines(manifest):
    total = sum(entry["bytes"] for entry in manifest["files"].values())
    assert total < 5 * 1024 * 1024, f"datasets/ pèse {total} octets, la limite est 5 Mo"
    for rel in manifest["files"]:
        data = (DATASETS / rel).read_bytes()
        assert b"\r\n" not in data and not data.startswith(b"\xef\xbb\xbf"), rel
        data.decode("utf-8")


def test_generator_report_matches_documented_values(regenerated):
    _, report = regenerated
    sensors = report["capteurs"]
    assert sensors["fichier"]["lignes"] == EXPECTED["lignes"]
    assert sensors["doublons"] == EXPECTED["doublons"]
    assert sensors["fichier_dedoublonne"]["pannes"] == EXPECTED["pannes_uniques"]
    assert sensors["pannes_sans_code"] == EXPECTED["pannes_sans_code"]
    found = {(h["machine_id"], h["horodatage"], h["colonne"], h["valeur"]) for h in sensors["hors_plage"]}
    assert found == OUT_OF_RANGE


# --------------------------------------------------------------------------- relevés capteurs

def test_sensor_schema(rows, gen):
    assert list(rows[0]) == gen.SENSOR_COLUMNS
    assert all(c.isascii() and c == c.lower() for c in rows[0])
    assert {r["variante"] for r in rows} == {"L", "M", "H"}
    assert {r["mode_panne"] for r in rows} <= MODES | {""}
    for r in rows:
        assert (r["panne"] == "1") == (r["mode_panne"] != ""), r


def test_sensor_volume_and_period(rows):
    assert len(rows) == EXPECTED["lignes"]
    times = [local(r["horodatage"]) for r in rows]
    assert min(times) >= datetime(2024, 1, 8) and max(times) < datetime(2024, 6, 29)
    assert len({r["machine_id"] for r in rows}) == 24


def test_exact_duplicates(rows, unique_rows):
    assert len(rows) - len(unique_rows) == EXPECTED["doublons"]
    assert len(unique_rows) == EXPECTED["lignes_uniques"]
    assert 0.005 < EXPECTED["doublons"] / len(unique_rows) < 0.015


def test_failure_rate_is_imbalanced(unique_rows):
    failures = sum(r["panne"] == "1" for r in unique_rows)
    assert failures == EXPECTED["pannes_uniques"]
    assert 0.025 <= failures / len(unique_rows) <= 0.04
    modes = Counter(r["mode_panne"] for r in unique_rows if r["panne"] == "1")
    assert set(modes) == MODES
    assert modes["RNF"] < modes["TWF"] < modes["PWF"]


def test_process_temperature_in_celsius_for_a04_in_march(rows):
    celsius = [r for r in rows if r["temperature_process_k"] and float(r["temperature_process_k"]) < 200]
    assert len(celsius) == EXPECTED["celsius_A04"]
    assert {r["machine_id"] for r in celsius} == {"A-04"}
    assert {r["horodatage"][:7] for r in celsius} == {"2024-03"}
    march_a04 = [r for r in rows if r["machine_id"] == "A-04" and r["horodatage"].startswith("2024-03")]
    assert len(march_a04) == len(celsius), "toutes les lignes de A-04 en mars sont en °C"
    assert all(25 < float(r["temperature_process_k"]) < 50 for r in celsius)
    kelvin = [float(r["temperature_process_k"]) for r in rows if r not in celsius]
    assert 300 < min(kelvin) and max(kelvin) < 325


def test_missing_values(rows):
    missing = {c: sum(r[c] == "" for r in rows) for c in
               ("temperature_air_k", "temperature_process_k", "vitesse_rotation_tr_min", "couple_nm", "usure_outil_min")}
    assert missing == {
        "temperature_air_k": EXPECTED["manquants_air"],
        "temperature_process_k": 0,
        "vitesse_rotation_tr_min": EXPECTED["manquants_vitesse_C03"],
        "couple_nm": EXPECTED["manquants_couple"],
        "usure_outil_min": 0,
    }
    speed_missing = [r for r in rows if r["vitesse_rotation_tr_min"] == ""]
    assert {r["machine_id"] for r in speed_missing} == {"C-03"}
    assert min(r["horodatage"] for r in speed_missing) >= "2024-02-12"
    assert max(r["horodatage"] for r in speed_missing) < "2024-06-01"
    c03 = [r for r in rows if r["machine_id"] == "C-03"]
    assert len(speed_missing) / len(c03) > 0.2, "C-03 doit être nettement plus lacunaire que les autres"
    per_machine = Counter(r["machine_id"] for r in rows if r["temperature_air_k"] == "")
    assert len(per_machine) >= 20, "les manquants de température d'air touchent toutes les machines"


def test_out_of_range_values(rows):
    found = set()
    for r in rows:
        if r["couple_nm"] and not 0 <= float(r["couple_nm"]) < 200:
            found.add((r["machine_id"], r["horodatage"], "couple_nm", r["couple_nm"]))
        if int(r["usure_outil_min"]) < 0:
            found.add((r["machine_id"], r["horodatage"], "usure_outil_min", r["usure_outil_min"]))
    assert found == OUT_OF_RANGE
    values = Counter(v for *_, v in found)
    assert values["6553.5"] == EXPECTED["couple_sature"]


def test_b05_clock_drifts_against_tickets(unique_rows, tickets):
    """L'instant de panne vu par le helpdesk (clôture - durée d'arrêt) recoupe l'horodatage
    capteur à 36 s près, sauf sur B-05 dont l'horloge avance jusqu'à 9 min."""
    by_id = {t["id_ticket"]: t for t in tickets}
    gaps: dict[str, list[tuple[datetime, float]]] = {}
    for r in unique_rows:
        if r["code_intervention"]:
            t = by_id[r["code_intervention"]]
            stop = local(t["cloture"]) - timedelta(hours=t["duree_arret_h"])
            gaps.setdefault(r["machine_id"], []).append((local(r["horodatage"]), (local(r["horodatage"]) - stop).total_seconds()))
    for machine, values in gaps.items():
        if machine != "B-05":
            assert max(abs(g) for _, g in values) <= 40, machine
    drift = sorted(gaps["B-05"])
    assert drift[0][1] < 120 and 480 <= drift[-1][1] <= 560
    assert statistics.correlation([t.timestamp() for t, _ in drift], [g for _, g in drift]) > 0.99
    after_shift = {r["machine_id"] for r in unique_rows if r["horodatage"][11:16] >= "21:00"}
    assert after_shift <= {"B-05"}


def test_intervention_code_leaks_the_target(unique_rows, tickets):
    by_id = {t["id_ticket"]: t for t in tickets}
    coded = [r for r in unique_rows if r["code_intervention"]]
    assert all(r["panne"] == "1" for r in coded), "code_intervention n'est rempli qu'après une panne"
    for r in coded:
        ticket = by_id[r["code_intervention"]]
        assert ticket["type"] == "curative" and ticket["machine_id"] == r["machine_id"]
    uncoded = [r for r in unique_rows if r["panne"] == "1" and not r["code_intervention"]]
    assert len(uncoded) == EXPECTED["pannes_sans_code"]
    assert all(r["horodatage"] >= "2024-06-21" for r in uncoded)


def test_ai4i_rules_explain_the_labels_on_clean_rows(unique_rows):
    limits = {"L": 11000, "M": 12000, "H": 13000}
    clean = [r for r in unique_rows if is_clean(r)]
    assert len(clean) > 0.9 * len(unique_rows)
    for r in clean:
        air, proc = round(float(r["temperature_air_k"]) * 10), round(float(r["temperature_process_k"]) * 10)
        speed, torque, wear = int(r["vitesse_rotation_tr_min"]), float(r["couple_nm"]), int(r["usure_outil_min"])
        power = torque * speed * 2 * math.pi / 60
        rules = {
            "HDF": proc - air < 86 and speed < 1380,
            "PWF": power < 3500 or power > 9000,
            "OSF": wear * round(torque * 10) > limits[r["variante"]] * 10,
        }
        if any(rules.values()):
            assert r["panne"] == "1", f"une règle AI4I se déclenche sans panne : {r}"
        if r["panne"] == "0":
            assert not any(rules.values())
        if r["mode_panne"] in rules:
            assert rules[r["mode_panne"]], f"le mode {r['mode_panne']} ne suit pas sa règle : {r}"
        if r["mode_panne"] == "TWF":
            assert 200 <= wear <= 250


def test_physics_like_ai4i(unique_rows):
    clean = [r for r in unique_rows if is_clean(r)]
    air = [float(r["temperature_air_k"]) for r in clean]
    delta = [float(r["temperature_process_k"]) - float(r["temperature_air_k"]) for r in clean]
    torque = [float(r["couple_nm"]) for r in clean]
    speed = [int(r["vitesse_rotation_tr_min"]) for r in clean]
    assert 299 < statistics.mean(air) < 301 and 1.3 < statistics.stdev(air) < 2.5
    assert 9.7 < statistics.mean(delta) < 10.3 and 0.7 < statistics.stdev(delta) < 1.3
    assert 38 < statistics.mean(torque) < 42 and 8 < statistics.stdev(torque) < 12
    assert 1480 < statistics.mean(speed) < 1620 and statistics.correlation(torque, speed) < -0.8
    wear_step = {"L": 2, "M": 3, "H": 5}
    assert max(int(r["usure_outil_min"]) for r in clean) <= 240 + 2 * max(wear_step.values())


# ------------------------------------------------------------------------------------ tickets

def test_tickets_match_failures_and_calendar(tickets, unique_rows, company):
    machines = {m["machine_id"] for w in company["ateliers"] for m in w["machines"]}
    kinds = Counter(t["type"] for t in tickets)
    assert kinds == {"curative": EXPECTED["tickets_curatifs"], "preventive": EXPECTED["tickets_preventifs"]}
    assert kinds["curative"] == sum(r["panne"] == "1" for r in unique_rows), "un ticket curatif par panne"
    assert [t["id_ticket"] for t in tickets] == [f"MT-2024-{i:04d}" for i in range(1, len(tickets) + 1)]
    for t in tickets:
        assert set(t) == {"id_ticket", "machine_id", "type", "categorie", "ouverture", "cloture", "description",
                          "technicien", "duree_arret_h", "cout_pieces_eur"}
        assert t["machine_id"] in machines and t["technicien"].startswith("TECH-")
        assert local(t["cloture"]) > local(t["ouverture"]) and t["duree_arret_h"] > 0 and t["cout_pieces_eur"] >= 0
        assert t["ouverture"][19:] == ("+02:00" if local(t["ouverture"]) >= datetime(2024, 3, 31, 3) else "+01:00")
    for machine in machines:
        days = sorted(local(t["ouverture"]).date() for t in tickets if t["type"] == "preventive" and t["machine_id"] == machine)
        assert 6 <= len(days) <= 7, machine
        assert all(25 <= (b - a).days <= 31 for a, b in zip(days, days[1:])), f"préventif toutes les 4 semaines : {machine}"


# ------------------------------------------------------------------------------------ ERP SQL

def test_erp_sql_loads_in_sqlite(company):
    con = sqlite3.connect(":memory:")
    con.executescript((DATASETS / "erp/ordres_fabrication.sql").read_text(encoding="utf-8"))
    columns = [r[1] for r in con.execute("PRAGMA table_info(ordres_fabrication)")]
    assert columns == ["of_id", "client", "piece", "machine_id", "quantite", "date_debut", "date_fin_prevue",
                       "date_fin_reelle", "retard_jours"]
    orders = con.execute("SELECT * FROM ordres_fabrication").fetchall()
    assert len(orders) == EXPECTED["ordres_fabrication"]
    assert con.execute("SELECT COUNT(*) FROM ordres_fabrication o LEFT JOIN clients c USING (client) WHERE c.client IS NULL").fetchone() == (0,)
    machines = {m["machine_id"] for w in company["ateliers"] for m in w["machines"]}
    running = 0
    for of_id, client, piece, machine, qty, start, planned, real, late in orders:
        assert machine in machines and qty > 0 and start <= planned
        if real is None:
            running += 1
            assert late is None
        else:
            assert late == max(0, (date.fromisoformat(real) - date.fromisoformat(planned)).days)
    assert running == EXPECTED["ordres_en_cours"]
    assert 0.2 < sum(1 for o in orders if o[8]) / len(orders) < 0.6, "une part des OF est en retard"


# ------------------------------------------------------------------------------------ énergie

def test_energy_meters():
    with open(DATASETS / "energie/compteurs.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == EXPECTED["releves_energie"]
    assert not any(r["horodatage"] == "2024-03-31T02:00:00" for r in rows), "l'heure 02:00 n'existe pas le 31 mars"
    previous = {}
    for r in rows:
        value, index = round(float(r["consommation_kwh"]) * 10), round(float(r["index_kwh"]) * 10)
        assert value > 0 and r["compteur_id"] == f"CPT-{r['atelier']}"
        if r["atelier"] in previous:
            assert index - previous[r["atelier"]] == value, "l'index avance exactement de la consommation"
        previous[r["atelier"]] = index


# ------------------------------------------------------------------------------------ RH

def test_hr_extract_is_fictitious_but_well_formed(company):
    with open(DATASETS / "rh/operateurs.csv", encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    assert len(people) == company["nombre_operateurs"] == EXPECTED["operateurs"]
    assert {"matricule", "nom", "prenom", "date_naissance", "numero_securite_sociale", "adresse", "code_postal",
            "sexe", "poste", "atelier", "anciennete_annees", "handicap_rqth", "salaire_brut_mensuel_eur",
            "equipe"} <= set(people[0])
    assert len({p["matricule"] for p in people}) == len(people)
    assert Counter(p["handicap_rqth"] for p in people) == {"non": 39, "oui": 3}
    for p in people:
        nir, birth = p["numero_securite_sociale"], date.fromisoformat(p["date_naissance"])
        assert len(nir) == 15 and nir.isdigit()
        assert int(nir[13:]) == 97 - int(nir[:13]) % 97, f"clé NIR invalide : {nir}"
        assert nir[0] == ("1" if p["sexe"] == "M" else "2") and nir[1:5] == birth.strftime("%y%m")
        assert p["code_postal"].startswith("74") and p["telephone"].startswith("06 39 98 ")
        assert p["atelier"] in {"A", "B", "C"} and p["equipe"] in {"E1", "E2"}
        assert date.fromisoformat(p["date_entree"]) >= date(birth.year + 18, 1, 1)


# ------------------------------------------------------------------------------------ entreprise

def test_company_sheet_has_the_facts(company, rows, tickets):
    for key in ("raison_sociale", "ville", "effectif", "ateliers", "nombre_machines", "nombre_operateurs",
                "couts", "energie", "organisation", "projet_ia"):
        assert key in company, key
    assert company["raison_sociale"] == "Décolletage Arve Précision" and company["forme_juridique"] == "SAS"
    assert company["ville"] == "Cluses" and company["effectif"] == 120
    assert sum(company["repartition_effectif"].values()) == company["effectif"]
    ids = [m["machine_id"] for w in company["ateliers"] for m in w["machines"]]
    assert ids == [f"A-{i:02d}" for i in range(1, 11)] + [f"B-{i:02d}" for i in range(1, 9)] + [f"C-{i:02d}" for i in range(1, 7)]
    assert company["nombre_machines"] == len(ids) == 24
    assert [w["nom"] for w in company["ateliers"]] == ["Décolletage", "Fraisage 5 axes", "Rectification"]
    variants = {m["machine_id"]: m["variante"] for w in company["ateliers"] for m in w["machines"]}
    assert {(r["machine_id"], r["variante"]) for r in rows} == set(variants.items())
    assert company["organisation"]["equipes"] == "2x8"
    costs, energy = company["couts"], company["energie"]
    assert costs["cout_arret_non_planifie_eur_h"] == 1800
    assert 0.10 <= energy["prix_electricite_eur_kwh"] <= 0.30
    assert energy["intensite_carbone_reseau_kgco2e_kwh"] == 0.052
    assert "ADEME" in energy["source_intensite_carbone"] and "Base Empreinte" in energy["source_intensite_carbone"]
    roles = " ".join(p["role"] for p in company["projet_ia"]["parties_prenantes"])
    for role in ("Directeur industriel", "Responsable maintenance", "DSI", "DPO", "Responsable RH", "Chef de projet IA"):
        assert role in roles, role
    # Les coûts déclarés recoupent les tickets.
    rate = company["maintenance"]["taux_horaire_technicien_eur"]
    curative = [t for t in tickets if t["type"] == "curative"]
    observed = statistics.mean(
        t["cout_pieces_eur"] + rate * (local(t["cloture"]) - local(t["ouverture"])).total_seconds() / 3600 for t in curative
    )
    assert abs(observed - costs["cout_moyen_reparation_eur"]) / observed < 0.05
    parts_per_year = 2 * sum(t["cout_pieces_eur"] for t in tickets)
    assert parts_per_year < costs["budget_maintenance_annuel_eur"] < 0.06 * company["chiffre_affaires_annuel_eur"]


def test_readme_documents_the_defects():
    text = (DATASETS / "README.md").read_text(encoding="utf-8")
    for needle in ("SEED", "74300", "CC BY 4.0", "AI4I", "load_digits", "A-04", "B-05", "C-03", "code_intervention",
                   "MANIFEST.json", "--check"):
        assert needle in text, needle
    for machine, stamp, _, value in OUT_OF_RANGE:
        assert stamp in text and value in text, (machine, stamp)
    for key in ("doublons", "pannes_uniques", "manquants_air", "manquants_couple", "manquants_vitesse_C03", "celsius_A04"):
        assert str(EXPECTED[key]) in text, key
