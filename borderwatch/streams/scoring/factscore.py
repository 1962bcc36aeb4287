"""How right the extracted facts are, against a labelled set's own fact annotations.

The labelled set describes facts for people, not machines: country names ("Gaza/Palestine"),
the border as prose ("Rafah crossing (Egypt–Gaza)"), and casualty numbers by outcome
(``{"killed": 33, "wounded": "several"}``). This module reads that form leniently and asks
three questions per positive item: are all its countries found, is the crossing the same,
and is every numeric casualty figure among the extracted records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from borderwatch.core.models import Casualty, Facts
from borderwatch.streams.reading.gazetteer import Gazetteer
from borderwatch.streams.reading.lexicon import NUMBER_WORDS

OUTCOME_MATCH = {
    "killed": {"killed"},
    "dead": {"killed"},
    "wounded": {"wounded", "injured", "shot"},
    "injured": {"wounded", "injured", "shot"},
    "missing": {"missing"},
}
# Gold "dozens" scores as the reader counts it, so the two never disagree on a word's value.
VAGUE_NUMBERS = {w: NUMBER_WORDS[w] for w in ("dozens", "hundreds", "thousands", "scores")}


def gold_countries(names: Any, gazetteer: Gazetteer) -> set[str]:
    codes = set()
    for name in names if isinstance(names, list) else []:
        for part in str(name).split("/"):
            code = gazetteer.country(part)
            if code:
                codes.add(code)
                break
    return codes


def gold_crossings(border: Any, gazetteer: Gazetteer) -> set[str]:
    text = str(border or "")
    found = set()
    for crossing in gazetteer.crossings.values():
        for name in crossing.names:
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
                found.add(crossing.id)
    return found


def gold_casualties(gold: dict[str, Any]) -> list[tuple[str, int, bool]]:
    """(outcome, count, is_lower_bound) for every figure the annotation gives."""
    out = []
    for key in ("casualties", "victims"):
        block = gold.get(key)
        if not isinstance(block, dict):
            continue
        for outcome, value in block.items():
            if outcome not in OUTCOME_MATCH:
                continue
            if isinstance(value, int):
                out.append((outcome, value, False))
            elif isinstance(value, str) and value.lower() in VAGUE_NUMBERS:
                out.append((outcome, VAGUE_NUMBERS[value.lower()], True))
    return out


def _has(records: list[Casualty], outcome: str, count: int, lower: bool) -> bool:
    """One record with that figure, or exact records of that outcome that add up to it
    ("1 soldier was stabbed ... another sustained injuries" is 2 wounded)."""
    same = [r for r in records if r.outcome in OUTCOME_MATCH[outcome]]
    if any(r.count == count and (r.lower_bound or not lower) for r in same):
        return True
    exact = [r.count for r in same if r.count is not None and not r.lower_bound]
    return not lower and len(exact) > 1 and sum(exact) == count


@dataclass
class FactsScore:
    items: int = 0
    countries_right: int = 0
    crossing_right: int = 0
    casualty_items: int = 0
    casualties_right: int = 0
    wrong: dict[str, list[str]] = field(default_factory=dict)

    def add(self, item_id: str, gold: dict[str, Any], facts: Facts, gazetteer: Gazetteer) -> None:
        self.items += 1
        misses = []
        want = gold_countries(gold.get("countries"), gazetteer)
        if want <= set(facts.countries):
            self.countries_right += 1
        else:
            misses.append(f"countries: missing {sorted(want - set(facts.countries))}")
        crossings = gold_crossings(gold.get("border"), gazetteer)
        ours = set(facts.crossings)
        if (crossings & ours) if crossings else not ours:
            self.crossing_right += 1
        else:
            misses.append(
                f"crossing: want {sorted(crossings) or 'none'}, got {sorted(ours) or 'none'}"
            )
        figures = gold_casualties(gold)
        if figures:
            self.casualty_items += 1
            missing = [f for f in figures if not _has(facts.casualties, *f)]
            if missing:
                misses.append(f"casualties: missing {missing}")
            else:
                self.casualties_right += 1
        if misses:
            self.wrong[item_id] = misses

    @staticmethod
    def _share(right: int, total: int) -> float:
        return round(right / total, 4) if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "countries": self._share(self.countries_right, self.items),
            "crossing": self._share(self.crossing_right, self.items),
            "casualty_items": self.casualty_items,
            "casualty_counts": self._share(self.casualties_right, self.casualty_items),
            "wrong": self.wrong,
        }
