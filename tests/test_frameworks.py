import re
from pathlib import Path

import pytest

from autograder import frameworks

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
EXPECTED = {
    "RNCP40514": [4, 3, 3, 6],
    "RNCP38777": [5, 8, 5, 6],
}


def test_block_and_competency_counts_match_the_official_texts():
    for fw in frameworks.load():
        assert [len(b.competencies) for b in fw.blocks] == EXPECTED[fw.id], fw.id
        assert [b.id for b in fw.blocks] == [f"{fw.id}BC0{i}" for i in range(1, 5)]


def test_ids_follow_authoring_rule_and_every_text_has_an_english_rendering():
    for comp in frameworks.competencies().values():
        block, number = comp.id.split(".")
        assert block == comp.block and re.fullmatch(r"C\d", number)
        assert comp.text.strip() and comp.text_en.strip() and comp.text != comp.text_en


def test_numbering_follows_the_order_of_the_seed():
    comps = frameworks.competencies()
    assert comps["RNCP40514BC04.C2"].text.startswith("Décomposer le projet d’IA en sous- projets")
    assert comps["RNCP40514BC04.C6"].text.startswith("Clore le projet")


@pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds absent beside the repo")
def test_french_texts_are_verbatim_from_the_seeds():
    seeds = {
        "RNCP40514": (SEEDS / "000_b8666119f3fc4714.txt").read_text(encoding="utf-8"),
        "RNCP38777": (SEEDS / "003_f081f341ce284834.txt").read_text(encoding="utf-8"),
    }
    flat = {k: " ".join(v.split()) for k, v in seeds.items()}
    for comp in frameworks.competencies().values():
        assert " ".join(comp.text.split()) in flat[comp.framework], comp.id
