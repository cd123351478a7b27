"""The one tokenizer and masked-place pattern that the classifier and the hotspot finder share."""

from __future__ import annotations

from minyi.insight import classifier, hotspots, text


def test_a_masked_code_is_a_capital_letter_and_digits_before_its_suffix() -> None:
    assert text.place_codes("A市A3区K9县M6州西地省") == ["A市", "A3区", "K9县", "M6州", "西地省"]
    # A digit may stand before a code (a year, a hotline number), a Latin letter may not.
    assert text.place_codes("2015A7县中考，12345F市热线") == ["A7县", "F市"]
    assert text.place_codes("AB1区") == []


def test_an_estates_small_lettered_block_is_not_a_masked_place() -> None:
    assert text.place_codes("保利香槟国际d区，北辰三角洲c2区") == []
    assert text.without_place_codes("北辰三角洲c2区") == "北辰三角洲c2区"


def test_classifier_and_hotspots_read_the_codes_alike() -> None:
    sentence = "A市A3区丽发新城小区c区停车难"
    assert classifier.normalise(sentence) == "市区丽发新城小区c区停车难"
    assert hotspots.words(sentence)[:2] == ["A市", "A3区"]
    assert not any(word.startswith("c") for word in hotspots.words(sentence))
