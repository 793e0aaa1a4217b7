"""The transformer's thresholds match the numerics it ships with.

``make train`` (or ``python -m training.finetune --tune-only``) tunes the word
threshold on the numerics ``load_model`` uses (int8 dynamic quantisation on
CPU) and records a sample of word probabilities in ``numerics_check.json``.
Here the shipped files give them again: every sampled word must sit on the same
side of the threshold, so a change of numerics (float32, another quantisation)
without re-tuning fails.
"""

from __future__ import annotations

import json

import pytest

from detector.document import make_document
from detector.models import load_model, model_dir


@pytest.fixture(scope="module")
def shipped():
    folder = model_dir("transformer")
    check = json.loads((folder / "numerics_check.json").read_text("utf-8"))
    config = json.loads((folder / "config.json").read_text("utf-8"))
    return load_model("transformer"), check, config


def test_the_thresholds_were_tuned_on_the_numerics_that_load(shipped):
    model, check, config = shipped
    assert config["numerics"] == model.numerics == check["numerics"]
    assert check["word_threshold"] == model.word_threshold == config["word_threshold"]


def test_sampled_word_probabilities_sit_on_the_recorded_side_of_the_threshold(shipped):
    model, check, _ = shipped
    documents = [make_document(text) for text in check["texts"]]
    probabilities = model.word_probabilities(documents)
    threshold = check["word_threshold"]
    sides = {"above": 0, "below": 0}
    for text, k, word, recorded in check["words"]:
        assert documents[text].words[k] == word
        p = probabilities[text][k]
        assert (p >= threshold) == (recorded >= threshold), (word, p, recorded)
        assert p == pytest.approx(recorded, abs=0.03)
        sides["above" if recorded >= threshold else "below"] += 1
    assert sides["above"] >= 5 and sides["below"] >= 5


def test_a_documents_probabilities_do_not_depend_on_the_documents_scored_with_it(shipped):
    # int8 layers quantise their input with one scale per call: windows batched with
    # other documents' windows (and padding) used to move a word's probability by up to
    # 0.9, so `label` (16 articles a call) and `score` (one) disagreed.
    model, check, _ = shipped
    words = check["texts"][0].split()
    texts = [" ".join(words[:60]), check["texts"][0], " ".join(words[200:500])]
    documents = [make_document(text) for text in texts]
    together = model.word_probabilities(documents)
    for document, probabilities in zip(documents, together, strict=True):
        assert model.word_probabilities([document]) == [probabilities]
