"""Figures as offices write them in a bulletin: "1.3万多条", "1100多件", "100%".

Large counts are rounded *down* and marked "多" (more than) when something was cut off, so a sentence
never claims more than the records hold; small counts are written exactly. In English the same rule
gives "13,000+" and "1,100+".
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def about(n: int) -> str:
    """A large count as a bulletin writes it: 13,245 → 1.3万多, 109,000 → 10.9万, 1,132 → 1100多,
    268 → 268 (under a thousand: exact)."""
    if n < 1000:
        return str(n)
    if n >= 10_000 and _chinese():
        tenths = n // 1000  # whole tenths of 万
        head = str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"
        return f"{head}万" + ("多" if n % 1000 else "")
    step = 1000 if n >= 10_000 else 100
    rounded = n // step * step
    if _chinese():
        return f"{rounded}" + ("多" if n % step else "")
    return f"{rounded:,}" + ("+" if n % step else "")


def percent(k: int, n: int) -> str:
    """k of n as a percentage with at most one decimal (100%, 96.5%); "—" when n is 0."""
    if n <= 0:
        return "—"
    tenths = round(k * 1000 / n)
    if tenths == 1000 and k < n:
        tenths = 999  # never write 100% when one is missing
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}%"


def rate(value: float | None) -> str:
    """A share (0–1) as a percentage with one decimal; "—" when there is none."""
    if value is None:
        return "—"
    return percent(round(value * 1000), 1000)


def listing(parts: list[str]) -> str:
    """Items of a sentence joined as the language joins them (、 in Chinese)."""
    return _(", ").join(parts)
