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


def test_reference_mode_counts_a_sets_swaps_found_read_as_swaps_and_restored(tmp_path):
    from bench_reference_handspun import evaluate, table

    from detector.score import ReferenceScorer

    (tmp_path / "spun").mkdir()
    (tmp_path / "spun" / "01.txt").write_text(
        "The {infirmary|hospital} {stated|said} its {employees|staff} worked {rapidly|quickly} "
        "through the night. Officials {purchased|bought} a {large|big} building near the "
        "{stream|river} at its meeting {one month from now|next month}.\n",
        "utf-8",
    )
    counts = evaluate(tmp_path, ReferenceScorer())
    assert counts == {
        "texts": 1,
        "spun": 1,
        "swaps": 8,
        "found": 8,
        "as_swaps": 8,
        "restored": 8,
        "false": 0,
    }
    rows = table([("tiny", counts)])
    assert rows[2].startswith("| tiny | 1 | 8 | 100.0% (8/8) |")
    assert rows[-1].startswith("| **all sets** | 1 | 8 |")
