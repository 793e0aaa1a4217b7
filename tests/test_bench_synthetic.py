"""The large-archive synthesiser of bench/ (bench/synthetic_originals.py): seeded, varied."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from synthetic_originals import SentencePool, sentences_of, variety

PARAGRAPHS = [
    "Maria Lopez met the mayor of Springfield on 12 March 2019. She asked about the bridge. "
    "The council said 45 workers would start in June.",
    "The river rose by 3 metres overnight. Residents of Oakdale left their homes early. "
    "John Carter, a farmer, lost 120 sheep to the water.",
    "Scientists at Cambridge found a new beetle in Peru. The insect is 2 millimetres long. "
    "Professor Ann Smith called it a remarkable discovery.",
    "The team won the final 3-1 in Madrid. Their coach, Luis Ortega, praised the defence. "
    "Fans celebrated until dawn in the old town.",
]


def test_synthetic_originals_are_deterministic_per_seed():
    one, again, other = (SentencePool(PARAGRAPHS, seed=s) for s in (7, 7, 8))
    assert list(one.originals(20)) == list(again.originals(20))
    assert list(one.originals(20)) != list(other.originals(20))
    assert one.original(13) == list(one.originals(3, start=11))[2]  # by position alone


def test_synthetic_originals_vary_sentences_names_and_numbers():
    texts = list(SentencePool(PARAGRAPHS, seed=1).originals(200))
    sentences = Counter(s for t in texts for p in t.split("\n\n") for s in sentences_of(p))
    # 12 source sentences, about 3,600 drawn: only the few without names or numbers repeat.
    assert max(sentences.values()) <= 400
    assert variety(texts)["distinct_sentences"] > 0.4
    assert variety(texts)["distinct_capitalised"] > 0.3
    joined = "\n".join(texts)
    for name in ("Lopez", "Springfield", "Oakdale", "Carter", "Ortega", "Madrid"):
        assert name not in joined  # swapped for generated names (a sentence's first word stays)
    assert len(set(re.findall(r"John (\w+), a farmer", joined))) > 20


def test_synthetic_originals_keep_names_consistent_within_an_original():
    pool = SentencePool(["Anna Berg spoke first. Later Anna Berg spoke again."], seed=3)
    text = pool.original(0)
    first, *_ = sentences_of(text)
    name = first.split()[1]  # "Anna" opens the sentence; "Berg" is swapped
    assert name != "Berg" and text.count(name) >= 2


def test_synthetic_originals_refuse_a_bad_spin_rate_or_no_sentences():
    with pytest.raises(ValueError, match="'spin_rate' parameter"):
        SentencePool(PARAGRAPHS, spin_rate=1.5)
    with pytest.raises(ValueError, match="no sentence"):
        SentencePool(["Too short."])
