"""The demo district's reports: synthetic map outlines (its townships as a grid of rectangles, three
across, and each township's villages and communities as strips of its rectangle) and the campaign
office's bulletin masthead. Deterministic; a second run changes nothing."""

from __future__ import annotations

from django.db import transaction

from minyi.demo import org as org_demo
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit
from minyi.reports.models import Boundary, BulletinMasthead

#: Where the grid starts (south-west corner, degrees) and each township's size.
WEST, SOUTH = 121.90, 29.80
WIDTH, HEIGHT = 0.12, 0.09
ACROSS = 3


def _rectangle(west: float, south: float, east: float, north: float) -> dict[str, object]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}


def seed() -> dict[str, int]:
    """Give every demo township and village an outline (if it has none yet); return how many were made."""
    district = Unit.objects.filter(code=org_demo.DISTRICT_CODE).first()
    if district is None:
        return {}
    townships = list(Unit.objects.filter(parent=district, kind=UnitKind.TOWNSHIP).order_by("sort", "code"))
    have = set(Boundary.objects.values_list("unit_id", flat=True))
    made: list[Boundary] = []
    for i, town in enumerate(townships):
        row, column = divmod(i, ACROSS)
        west, north = WEST + column * WIDTH, SOUTH + (len(townships) // ACROSS + 1 - row) * HEIGHT
        south = north - HEIGHT
        if town.pk not in have:
            made.append(Boundary(unit=town, geometry=_rectangle(west, south, west + WIDTH, north)))
        places = list(Unit.objects.filter(parent=town, kind__in=RESIDENTIAL_KINDS).order_by("sort", "code"))
        # Strips in rows of up to five, so a township of fifteen villages reads as a 5 × 3 grid.
        rows = max(1, -(-len(places) // 5))
        for j, place in enumerate(places):
            if place.pk in have:
                continue
            r, c = divmod(j, 5)
            in_row = min(5, len(places) - r * 5)
            w = WIDTH / in_row
            h = HEIGHT / rows
            made.append(
                Boundary(
                    unit=place,
                    geometry=_rectangle(west + c * w, north - (r + 1) * h, west + (c + 1) * w, north - r * h),
                )
            )
    with transaction.atomic():
        Boundary.objects.bulk_create(made)
        masthead = _masthead(district)
    return {**({"boundaries": len(made)} if made else {}), **masthead}


def _masthead(district: Unit) -> dict[str, int]:
    """The campaign office heads the bulletin and sends it as such offices do (报 / 送 / 发)."""
    if BulletinMasthead.objects.exists():
        return {}
    BulletinMasthead.objects.create(
        office=f"{district.name}党的群众路线教育实践活动领导小组办公室",
        report_to="市委第三督导组，区委、区政府主要领导",
        copy_to="区四套班子领导，区委各部委办",
        send_to="各镇（街道）党（工）委，区直各单位党组织",
    )
    return {"bulletin_masthead": 1}
