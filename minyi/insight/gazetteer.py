"""The district's gazetteer as insight reads it: the names of its places, found in a text.

Places are what the district itself names: the unit tree (townships, villages, communities), the
estates and roads its appeals' addresses name, and a list the admin extends (``insight.GazetteerPlace``).
A text names a place only when it contains one of those names (or a village's or township's name
without its 村/镇/社区 ending, as people write it); nothing is guessed from the characters around a word.

Pure Python, no Django: ``minyi.insight.board`` builds one from the database, the hotspot command
from a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from minyi.insight.corpus import CorpusError

# What kind of place a name is; more specific kinds win when several are shared.
TOWNSHIP = "township"
VILLAGE = "village"
ESTATE = "estate"
ROAD = "road"
OTHER = "other"
KINDS = (TOWNSHIP, VILLAGE, ESTATE, ROAD, OTHER)
#: How specific each kind is: an estate or a road says more than the village it lies in.
SPECIFICITY = {TOWNSHIP: 1, VILLAGE: 2, OTHER: 3, ROAD: 3, ESTATE: 4}

# Endings people drop when they name a unit (沙门镇 → 沙门, 东村村 → 东村, 城东社区 → 城东).
_UNIT_ENDINGS = ("街道办事处", "街道", "社区", "居委会", "村委会", "乡", "镇", "村")
# The kind an address part has, by its ending (longest endings first).
_ESTATE_ENDINGS = ("小区", "花园", "家园", "新村", "公寓", "山庄", "华庭", "苑", "园", "府", "城")
_ROAD_ENDINGS = ("大道", "路", "街", "巷", "弄")
# An address is split at these; what is left before an ending is a candidate name.
_ADDRESS_PART = re.compile(
    r"[\u4e00-\u9fff]{2,12}?(?:小区|花园|家园|新村|公寓|山庄|华庭|大道|苑|园|府|城|路|街|巷|弄)"
)
# What ends one part of an address: the administrative levels before an estate (but not the 区 of 小区,
# the 村 of 新村 or the 市 of 市场), and door, building and room numbers.
_ADDRESS_STOP = re.compile(
    r"[^\u4e00-\u9fff]+[号栋幢楼室组弄]?|省|市(?!场)|(?<!小)区|县|镇|乡|街道|(?<!新)村|社区|号|栋|幢|单元|室"
)
# A part of an address that describes rather than names (政府对面的小路) is no place's name.
_DESCRIBES = re.compile("的|对面|附近|旁边|门口|隔壁|后面|前面")
# Names shorter than this match too much ordinary text.
MIN_NAME = 2


@dataclass(frozen=True, slots=True)
class Place:
    """One named place: its name as written, its kind, and the township it lies in ('' if unknown)."""

    name: str
    kind: str = OTHER
    township: str = ""


def _short_forms(place: Place) -> list[str]:
    """The name and, for a township or village, the name without its administrative ending."""
    forms = [place.name]
    if place.kind in (TOWNSHIP, VILLAGE):
        for ending in _UNIT_ENDINGS:
            if place.name.endswith(ending) and len(place.name) - len(ending) >= MIN_NAME:
                forms.append(place.name[: -len(ending)])
                break
    return forms


def address_places(address: str, township: str = "") -> list[Place]:
    """The estates and roads an address names (朝阳路18号幸福家园3栋 → 朝阳路, 幸福家园)."""
    found: list[Place] = []
    for chunk in _ADDRESS_STOP.split(address or ""):
        for match in _ADDRESS_PART.finditer(chunk):
            name = match.group()
            kind = ROAD if name.endswith(_ROAD_ENDINGS) else ESTATE
            if len(name) > MIN_NAME and not _DESCRIBES.search(name):
                found.append(Place(name, kind, township))
    return found


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression matching any of ``words``, longest first, built as a trie so that the
    regex engine tries each character once per position however many names there are."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return pattern(trie)


class Gazetteer:
    """The places of a district, and where a text names them."""

    def __init__(self, places: Iterable[Place] = ()) -> None:
        self.places: dict[str, Place] = {}
        self._forms: dict[str, str] = {}
        for place in places:
            name = (place.name or "").strip()
            if len(name) < MIN_NAME:
                continue
            known = self.places.get(name)
            # The same name twice: the more specific kind wins (a 新村 estate listed also as a village).
            if known is None or SPECIFICITY[place.kind] > SPECIFICITY[known.kind]:
                self.places[name] = Place(name, place.kind, place.township)
        for place in self.places.values():
            for form in _short_forms(place):
                # A full name always names itself; a short form never takes another place's full name.
                if form == place.name or form not in self._forms:
                    self._forms[form] = place.name
        self._pattern = re.compile(_trie_pattern(self._forms)) if self._forms else None

    def __len__(self) -> int:
        return len(self.places)

    def __bool__(self) -> bool:
        return bool(self.places)

    def find(self, text: str) -> list[str]:
        """The places a text names, each once, in order of first mention (the longest name at each
        point: 沙门镇东村 names 沙门镇 and 东村, never 沙门 and 门镇)."""
        if self._pattern is None or not text:
            return []
        found: dict[str, None] = {}
        for match in self._pattern.finditer(text):
            found.setdefault(self._forms[match.group()], None)
        return list(found)

    def kind(self, name: str) -> str:
        place = self.places.get(name)
        return place.kind if place else OTHER

    def township_of(self, name: str) -> str:
        place = self.places.get(name)
        return place.township if place else ""


def read_file(path: Path | str) -> Gazetteer:
    """A gazetteer from a UTF-8 text file: one place a line, ``name`` or ``name,kind[,township]``
    (kind one of KINDS); empty lines and lines starting with # are skipped."""
    places = []
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = [part.strip() for part in line.split(",")]
                kind = parts[1] if len(parts) > 1 and parts[1] else OTHER
                if kind not in KINDS:
                    raise CorpusError(f"{path}:{number}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
                places.append(Place(parts[0], kind, parts[2] if len(parts) > 2 else ""))
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"{path}: {error}") from error
    return Gazetteer(places)
