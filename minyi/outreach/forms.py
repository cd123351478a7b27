"""Forms of the outreach pages: the visit form (works on a phone without JavaScript: the difficulties
are a few fixed rows of a formset) and the coverage filter."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.appeals.models import Category
from minyi.fields import CategoryChoice, ModelChoice, UnitChoice
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Household, Person, Unit
from minyi.org.permissions import AnyUser, scope_filter
from minyi.outreach.choices import NOTED_ITEMS, Checklist, PairingState, PlaceKind, PlanPeriod
from minyi.outreach.models import CHECKLIST_LABEL_MAX, DIARY_MAX, DIFFICULTY_MAX, NOTE_MAX
from minyi.outreach.queries import campaign_running, household_choice_label, households_of_village
from minyi.outreach.rules import VISITOR_ROLES, DifficultyInput

DIFFICULTY_ROWS = 3


class VisitForm(forms.Form):
    """One visit; its fields are the keyword arguments of ``rules.record_visit`` (see ``arguments``).

    The village comes first; the household is then found among the village's households by the
    head's name or the door number (``household_search``, answered as you type by the household
    search page, and without JavaScript when the form is sent) and picked from the list
    (``household``, the household's code). The checklist's labels are the campaign's own words."""

    visited_on = forms.DateField(
        label=_("date of the visit"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    campaign = ModelChoice(
        label=_("campaign"), queryset=Campaign.objects.all(), required=False, empty_label=_("(no campaign)")
    )
    village = UnitChoice(
        label=_("village / community"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("(choose the village or community)"),
        error_messages={"invalid_choice": _("This village lies outside your area of work.")},
    )
    household_search = forms.CharField(
        label=_("household: head's name or door number"),
        max_length=50,
        required=False,
        help_text=_(
            "Type a few characters and pick the household; leave empty for a visit to the whole village."
        ),
    )
    household = forms.CharField(label=_("household"), max_length=32, required=False)
    enterprise = UnitChoice(
        label=_("or an enterprise"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("(no enterprise)"),
        error_messages={"invalid_choice": _("This enterprise lies outside your area of work.")},
    )
    contact_card = forms.BooleanField(label=Checklist.CONTACT_CARD.label, required=False)
    contact_card_note = forms.CharField(label=_("note"), max_length=NOTE_MAX, required=False)
    urgent_matter = forms.BooleanField(label=Checklist.URGENT_MATTER.label, required=False)
    urgent_matter_note = forms.CharField(label=_("note"), max_length=NOTE_MAX, required=False)
    diary = forms.BooleanField(label=Checklist.DIARY.label, required=False)
    diary_text = forms.CharField(
        label=_("diary (民情日记)"),
        max_length=DIARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    assistance_plan = forms.BooleanField(label=Checklist.ASSISTANCE_PLAN.label, required=False)
    assistance_plan_note = forms.CharField(label=_("note"), max_length=NOTE_MAX, required=False)
    review_session = forms.BooleanField(label=Checklist.REVIEW_SESSION.label, required=False)
    review_session_note = forms.CharField(label=_("note"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args: Any, user: AnyUser, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.fields["visited_on"].initial = today
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()
        self.fields["campaign"].initial = campaign_running(today)
        units = Unit.objects.filter(is_active=True).order_by("path")
        village, enterprise = self.fields["village"], self.fields["enterprise"]
        assert isinstance(village, forms.ModelChoiceField) and isinstance(enterprise, forms.ModelChoiceField)
        village.queryset = scope_filter(user, units.filter(kind__in=RESIDENTIAL_KINDS), "path")
        enterprise.queryset = scope_filter(user, units.filter(kind=UnitKind.ENTERPRISE), "path")
        search = reverse("outreach:household_search")
        live = {"hx-get": search, "hx-target": "#household-results", "hx-include": HOUSEHOLD_INPUTS}
        village.widget.attrs.update({**live, "hx-trigger": "change"})
        self.fields["household_search"].widget.attrs.update(
            {
                **live,
                "hx-trigger": "input changed delay:300ms, search",
                "type": "search",
                "autocomplete": "off",
                "enterkeyhint": "search",
                "aria-controls": "household-results",
            }
        )
        self.fields["campaign"].widget.attrs.update(
            {
                "hx-get": reverse("outreach:visit_checklist"),
                "hx-trigger": "change",
                "hx-target": "#five-ones",
                "hx-swap": "outerHTML",
                "hx-include": "[name=campaign], #five-ones",
            }
        )

    def chosen_village(self) -> Unit | None:
        """The village named by the form's data (in scope), whether or not the form is valid."""
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
        value = self.data.get(self.add_prefix("village")) if self.is_bound else None
        if not value or not str(value).isdigit():
            return None
        found: Unit | None = field.queryset.filter(pk=value).first()
        return found

    def chosen_campaign(self) -> Campaign | None:
        """The campaign the form shows: the one sent, else the one running today."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("campaign"))
            return Campaign.objects.filter(pk=value).first() if value and str(value).isdigit() else None
        initial = self.fields["campaign"].initial
        return initial if isinstance(initial, Campaign) else None

    def household_matches(self) -> list[tuple[str, str]]:
        """(code, label) of the households the search finds in the chosen village, the picked one first."""
        village = self.chosen_village()
        if village is None:
            return []
        query = str(self.data.get(self.add_prefix("household_search"), "")).strip()[:50]
        picked = str(self.data.get(self.add_prefix("household"), "")).replace("\x00", "").strip()
        found = list(households_of_village(village, query)) if query else []
        if picked and picked not in {h.code for h in found}:
            found[:0] = Household.objects.filter(village=village, code=picked)[:1]
        return [(h.code, household_choice_label(h, village)) for h in found]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("household", "")
        query = data.get("household_search", "")
        village = data.get("village")
        household: Household | None = None
        if code:
            household = Household.objects.select_related("village").filter(code=code).first()
            if household is None:
                self.add_error("household_search", _("No household has the code %(code)s.") % {"code": code})
        elif query:
            household = self._household_from_search(village, query)
        data["household"] = household
        return data

    def _household_from_search(self, village: Unit | None, query: str) -> Household | None:
        """The household the search names without a pick: its exact code, or the village's only match."""
        exact = Household.objects.select_related("village").filter(code=query).first()
        if exact is not None:
            return exact
        if village is None:
            self.add_error("village", _("Choose the village first, then its household."))
            return None
        matches = list(households_of_village(village, query)[:2])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            self.add_error(
                "household_search",
                _("No household of %(village)s matches “%(query)s”.")
                % {"village": village.name, "query": query},
            )
        else:
            self.add_error("household_search", _("Several households match: pick one from the list."))
        return None

    def checklist(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {Checklist.DIARY: data["diary"]}
        for item in NOTED_ITEMS:
            values[item] = data[item]
            values[f"{item}_note"] = data[f"{item}_note"]
        return values

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "visited_on": data["visited_on"],
            "village": data["village"],
            "household": data["household"],
            "enterprise": data["enterprise"],
            "campaign": data["campaign"],
            "checklist": self.checklist(),
            "diary_text": data["diary_text"],
        }


class ChecklistWordsForm(forms.Form):
    """A campaign's words for the five slots of the visit checklist; an empty word is the default."""

    contact_card = forms.CharField(
        label=Checklist.CONTACT_CARD.label, max_length=CHECKLIST_LABEL_MAX, required=False
    )
    urgent_matter = forms.CharField(
        label=Checklist.URGENT_MATTER.label, max_length=CHECKLIST_LABEL_MAX, required=False
    )
    diary = forms.CharField(label=Checklist.DIARY.label, max_length=CHECKLIST_LABEL_MAX, required=False)
    assistance_plan = forms.CharField(
        label=Checklist.ASSISTANCE_PLAN.label, max_length=CHECKLIST_LABEL_MAX, required=False
    )
    review_session = forms.CharField(
        label=Checklist.REVIEW_SESSION.label, max_length=CHECKLIST_LABEL_MAX, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["placeholder"] = str(field.label)


#: The inputs the household search sends: the village and what was typed.
HOUSEHOLD_INPUTS = "[name=village], [name=household_search], [name=household]"


class DifficultyForm(forms.Form):
    """One row of difficulties; an empty row is ignored."""

    text = forms.CharField(
        label=_("difficulty found"),
        max_length=DIFFICULTY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category = CategoryChoice(
        label=_("category"), queryset=Category.objects.all(), required=False, empty_label=_("(no category)")
    )
    handled_on_spot = forms.BooleanField(label=_("handled on the spot"), required=False)
    resolution = forms.CharField(label=_("how it was handled"), max_length=NOTE_MAX, required=False)

    def item(self) -> DifficultyInput | None:
        data = self.cleaned_data
        if not data.get("text", "").strip():
            return None
        return DifficultyInput(
            text=data["text"],
            category=data["category"],
            handled_on_spot=data["handled_on_spot"],
            resolution=data["resolution"],
        )


DifficultyFormSet = forms.formset_factory(DifficultyForm, extra=DIFFICULTY_ROWS, max_num=10)


class CoverageForm(forms.Form):
    """The period of the coverage page: a campaign, or from/to."""

    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all(), required=False)
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    show = forms.ChoiceField(
        label=_("not yet visited"),
        required=False,
        choices=[("villages", _("villages")), ("households", _("households"))],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data


class PairingFilterForm(forms.Form):
    """The filters of the pairings list: who, which kind of place, active or ended, and the period."""

    person = forms.CharField(label=_("leader or cadre"), max_length=50, required=False)
    place = forms.ChoiceField(label=_("place"), required=False, choices=[("", "—"), *PlaceKind.choices])
    state = forms.ChoiceField(label=_("state"), required=False, choices=[("", "—"), *PairingState.choices])
    campaign = ModelChoice(label=_("campaign"), queryset=Campaign.objects.all(), required=False)
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        campaign = data.get("campaign")
        if campaign is not None:  # the campaign's dates, unless narrowed by from / to
            data["date_from"] = data.get("date_from") or campaign.starts_on
            data["date_to"] = data.get("date_to") or campaign.ends_on
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data


class PersonChoiceField(ModelChoice):
    """People by name, unit and role: names repeat across a district."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit.name} · {obj.get_role_display()}"


class PairingForm(forms.Form):
    """A new pairing; its fields are the keyword arguments of ``rules.create_pairing``."""

    person = PersonChoiceField(
        label=_("leader or cadre"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose a leader or cadre of your area of work.")},
    )
    unit = UnitChoice(
        label=_("village, community or enterprise"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("This place lies outside your area of work.")},
    )
    household_code = forms.CharField(
        label=_("or a household code"),
        max_length=32,
        required=False,
        help_text=_("Leave empty to pair with the village or enterprise."),
    )
    visits_planned = forms.IntegerField(label=_("visits planned"), min_value=1, max_value=100, initial=1)
    period = forms.ChoiceField(label=_("per"), choices=PlanPeriod.choices, initial=PlanPeriod.MONTH)
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False)
    started_on = forms.DateField(label=_("since"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        person, unit = self.fields["person"], self.fields["unit"]
        assert isinstance(person, forms.ModelChoiceField) and isinstance(unit, forms.ModelChoiceField)
        people = Person.objects.filter(is_active=True, role__in=VISITOR_ROLES).select_related("unit")
        person.queryset = scope_filter(user, people.order_by("name", "pk"), "unit__path")
        places = Unit.objects.filter(is_active=True, kind__in=[*RESIDENTIAL_KINDS, UnitKind.ENTERPRISE])
        unit.queryset = scope_filter(user, places.order_by("path"), "path")

    def clean_household_code(self) -> Household | None:
        code = self.cleaned_data["household_code"].strip()
        if not code:
            return None
        household = Household.objects.select_related("village").filter(code=code).first()
        if household is None:
            raise forms.ValidationError(_("No household has the code %(code)s.") % {"code": code})
        return household

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "person": data["person"],
            "unit": data["unit"],
            "household": data["household_code"],
            "visits_planned": data["visits_planned"],
            "period": data["period"],
            "purpose": data["purpose"],
            "started_on": data["started_on"],
        }
