"""The rules of the role-model library: who may keep it, bad input refused with nothing saved, showings
never in the future, links only by organisers of the activity's unit, and every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minyi.audit.models import AuditEvent
from minyi.exemplars import rules
from minyi.exemplars.choices import Level, MaterialKind
from minyi.exemplars.models import ActivityExemplar, Exemplar, ExemplarMaterial, Showing
from minyi.exemplars.tests.conftest import TODAY, Library
from minyi.study import rules as study_rules
from minyi.study.choices import ActivityKind
from minyi.testing import Actors

pytestmark = pytest.mark.django_db


def test_dispatcher_and_leader_keep_the_library_and_it_is_audited(actors: Actors) -> None:
    exemplar = rules.create_exemplar(
        name=" 焦裕禄 ",
        level=Level.NATIONAL,
        known_for="县委书记的榜样",
        place="兰考县",
        actor=actors.dispatcher,
    )
    assert exemplar.name == "焦裕禄" and exemplar.created_by == actors.dispatcher
    rules.edit_exemplar(
        exemplar, name="焦裕禄", level=Level.NATIONAL, known_for="县委书记的榜样", biography="1962年到兰考。",
        place="河南省兰考县", actor=actors.leader,
    )  # fmt: skip
    exemplar.refresh_from_db()
    assert (exemplar.place, exemplar.biography) == ("河南省兰考县", "1962年到兰考。")
    events = AuditEvent.objects.filter(object_type="exemplars.exemplar", object_id=str(exemplar.pk))
    assert list(events.order_by("pk").values_list("action", "actor__username")) == [
        ("exemplars.exemplar.create", "dispatcher"),
        ("exemplars.exemplar.edit", "leader"),
    ]
    assert events.get(action="exemplars.exemplar.edit").detail["fields"] == ["biography", "place"]


@pytest.mark.parametrize("who", ["cadre", "auditor", "member", "outsider"])
def test_others_may_not_keep_the_library(actors: Actors, who: str) -> None:
    with pytest.raises(PermissionDenied):
        rules.create_exemplar(name="某人", level=Level.LOCAL, known_for="事迹", actor=getattr(actors, who))
    assert not Exemplar.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  ", "level": Level.LOCAL, "known_for": "事迹"}, "name"),
        ({"name": "某人", "level": "planet", "known_for": "事迹"}, "Unknown level"),
        ({"name": "某人", "level": Level.LOCAL, "known_for": ""}, "known for"),
        ({"name": "某" * 101, "level": Level.LOCAL, "known_for": "事迹"}, "too long"),
    ],
)
def test_bad_exemplar_input_saves_nothing(actors: Actors, fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rules.create_exemplar(**fields, actor=actors.dispatcher)
    assert (
        not Exemplar.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="exemplars").exists()
    )


def test_the_same_person_of_the_same_place_is_in_the_library_once(library: Library) -> None:
    with pytest.raises(ValidationError, match="already has 焦裕禄"):
        rules.create_exemplar(
            name="焦裕禄", level=Level.LOCAL, known_for="x", place="河南省兰考县", actor=None
        )
    with pytest.raises(ValidationError, match="already has 焦裕禄"):
        rules.edit_exemplar(
            library.yang, name="焦裕禄", level=Level.NATIONAL, known_for="x", place="河南省兰考县", actor=None
        )
    # The same name of another place is another person.
    rules.create_exemplar(
        name="焦裕禄", level=Level.LOCAL, known_for="同名的村医", place="青山镇南村", actor=None
    )
    assert Exemplar.objects.filter(name="焦裕禄").count() == 2


def test_material_needs_a_known_kind_a_title_and_a_copy(library: Library) -> None:
    before = ExemplarMaterial.objects.count()
    for kwargs, message in [
        ({"kind": "poster", "title": "x", "copies": 1}, "Unknown kind"),
        ({"kind": MaterialKind.FILM, "title": " ", "copies": 1}, "title"),
        ({"kind": MaterialKind.FILM, "title": "x", "copies": 0}, "at least one copy"),
    ]:
        with pytest.raises(ValidationError, match=message):
            rules.add_material(library.gu, **kwargs, actor=library.actors.dispatcher)  # type: ignore[arg-type]
    assert ExemplarMaterial.objects.count() == before
    with pytest.raises(PermissionDenied):
        rules.add_material(library.gu, kind=MaterialKind.FILM, title="x", actor=library.actors.cadre)
    film = rules.add_material(
        library.gu, kind=MaterialKind.FILM, title="专题片", copies=5, actor=library.actors.leader
    )
    assert AuditEvent.objects.filter(
        action="exemplars.material.add", object_id=str(film.pk), subject="谷文昌"
    ).exists()


def test_a_showing_is_never_in_the_future_nor_to_a_negative_audience(library: Library) -> None:
    a = library.actors
    before = Showing.objects.count()
    with pytest.raises(ValidationError, match="future"):
        rules.record_showing(
            library.film,
            place="礼堂",
            shown_on=TODAY + dt.timedelta(days=1),
            audience=10,
            actor=a.dispatcher,
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="0 or more"):
        rules.record_showing(
            library.film, place="礼堂", shown_on=TODAY, audience=-1, actor=a.dispatcher, today=TODAY
        )
    with pytest.raises(ValidationError, match="where it was shown"):
        rules.record_showing(
            library.film, place=" ", shown_on=TODAY, audience=5, actor=a.dispatcher, today=TODAY
        )
    with pytest.raises(PermissionDenied):
        rules.record_showing(
            library.film, place="礼堂", shown_on=TODAY, audience=5, actor=a.cadre, today=TODAY
        )
    assert Showing.objects.count() == before
    # Today is fine, and a unit alone names the place.
    showing = rules.record_showing(
        library.film, place="", unit=a.village2, shown_on=TODAY, audience=0, actor=a.dispatcher, today=TODAY
    )
    assert (showing.place, showing.audience, showing.recorded_by) == ("西村", 0, a.dispatcher)
    event = AuditEvent.objects.get(action="exemplars.showing", object_id=str(showing.pk))
    assert event.detail["audience"] == 0 and event.detail["unit"] == "T1V2"


def test_organiser_links_and_unlinks_an_activity_of_their_unit(library: Library) -> None:
    a, study = library.actors, library.study
    link = rules.link_activity(study.research, library.gu, actor=a.cadre)
    assert link.linked_by == a.cadre
    assert list(rules.exemplars_of(study.research)) == [library.gu]
    rules.unlink_activity(study.research, library.gu, actor=a.cadre)
    assert not rules.exemplars_of(study.research).exists()
    actions = AuditEvent.objects.filter(
        object_type="study.activity", object_id=str(study.research.pk), action__startswith="exemplars."
    )
    assert list(actions.order_by("pk").values_list("action", flat=True)) == [
        "exemplars.link",
        "exemplars.unlink",
    ]


def test_a_duplicate_link_is_refused(library: Library) -> None:
    with pytest.raises(ValidationError, match="already linked"):
        rules.link_activity(library.study.tour, library.jiao, actor=library.actors.cadre)
    assert ActivityExemplar.objects.filter(activity=library.study.tour, exemplar=library.jiao).count() == 1
    with pytest.raises(ValidationError, match="not linked"):
        rules.unlink_activity(library.study.research, library.jiao, actor=library.actors.cadre)


def test_linking_an_activity_out_of_scope_is_refused(library: Library) -> None:
    a = library.actors
    far = study_rules.create_activity(
        kind=ActivityKind.REPORT, title="青山镇讲座", unit=a.other_town, actor=None
    )
    with pytest.raises(PermissionDenied):
        rules.link_activity(far, library.jiao, actor=a.cadre)  # the cadre organises 海城镇 only
    for who in (a.outsider, a.auditor, a.member):
        with pytest.raises(PermissionDenied):
            rules.link_activity(library.study.research, library.jiao, actor=who)
    with pytest.raises(PermissionDenied):
        rules.unlink_activity(library.study.tour, library.jiao, actor=a.outsider)
    assert not ActivityExemplar.objects.filter(activity__in=[far, library.study.research]).exists()
    assert ActivityExemplar.objects.filter(activity=library.study.tour, exemplar=library.jiao).exists()
    # District-wide organisers (the campaign office) may link any activity.
    rules.link_activity(far, library.jiao, actor=a.dispatcher)
