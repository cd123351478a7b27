"""The dashboard map: township and village outlines an admin uploads as GeoJSON, and the figures each
area is coloured by (appeals received in the period, or overdue now).

No online tiles: the page draws only these outlines (ECharts ``registerMap``), so the map works on an
offline government network. An upload is checked strictly and replaces the whole set in one
transaction, or changes nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals.choices import DueStatus, State
from minyi.appeals.models import Appeal
from minyi.appeals.rules import due_filter
from minyi.audit.rules import record
from minyi.dates import day_bounds
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import require
from minyi.reports import summary
from minyi.reports.access import ReportsPerm
from minyi.reports.models import Boundary

#: The largest upload accepted (a district's villages simplified to ~100 m fit in well under 1 MB).
MAX_BYTES = 5 * 1024 * 1024
#: Areas a map may have outlines for.
MAP_KINDS = frozenset({UnitKind.TOWNSHIP, *RESIDENTIAL_KINDS})
GEOMETRIES = ("Polygon", "MultiPolygon")


# --- checking and storing an upload --------------------------------------------------------------------


def _ring_ok(ring: Any) -> bool:
    """A closed-enough linear ring: at least 4 [lon, lat] positions of finite numbers in range."""
    if not isinstance(ring, list) or len(ring) < 4:
        return False
    for position in ring:
        if not isinstance(position, list) or len(position) < 2:
            return False
        lon, lat = position[0], position[1]
        for number in (lon, lat):
            if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
                return False
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return False
    return True


def _polygon_ok(polygon: Any) -> bool:
    return isinstance(polygon, list) and len(polygon) >= 1 and all(_ring_ok(ring) for ring in polygon)


def _geometry_ok(geometry: Any) -> bool:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        return False
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        return _polygon_ok(coordinates)
    return isinstance(coordinates, list) and len(coordinates) >= 1 and all(map(_polygon_ok, coordinates))


def parse(raw: bytes) -> list[tuple[Unit, dict[str, Any]]]:
    """The (unit, geometry) pairs of a GeoJSON FeatureCollection whose features' ``properties.code``
    are township or village codes, each once; ValidationError naming the first problem otherwise."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB; simplify the outlines and try again.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationError(_("The file is not valid GeoJSON (JSON could not be read).")) from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError(_("The file must be a GeoJSON FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The FeatureCollection has no features."))
    codes: list[str] = []
    for number, feature in enumerate(features, 1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get("code") if isinstance(properties, dict) else None
        if not isinstance(code, str) or not code.strip():
            raise ValidationError(
                _("Feature %(n)d has no properties.code naming its township or village.") % {"n": number}
            )
        if not _geometry_ok(feature.get("geometry")):
            raise ValidationError(
                _(
                    "Feature %(n)d (%(code)s) needs a Polygon or MultiPolygon geometry whose rings are "
                    "lists of at least four [longitude, latitude] numbers."
                )
                % {"n": number, "code": code}
            )
        codes.append(code.strip())
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValidationError(
            _("These codes appear more than once: %(codes)s.") % {"codes": ", ".join(repeated)}
        )
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes, kind__in=MAP_KINDS)}
    unknown = [code for code in codes if code not in units]
    if unknown:
        raise ValidationError(
            _("These codes are not townships, villages or communities: %(codes)s.")
            % {"codes": ", ".join(unknown[:20]) + (" …" if len(unknown) > 20 else "")}
        )
    return [(units[code], feature["geometry"]) for code, feature in zip(codes, features, strict=True)]


def upload(raw: bytes, *, actor: User | AnonymousUser) -> int:
    """Replace every boundary with those of the uploaded GeoJSON (checked first: on any error nothing
    changes); audited. Returns how many areas the map now has."""
    require(actor, ReportsPerm.MANAGE_BOUNDARIES)
    areas = parse(raw)
    with transaction.atomic():
        replaced = Boundary.objects.count()
        _replace(areas)
        record(
            "reports.boundaries_upload",
            actor=actor,
            detail={"areas": len(areas), "replaced": replaced, "bytes": len(raw)},
        )
    return len(areas)


def _replace(areas: Iterable[tuple[Unit, dict[str, Any]]]) -> None:
    Boundary.objects.all().delete()
    Boundary.objects.bulk_create([Boundary(unit=unit, geometry=geometry) for unit, geometry in areas])


# --- the map a dashboard shows -------------------------------------------------------------------------


@dataclass
class Area:
    code: str
    name: str
    appeals: int
    overdue: int
    link: str  # the list of the period's appeals of this area
    overdue_link: str


@dataclass
class MapData:
    """The outlines and figures of one dashboard's map: the district's townships, or one township's
    villages (for a viewer whose unit is that township or one of its villages)."""

    name: str  # the map's registered name
    level: str  # "township" or "village"
    areas: list[Area] = field(default_factory=list)
    features: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.features

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "level": self.level,
            "geojson": {"type": "FeatureCollection", "features": self.features},
            "names": [area.name for area in self.areas],
            "appeals": [area.appeals for area in self.areas],
            "overdue": [area.overdue for area in self.areas],
            "links": [area.link for area in self.areas],
            "overdue_links": [area.overdue_link for area in self.areas],
        }


def _list(**params: Any) -> str:
    return f"{reverse('appeals:list')}?{urlencode({k: v for k, v in params.items() if v not in ('', None)})}"


def _township_of(unit: Unit | None) -> Unit | None:
    if unit is None:
        return None
    if unit.kind == UnitKind.TOWNSHIP:
        return unit
    if unit.kind in RESIDENTIAL_KINDS and unit.parent is not None and unit.parent.kind == UnitKind.TOWNSHIP:
        return unit.parent
    return None


def map_data(unit: Unit | None, first: date, last: date) -> MapData:
    """The map of a dashboard for ``unit`` (None: the district) over [first, last]: townships coloured
    by the summary's appeal counts, or a township's villages by one grouped query each for appeals and
    overdue (the index on village and received time serves it)."""
    town = _township_of(unit)
    now = timezone.now()
    period = {"received_from": first.isoformat(), "received_to": last.isoformat()}
    overdue = due_filter(DueStatus.OVERDUE, now)
    if town is None:
        level, name = "township", "minyi-district"
        areas = Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True)
        received = {int(k): n for k, n in summary.counts(unit, first, last)["township"].items() if k}
        late = dict(
            Appeal.objects.filter(summary.of_unit(unit), overdue, township__isnull=False)
            .order_by()
            .values_list("township")
            .annotate(n=Count("pk"))
        )
    else:
        level, name = "village", f"minyi-{town.code}"
        areas = Unit.objects.filter(parent=town, kind__in=RESIDENTIAL_KINDS, is_active=True)
        appeals = Appeal.objects.filter(township=town, village__isnull=False).exclude(state=State.MERGED)
        start, end = day_bounds(first, last)
        received = dict(
            appeals.filter(received_at__gte=start, received_at__lt=end)
            .order_by()
            .values_list("village")
            .annotate(n=Count("pk"))
        )
        late = dict(appeals.filter(overdue).order_by().values_list("village").annotate(n=Count("pk")))
    outlines = dict(Boundary.objects.filter(unit__in=areas).values_list("unit_id", "geometry"))
    found = MapData(name=name, level=level)
    for area in areas.order_by("sort", "path"):
        if area.pk not in outlines:
            continue
        township = area.pk if town is None else town.pk
        found.areas.append(
            Area(
                code=area.code,
                name=area.name,
                appeals=received.get(area.pk, 0),
                overdue=late.get(area.pk, 0),
                link=_list(township=township, **period),
                overdue_link=_list(township=township, due=DueStatus.OVERDUE.value),
            )
        )
        found.features.append(
            {
                "type": "Feature",
                "properties": {"name": area.name, "code": area.code},
                "geometry": outlines[area.pk],
            }
        )
    return found


def as_geojson() -> dict[str, Any]:
    """The stored set as one FeatureCollection (what the admin page offers to download back)."""
    features = [
        {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}
        for code, name, geometry in Boundary.objects.order_by("unit__path").values_list(
            "unit__code", "unit__name", "geometry"
        )
    ]
    return {"type": "FeatureCollection", "features": features}
