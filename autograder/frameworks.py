"""The competency frameworks (RNCP40514, RNCP38777) shipped as data in `frameworks/*.json`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "frameworks"
FRAMEWORK_IDS = ("RNCP40514", "RNCP38777")
# The framework whose competencies every graded cell must evidence (AUTHORING.md).
PRIMARY = "RNCP40514"


@dataclass(frozen=True)
class Competency:
    id: str
    block: str
    framework: str
    text: str
    text_en: str


@dataclass(frozen=True)
class Block:
    id: str
    framework: str
    title: str
    title_en: str
    competencies: tuple[Competency, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    title_en: str
    blocks: tuple[Block, ...]


def _framework(raw: dict) -> Framework:
    blocks = tuple(
        Block(
            id=b["id"],
            framework=raw["id"],
            title=b["title"],
            title_en=b["title_en"],
            competencies=tuple(
                Competency(c["id"], b["id"], raw["id"], c["text"], c["text_en"]) for c in b["competencies"]
            ),
        )
        for b in raw["blocks"]
    )
    return Framework(raw["id"], raw["title"], raw["title_en"], blocks)


@lru_cache(maxsize=1)
def load() -> tuple[Framework, ...]:
    """Both frameworks, in the order of FRAMEWORK_IDS."""
    return tuple(
        _framework(json.loads((DATA / f"{fid.lower()}.json").read_text(encoding="utf-8"))) for fid in FRAMEWORK_IDS
    )


def competencies() -> dict[str, Competency]:
    """Every competency of both frameworks by id, in framework/block/number order."""
    return {c.id: c for f in load() for b in f.blocks for c in b.competencies}
