"""Syndication edits: realistic editorial changes that are not spinning."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from training.edits import (
    EDITS,
    add_boilerplate,
    change_headline,
    drop_honorifics,
    drop_sentences,
    move_paragraph,
    reformat_dates,
    reformat_numbers,
    respell,
    retype,
    reword,
    syndicate,
)

ARTICLE = (Path(__file__).parent / "fixtures" / "spin_article.txt").read_text("utf-8")
WIRE = (
    "KYIV - Ukrainian President Volodymyr Zelensky said on April 27 that his troops were still "
    "active in the region.\n"
    "Russia said on Saturday it had captured the village, where Kyiv launched an offensive in "
    "August 2024.\n"
    "\u201cOur military continues to defend the areas,\u201d Mr Zelensky said, adding that 1,200 "
    "soldiers and 3 generals were involved.\n"
    "Prices rose 5 per cent after the organisation criticised the programme.\n"
    "The centre said two reports were due."
)


def test_dates_switch_between_weekday_and_date() -> None:
    seen = {reformat_dates(WIRE, random.Random(seed)) for seed in range(30)}
    assert any("on Sunday that" in s or "on Monday that" in s for s in seen if s)
    assert any("on Saturday it" not in s and "Russia said on " in s for s in seen if s)
    assert reformat_dates("No dates at all.", random.Random(0)) is None


def test_us_and_british_date_order() -> None:
    text = "It began on May 3, 2024 and ended in June."
    seen = {reformat_dates(text, random.Random(seed)) for seed in range(20)}
    assert "It began on 3 May 2024 and ended in June." in seen


def test_honorifics_are_dropped_or_restyled() -> None:
    seen = {drop_honorifics(WIRE, random.Random(seed)) for seed in range(20)}
    assert any("Zelensky said, adding" in s and "Mr Zelensky" not in s for s in seen if s)
    assert any("Mr. Zelensky" in s for s in seen if s)


def test_numbers_are_restyled() -> None:
    seen = {reformat_numbers(WIRE, random.Random(seed)) for seed in range(40)}
    assert any("1200 soldiers" in s for s in seen if s)
    assert any("5%" in s or "5 percent" in s for s in seen if s)
    assert any("three generals" in s for s in seen if s)


def test_spelling_switches_house_style() -> None:
    edited = respell(WIRE, random.Random(0))
    assert "organization criticized the program" in edited and "5 percent" in edited
    assert "The center said" in edited


def test_sentences_dropped_and_paragraphs_moved() -> None:
    dropped = drop_sentences(ARTICLE, random.Random(1))
    assert dropped is not None and len(dropped) < len(ARTICLE)
    assert dropped.startswith("City Council Rejects Harbour Development Plan")
    moved = move_paragraph(ARTICLE, random.Random(1))
    assert moved is not None and moved != ARTICLE
    assert sorted(moved.split("\n\n")) == sorted(ARTICLE.split("\n\n"))


def test_headline_typography_and_boilerplate() -> None:
    headline = change_headline(WIRE, random.Random(0), "Zelensky says Ukraine still fighting")
    assert headline is not None and headline.endswith(WIRE)
    assert headline.split("\n")[0] != WIRE.split("\n")[0]
    straight = retype(WIRE, random.Random(0))
    assert straight is not None and '"Our military' in straight and "\u201c" not in straight
    assert len(add_boilerplate(WIRE, random.Random(0)).split("\n")) == len(WIRE.split("\n")) + 1


def test_syndicate_is_deterministic_and_names_its_edits() -> None:
    first = syndicate(ARTICLE, random.Random(5))
    assert syndicate(ARTICLE, random.Random(5)) == first
    text, applied = first
    assert text != ARTICLE and 2 <= len(applied) <= 4 and set(applied) <= set(EDITS)
    text, applied = syndicate(WIRE, random.Random(0), edits=1, kinds=["honorifics"])
    assert (applied == ("honorifics",) and "Mr Zelensky" not in text) or "Mr. Zelensky" in text


def test_syndicate_refuses_unknown_edits() -> None:
    with pytest.raises(
        ValueError, match=r"the 'kinds' parameter must list names from .*, got \['rhyme'\]"
    ):
        syndicate(ARTICLE, random.Random(0), kinds=["rhyme"])


def test_reword_changes_attributions_hedges_and_regional_words() -> None:
    text = (
        "\u201cWe will reopen,\u201d she said. Police said nearly 40 lorries were stuck. "
        "That said, the car park stayed open, Smith says. As Johnson said, the plan failed "
        "in roughly 2019."
    )
    seen = {reword(text, random.Random(seed), changes=(1, 1)) for seed in range(80)}
    edited = [s for s in seen if s]
    assert any("\u201cWe will reopen,\u201d she told reporters. Police" in s for s in edited)
    assert any("she added." in s for s in edited)
    assert any("almost 40 lorries" in s for s in edited)
    assert any("40 trucks" in s for s in edited)
    assert any("the parking lot stayed" in s for s in edited)
    assert any("Smith said." in s for s in edited)
    # No attribution: "That said," and "As Johnson said," (no quotation or comma before
    # the speaker), "Police said nearly" (the clause goes on); no year after a hedge.
    for s in edited:
        assert "That said," in s and "As Johnson said, the plan" in s
        assert "Police said nearly" in s or "Police said almost" in s
        assert "in roughly 2019." in s


def _changed_places(before: str, after: str) -> int:
    import difflib

    matcher = difflib.SequenceMatcher(a=before.split(), b=after.split(), autojunk=False)
    return sum(op != "equal" for op, *_ in matcher.get_opcodes())


def test_reword_makes_as_many_changes_as_asked_and_keeps_case() -> None:
    text = (
        "Nearly 30 people came, she said. Most of them were local. In order to help, "
        "roughly 10 stayed in the car park."
    )
    for seed in range(40):
        edited = reword(text, random.Random(seed), changes=(2, 2))
        assert edited is not None and _changed_places(text, edited) == 2
        assert edited.startswith(("Nearly 30", "Almost 30"))
    every = reword(text, random.Random(0), changes=(9, 9))  # fewer fit: each place once
    assert every is not None and _changed_places(text, every) == 5
    assert every.startswith("Almost 30 people came, she ") and "To help, about 10" in every
    assert "in the parking lot." in every and ("told reporters." in every or "added." in every)


def test_reword_returns_none_when_nothing_fits_and_checks_its_range() -> None:
    assert reword("The cat sat on the mat.", random.Random(0)) is None
    for bad in ((0, 2), (3, 2)):
        with pytest.raises(ValueError, match="changes"):
            reword("Nearly 30 people came.", random.Random(0), changes=bad)
