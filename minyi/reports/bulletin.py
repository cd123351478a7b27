"""The campaign bulletin (工作简报): every figure computed from the records, written as sentences in the
register of an official work bulletin, for any campaign, unit and period.

``gather`` counts (one grouped query per table where it can), ``compose`` turns the figures into
sections of sentences in the active language (Chinese first), and ``as_markdown`` / ``as_html`` /
``as_pdf`` lay it out. The page (views.py), ``manage.py reports bulletin`` and the weekly job
(jobs.py) all go through ``build``, so they always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from minyi.appeals.choices import Channel, State
from minyi.appeals.models import Appeal
from minyi.dates import day_start, written_day
from minyi.evaluation.results import summary as evaluation_summary
from minyi.exemplars import rules as exemplar_rules
from minyi.kpi import rules as kpi_rules
from minyi.kpi.choices import Metric
from minyi.kpi.metrics import Period as KpiPeriod
from minyi.ledger import rules as ledger_rules
from minyi.ledger.choices import IssueState, Track
from minyi.ledger.models import Campaign, Issue
from minyi.org.models import Unit
from minyi.outreach.choices import PlaceKind
from minyi.outreach.coverage import coverage
from minyi.outreach.models import Visit
from minyi.partybuilding import rules as partybuilding_rules
from minyi.reports import rules as report_rules
from minyi.reports import summary
from minyi.reports.models import BulletinIssue, BulletinMasthead
from minyi.reports.numbers import about, listing, percent
from minyi.study import rules as study_rules
from minyi.study.choices import ActivityKind, BranchKind, MaterialKind
from minyi.study.models import Attendance
from minyi.supervision.models import Notice
from minyi.symposia.summary import summary as symposia_summary

#: The longest period a bulletin covers (a campaign runs for months; a year and a bit is plenty).
MAX_DAYS = 400


@dataclass(frozen=True)
class Scope:
    """What a bulletin covers: a campaign (optional), a period (local dates, inclusive) and a unit
    subtree (None: the whole district)."""

    campaign: Campaign | None
    date_from: date
    date_to: date
    unit: Unit | None = None
    #: Dates asked for (not taken from the campaign): then only activities with a session in them count.
    dates_given: bool = True

    @property
    def start(self) -> datetime:
        return day_start(self.date_from)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return day_start(self.date_to + timedelta(days=1))


def scope_for(
    *,
    campaign: Campaign | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    unit: Unit | None = None,
    today: date | None = None,
) -> Scope:
    """The scope asked for: the campaign's dates unless other dates are given (up to today for a
    campaign still running); a clear error for a period that ends before it starts or is too long."""
    today = today or timezone.localdate()
    if campaign is None and (date_from is None or date_to is None):
        raise ValidationError(_("Choose a campaign, or give both dates of the period."), code="period")
    start = date_from or (campaign.starts_on if campaign else today)
    end = date_to or (min(campaign.ends_on, today) if campaign else today)
    if campaign is not None and date_to is None and end < start:
        end = campaign.ends_on  # a campaign that has not started yet: its planned span
    if end < start:
        raise ValidationError(_("The period ends before it starts."), code="period")
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("A bulletin covers at most %(n)d days.") % {"n": MAX_DAYS}, code="period")
    given = campaign is None or date_from is not None or date_to is not None
    return Scope(campaign=campaign, date_from=start, date_to=end, unit=unit, dates_given=given)


# --- figures -------------------------------------------------------------------------------------------


def _appeals(scope: Scope) -> QuerySet[Appeal]:
    appeals = Appeal.objects.filter(received_at__gte=scope.start, received_at__lt=scope.end).exclude(
        state=State.MERGED
    )
    return appeals.filter(summary.of_unit(scope.unit))


def _hearing(scope: Scope) -> dict[str, Any]:
    appeals = _appeals(scope)
    by_channel = dict(appeals.order_by().values_list("channel").annotate(n=Count("pk")))
    answered = appeals.filter(state__in=(State.REPLIED, State.CLOSED)).count()
    total = sum(by_channel.values())
    held = symposia_summary(date_from=scope.date_from, date_to=scope.date_to, within=scope.unit).total
    return {
        "opinions": total,
        "by_channel": {channel: by_channel.get(channel, 0) for channel in Channel.values},
        "answered": answered,
        "symposia": {"held": held.symposia, "attendees": held.attendees, "opinions": held.opinions},
        "evaluation": _evaluation(scope),
    }


def _evaluation(scope: Scope) -> dict[str, int]:
    """Evaluation forms of the campaign (all forms when the bulletin has none) and their answers."""
    found = evaluation_summary(scope.campaign)
    return {"forms": found["forms"], "answers": found["answers"]}


def _study(scope: Scope) -> dict[str, Any]:
    if scope.dates_given:
        period = study_rules.Period(campaign=scope.campaign, date_from=scope.date_from, date_to=scope.date_to)
    else:
        period = study_rules.Period(campaign=scope.campaign)
    figures = study_rules.summary(period, scope.unit)
    sessions = period.sessions()
    if scope.unit is not None:
        sessions = sessions.filter(activity__unit__path__startswith=scope.unit.path)
    figures["sessions_by_kind"] = {
        kind: n for kind, n in sessions.order_by().values_list("activity__kind").annotate(n=Count("pk"))
    }
    at_sea = sessions.exclude(ship="")
    reached_at_sea = Attendance.objects.filter(
        session__in=at_sea, person__membership__current_branch__kind=BranchKind.FLOATING
    )
    figures["at_sea"] = {
        "sessions": at_sea.count(),
        "members": reached_at_sea.values("person").distinct().count(),
    }
    models = exemplar_rules.summary(scope.campaign, scope.date_from, scope.date_to, unit=scope.unit)
    figures["role_models"] = {
        key: models[key] for key in ("exemplars_total", "showings", "audience", "activities_linked")
    }
    return figures


def _visits(scope: Scope) -> dict[str, Any]:
    found = coverage(
        within=scope.unit, date_from=scope.date_from, date_to=scope.date_to, by_visitor=False
    ).total
    visits = Visit.objects.filter(
        visited_on__gte=scope.date_from, visited_on__lte=scope.date_to, place_kind=PlaceKind.HOUSEHOLD
    )
    if scope.unit is not None:
        visits = visits.filter(village__path__startswith=scope.unit.path)
    return {
        "villages": {"visited": found.villages_visited, "total": found.villages_total},
        "households": {"visited": found.households_visited, "total": found.households_total},
        "household_visits": visits.count(),
        "difficulties": {"found": found.difficulties_found, "resolved": found.difficulties_resolved},
    }


def _rectification(scope: Scope) -> dict[str, Any]:
    # Overdue is counted on the period's last day (or today, for a period still running): the bulletin
    # says that day, so that it never reads as contradicting the ledger's overdue items of a later day.
    as_of = min(scope.date_to, timezone.localdate())
    tracks = ledger_rules.summary(campaign=scope.campaign, unit=scope.unit, today=as_of)
    # A campaign's notices are those about its items and its appeals, whenever issued (the last ones
    # come after it ends); without a campaign, those issued in the period.
    if scope.campaign is not None:
        notices = Notice.objects.filter(
            Q(issue__campaign=scope.campaign)
            | Q(appeal__received_at__gte=scope.start, appeal__received_at__lt=scope.end)
        )
    else:
        notices = Notice.objects.filter(issued_at__gte=scope.start, issued_at__lt=scope.end)
    if scope.unit is not None:
        notices = notices.filter(unit__path__startswith=scope.unit.path)
    units = kpi_rules.ranked_units()
    if scope.unit is not None:
        units = units.filter(path__startswith=scope.unit.path)
    sums: dict[str, list[int]] = {}
    for unit_kpis in kpi_rules.count_all(KpiPeriod(scope.date_from, scope.date_to), list(units)):
        for metric, value in unit_kpis.rates.items():
            k_n = sums.setdefault(metric, [0, 0])
            k_n[0] += value.k
            k_n[1] += value.n
    issues = Issue.objects.filter(quantity_total__isnull=False, state=IssueState.SIGNED_OFF)
    if scope.campaign is not None:
        issues = issues.filter(campaign=scope.campaign)
    if scope.unit is not None:
        issues = issues.filter(lead_unit__path__startswith=scope.unit.path)
    party = partybuilding_rules.summary(campaign=scope.campaign, unit=scope.unit)
    return {
        "tracks": ledger_rules.summary_json(tracks),
        "quantities": [ledger_rules.quantity_text(issue) for issue in issues.order_by("deadline", "pk")[:5]],
        "village_organisations": partybuilding_rules.summary_json(party),
        "village_organisations_sentence": partybuilding_rules.summary_sentence(party),
        "overdue": sum(f.overdue for f in tracks),
        "as_of": as_of.isoformat(),
        "notices": notices.count(),
        "rates": {
            metric: {"k": sums.get(metric, [0, 0])[0], "n": sums.get(metric, [0, 0])[1]}
            for metric in (Metric.RESPONSE, Metric.RESOLUTION, Metric.SATISFACTION)
        },
    }


def gather(scope: Scope) -> dict[str, Any]:
    """Every figure of the bulletin, as plain data (also the JSON the command prints)."""
    return {
        "campaign": scope.campaign.code if scope.campaign else None,
        "campaign_id": scope.campaign.pk if scope.campaign else None,
        "unit": scope.unit.code if scope.unit else None,
        "from": scope.date_from.isoformat(),
        "to": scope.date_to.isoformat(),
        "study": _study(scope),
        "hearing": _hearing(scope),
        "visits": _visits(scope),
        "rectification": _rectification(scope),
    }


# --- sentences -----------------------------------------------------------------------------------------


@dataclass
class Section:
    heading: str
    sentences: list[str] = field(default_factory=list)


@dataclass
class Bulletin:
    title: str
    period: str
    issued: str
    sections: list[Section]
    figures: dict[str, Any]
    #: The issuing office, the issue number ("第3期"; "" until the office numbers it) and the
    #: distribution block at the foot: (报, names), (送, names), (发, names), those filled in.
    office: str = ""
    number: str = ""
    distribution: list[tuple[str, str]] = field(default_factory=list)

    def numbered_sections(self) -> list[tuple[str, Section]]:
        """The sections with their numbers as an office writes them: 一、二、三、 (1. 2. 3. in English)."""
        return [(section_number(index), section) for index, section in enumerate(self.sections, start=1)]


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99: a bulletin's sections and issues)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}" if n < 100 else str(n)


def section_number(n: int) -> str:
    return f"{chinese_number(n)}、" if (get_language() or "").startswith("zh") else f"{n}. "


def _study_section(f: dict[str, Any]) -> Section:
    section = Section(_("Study and education"))
    by_kind, sessions = f["activities"], f["sessions_by_kind"]
    parts = []
    if sessions.get(ActivityKind.LECTURE_TOUR):
        parts.append(
            _("held %(n)s lecture-tour sessions") % {"n": about(sessions[ActivityKind.LECTURE_TOUR])}
        )
    if by_kind.get(ActivityKind.REPORT):
        parts.append(
            _("gave %(n)s special reports and lectures") % {"n": about(by_kind[ActivityKind.REPORT])}
        )
    if by_kind.get(ActivityKind.DISCUSSION):
        parts.append(_("organised %(n)s discussions") % {"n": about(by_kind[ActivityKind.DISCUSSION])})
    if by_kind.get(ActivityKind.RESEARCH):
        parts.append(_("took up %(n)s research topics") % {"n": about(by_kind[ActivityKind.RESEARCH])})
    if parts:
        section.sentences.append(_("The campaign %(what)s.") % {"what": listing(parts)})
    members, mobile, sea = f["members"], f["mobile_members"], f["at_sea"]
    if members["total"]:
        section.sentences.append(
            _("%(reached)s of %(total)s party members took part in study (%(share)s).")
            % {"reached": members["reached"], "total": members["total"],
               "share": percent(members["reached"], members["total"])}
        )  # fmt: skip
    if mobile["total"]:
        text = _("%(reached)s of the %(total)s mobile party members were reached") % {
            "reached": mobile["reached"], "total": mobile["total"]}  # fmt: skip
        if sea["members"]:
            text += _(", among them %(members)s members at sea in %(sessions)s sessions held on board") % {
                "members": sea["members"], "sessions": sea["sessions"]}  # fmt: skip
        section.sentences.append(text + _("."))
    if f["left_behind"]:
        section.sentences.append(
            _("%(n)s members have not yet taken part and are being followed up.") % {"n": f["left_behind"]}
        )
    models = f["role_models"]
    if models["exemplars_total"]:
        text = _("Members learnt from %(n)s role models") % {"n": models["exemplars_total"]}
        if models["showings"]:
            shown = _(", whose films and exhibitions were shown %(showings)s times to %(audience)s people")
            text += shown % {"showings": models["showings"], "audience": about(models["audience"])}
        section.sentences.append(text + _("."))
    pieces = {
        MaterialKind.DISC: _("%(n)s discs"),
        MaterialKind.BOOK: _("%(n)s books"),
        MaterialKind.BROCHURE: _("%(n)s brochures"),
    }
    handed = [text % {"n": f["materials"][kind]} for kind, text in pieces.items() if f["materials"].get(kind)]
    if handed:
        section.sentences.append(_("Handed out %(items)s.") % {"items": listing(handed)})
    return section


def _hearing_section(f: dict[str, Any]) -> Section:
    section = Section(_("Hearing opinions"))
    channels = [
        _("%(channel)s %(n)s") % {"channel": Channel(channel).label, "n": about(n)}
        for channel, n in sorted(f["by_channel"].items(), key=lambda item: -item[1])
        if n
    ]
    held = f["symposia"]
    if held["held"]:
        section.sentences.append(
            _("%(n)s symposia were held, hearing %(people)s people and %(opinions)s opinions.")
            % {"n": held["held"], "people": about(held["attendees"]), "opinions": about(held["opinions"])}
        )
    if f["evaluation"]["answers"]:
        section.sentences.append(
            _("%(forms)s evaluations were held and %(answers)s anonymous forms were returned.")
            % {"forms": f["evaluation"]["forms"], "answers": about(f["evaluation"]["answers"])}
        )
    if f["opinions"]:
        text = _("%(n)s opinions and suggestions were collected") % {"n": about(f["opinions"])}
        if channels:
            text += _(", of which %(channels)s") % {"channels": listing(channels)}
        section.sentences.append(text + _("."))
        section.sentences.append(
            _("%(n)s of them have been answered (%(share)s).")
            % {"n": about(f["answered"]), "share": percent(f["answered"], f["opinions"])}
        )
    else:
        section.sentences.append(_("No opinions were recorded in this period."))
    return section


def _visits_section(f: dict[str, Any]) -> Section:
    section = Section(_("Visits to villages and households"))
    villages, households = f["villages"], f["households"]
    if villages["visited"] or f["household_visits"]:
        section.sentences.append(
            _("Leaders and cadres visited %(villages)s villages (%(share)s of %(total)s) and made %(visits)s "
              "household visits, reaching %(households)s households (%(hshare)s).")
            % {"villages": villages["visited"], "total": villages["total"],
               "share": percent(villages["visited"], villages["total"]),
               "visits": about(f["household_visits"]),
               "households": about(households["visited"]),
               "hshare": percent(households["visited"], households["total"])}
        )  # fmt: skip
    else:
        section.sentences.append(_("No visits were recorded in this period."))
    difficulties = f["difficulties"]
    if difficulties["found"]:
        section.sentences.append(
            _("%(found)s difficulties were found, and %(resolved)s have been resolved.")
            % {"found": about(difficulties["found"]), "resolved": about(difficulties["resolved"])}
        )
    return section


def _rectification_section(f: dict[str, Any]) -> Section:
    section = Section(_("Rectification work"))
    parts = []
    for track in Track:
        row = f["tracks"][track.value]
        if not row["total"]:
            continue
        if row["closed"] == row["total"]:
            text = _("%(track)s %(total)s items, all completed") % {
                "track": track.label,
                "total": row["total"],
            }
        else:
            text = _("%(track)s %(total)s items, %(closed)s completed") % {
                "track": track.label, "total": row["total"], "closed": row["closed"]}  # fmt: skip
        if row["converted_to_long_term"]:
            text += _(", %(n)s became long-term work") % {"n": row["converted_to_long_term"]}
        parts.append(text)
    if parts:
        section.sentences.append(_("; ").join(parts) + _("."))
    if f["quantities"]:
        section.sentences.append(
            _("Among the finished works: %(works)s.") % {"works": listing(f["quantities"])}
        )
    if f["village_organisations_sentence"]:
        section.sentences.append(f["village_organisations_sentence"] + _("."))
    as_of = written_day(date.fromisoformat(f["as_of"]))
    if f["overdue"]:
        section.sentences.append(
            _(
                "As of %(day)s, %(n)s items were past their deadline; "
                "%(notices)s supervision notices were issued."
            )
            % {"day": as_of, "n": f["overdue"], "notices": f["notices"]}
        )
    elif parts:
        section.sentences.append(
            _("As of %(day)s, no item was past its deadline; %(notices)s supervision notices were issued.")
            % {"day": as_of, "notices": f["notices"]}
        )
    rates = {metric: percent(v["k"], v["n"]) for metric, v in f["rates"].items()}
    if any(v["n"] for v in f["rates"].values()):
        section.sentences.append(
            _("Response rate %(response)s, resolution rate %(resolution)s, "
              "satisfaction rate %(satisfaction)s.")
            % {"response": rates[Metric.RESPONSE], "resolution": rates[Metric.RESOLUTION],
               "satisfaction": rates[Metric.SATISFACTION]}
        )  # fmt: skip
    return section


def compose(
    scope: Scope,
    figures: dict[str, Any],
    *,
    issue: BulletinIssue | None = None,
    head: BulletinMasthead | None = None,
) -> Bulletin:
    """The bulletin's sentences in the active language, from ``gather``'s figures, headed by the office's
    masthead and numbered when ``issue`` gives it a number."""
    name = scope.campaign.name if scope.campaign else _("Hearing the people")
    where = scope.unit.name if scope.unit else ""
    head = head or BulletinMasthead(office="")
    blocks = [
        (_("Reported to"), head.report_to),
        (_("Copied to"), head.copy_to),
        (_("Sent to"), head.send_to),
    ]
    return Bulletin(
        office=head.office,
        number=_("Issue %(n)s of %(year)s") % {"n": issue.number, "year": issue.year} if issue else "",
        distribution=[(label, names) for label, names in blocks if names.strip()],
        title=_("%(name)s work bulletin") % {"name": f"{where}{name}"},
        period=_("Figures from %(start)s to %(end)s")
        % {"start": written_day(scope.date_from), "end": written_day(scope.date_to)},
        issued=written_day(issue.issued_on if issue else timezone.localdate()),
        sections=[
            _study_section(figures["study"]),
            _hearing_section(figures["hearing"]),
            _visits_section(figures["visits"]),
            _rectification_section(figures["rectification"]),
        ],
        figures=figures,
    )


def build(scope: Scope) -> Bulletin:
    """The bulletin of ``scope`` as it stands, with its number if the office has numbered it."""
    return compose(scope, gather(scope), issue=report_rules.issue_of(scope), head=report_rules.masthead())


# --- layouts -------------------------------------------------------------------------------------------


def as_markdown(bulletin: Bulletin) -> str:
    lines = [_("Work bulletin")]
    if bulletin.number:
        lines.append(bulletin.number)
    lines += [
        "",
        f"{bulletin.office}　{bulletin.issued}".strip(),
        "",
        f"# {bulletin.title}",
        "",
        bulletin.period,
        "",
    ]
    for number, section in bulletin.numbered_sections():
        lines += [f"## {number}{section.heading}", "", "".join(section.sentences), ""]
    if bulletin.distribution:
        lines += ["---", ""] + [f"{label}：{names}  " for label, names in bulletin.distribution]
    return "\n".join(lines)


def as_html(bulletin: Bulletin) -> str:
    """A whole, standalone HTML document (print layout, no external resource)."""
    return render_to_string("reports/bulletin_print.html", {"bulletin": bulletin})


def as_pdf(bulletin: Bulletin) -> bytes:
    """The print layout as PDF, fonts from the machine (fonts-noto-cjk), nothing fetched."""
    import weasyprint  # imported here: only the PDF needs it, and it loads system libraries

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"the bulletin loads nothing from outside: {url}")

    return weasyprint.HTML(string=as_html(bulletin), url_fetcher=no_fetch).write_pdf()
