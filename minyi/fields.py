"""The one way a form picks a unit or a category (docs/design.md, "Choosing a unit or a category").

Units come grouped by kind (<optgroup>: district offices, townships and streets, villages and
communities, …) and sorted by name in Chinese pinyin order, never by internal code; categories come
grouped under their level-1 category, in the tree's order; an empty choice reads "请选择", never
Django's "---------". Every form that picks a unit or a category uses these fields, so a select looks
the same on every page. Validation is Django's own (the value must be in the field's queryset): the
grouping only changes how the choices are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from minyi.org.choices import UnitKind

#: What an empty select says (Django's own is "---------").
PLEASE_CHOOSE = _("Please choose")

#: The order of the unit groups, and the group each kind falls in (villages and communities share one).
_KIND_GROUPS: tuple[tuple[tuple[str, ...], Any], ...] = (
    ((UnitKind.DISTRICT,), _("District")),
    ((UnitKind.DEPARTMENT,), _("District offices")),
    ((UnitKind.TOWNSHIP,), _("Townships and streets")),
    ((UnitKind.VILLAGE, UnitKind.COMMUNITY), _("Villages and communities")),
    ((UnitKind.ENTERPRISE,), _("Enterprises")),
    ((UnitKind.PARTY_BRANCH,), _("Party branches")),
)
_GROUP_OF_KIND = {kind: index for index, (kinds, _label) in enumerate(_KIND_GROUPS) for kind in kinds}


@lru_cache(maxsize=8192)
def pinyin_key(name: str) -> tuple[str, str]:
    """Sort key of a Chinese name in pinyin order (as a printed directory lists offices), ties by the
    name itself; letters and digits keep their place among the syllables."""
    syllables = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    return (" ".join(syllables).lower(), name)


def unit_groups(units: Iterable[Any]) -> list[tuple[str, list[Any]]]:
    """``units`` grouped by kind (groups in the order of ``_KIND_GROUPS``), each group sorted by name
    in pinyin order."""
    groups: dict[int, list[Any]] = {}
    for unit in units:
        groups.setdefault(_GROUP_OF_KIND.get(unit.kind, len(_KIND_GROUPS)), []).append(unit)
    return [
        (str(_KIND_GROUPS[index][1]) if index < len(_KIND_GROUPS) else "", sorted(members, key=_unit_key))
        for index, members in sorted(groups.items())
    ]


def _unit_key(unit: Any) -> tuple[str, str]:
    return pinyin_key(unit.name)


def _root_of(category: Any) -> Any:
    while category.parent_id is not None:
        category = category.parent
    return category


def _category_path(category: Any) -> list[Any]:
    chain = [category]
    while chain[-1].parent_id is not None:
        chain.append(chain[-1].parent)
    return chain[::-1]


def category_groups(categories: Sequence[Any]) -> list[tuple[str, list[tuple[Any, str]]]]:
    """``categories`` grouped under their level-1 category (in the tree's order), each with the label it
    shows: the level-1 category its own name, a deeper one its path below it ("市政设施 / 路灯")."""
    groups: dict[int, tuple[Any, list[Any]]] = {}
    for category in categories:
        root = _root_of(category)
        groups.setdefault(root.pk, (root, []))[1].append(category)

    def tree_key(category: Any) -> list[tuple[int, str, str]]:
        return [(node.sort, *pinyin_key(node.name)) for node in _category_path(category)]

    result = []
    for root, members in sorted(groups.values(), key=lambda pair: (pair[0].sort, pinyin_key(pair[0].name))):
        labelled = []
        for category in sorted(members, key=tree_key):
            below = _category_path(category)[1:]
            label = " / ".join(node.name for node in below) if below else root.name
            labelled.append((category, label))
        result.append((root.name, labelled))
    return result


class _GroupedIterator(ModelChoiceIterator):
    """Yields (group label, [choices]) pairs, which Django's select and checkbox widgets render as
    <optgroup> (or a labelled sub-list); a single group is shown without a heading."""

    field: Any

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if self.field.related:
            queryset = queryset.select_related(*self.field.related)
        groups = self.field.grouped(list(queryset))
        if len(groups) == 1:
            yield from (self._choice(obj, label) for obj, label in groups[0][1])
            return
        for name, members in groups:
            yield (name, [self._choice(obj, label) for obj, label in members])

    def _choice(self, obj: Any, label: str) -> tuple[Any, str]:
        value, _default = self.choice(obj)
        return (value, label)


class _Grouped:
    """What the unit and category fields share: "请选择" and the grouped iterator."""

    iterator: type[ModelChoiceIterator] = _GroupedIterator
    #: Related rows the labels read (select_related), so that no option costs a query.
    related: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", PLEASE_CHOOSE)
        super().__init__(*args, **kwargs)

    def grouped(self, objs: list[Any]) -> list[tuple[str, list[tuple[Any, str]]]]:
        raise NotImplementedError


class _UnitGrouping(_Grouped):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)

    def grouped(self, objs: list[Any]) -> list[tuple[str, list[tuple[Any, str]]]]:
        return [
            (name, [(unit, self.label_from_instance(unit)) for unit in units])
            for name, units in unit_groups(objs)
        ]


class _CategoryGrouping(_Grouped):
    # Three levels at most (minyi/appeals/categories.py): the labels read the parents.
    related = ("parent__parent",)

    def label_from_instance(self, obj: Any) -> str:
        return " / ".join(node.name for node in _category_path(obj))

    def grouped(self, objs: list[Any]) -> list[tuple[str, list[tuple[Any, str]]]]:
        return category_groups(objs)


class ModelChoice(forms.ModelChoiceField):
    """A ModelChoiceField whose empty choice reads "请选择"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", PLEASE_CHOOSE)
        super().__init__(*args, **kwargs)


class UnitChoice(_UnitGrouping, forms.ModelChoiceField):
    """One unit, grouped by kind and sorted by name in pinyin order."""


class UnitsChoice(_UnitGrouping, forms.ModelMultipleChoiceField):
    """Several units (e.g. co-handling units), grouped by kind and sorted by name in pinyin order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("empty_label", None)
        forms.ModelMultipleChoiceField.__init__(self, *args, **kwargs)


class CategoryChoice(_CategoryGrouping, forms.ModelChoiceField):
    """One category, grouped under its level-1 category."""
