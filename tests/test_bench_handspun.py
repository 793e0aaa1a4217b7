"""The hand-spun sets of bench/bench_handspun.py: every set well formed, marks read back."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_handspun import SETS, parse, texts


def test_parse_gives_the_spun_text_and_where_each_swap_lies():
    text, swaps = parse("The {shore|bank} said {on account of|because of} rising costs.")
    assert text == "The shore said on account of rising costs."
    assert [(text[a:b], original) for a, b, original in swaps] == [
        ("shore", "bank"),
        ("on account of", "because of"),
    ]


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_hand_spun_set_is_well_formed(name):
    folder = SETS[name]
    found = texts(folder)
    assert found, f"{folder} holds no texts"
    for kind, file_name, text, swaps in found:
        where = f"{name}/{kind}/{file_name}"
        # A brace or pipe left after the marks are read is a malformed mark.
        assert not set("{}|") & set(text), where
        if kind == "spun":
            assert swaps, where  # a spun text marks its swaps
            assert all(text[a:b].strip() and original.strip() for a, b, original in swaps), where
