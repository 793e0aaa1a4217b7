"""The shipped transformer loads as it ships: no adapter merge, no quantisation, no cache.

Its network is stored as it computes (``detector.packed_weights``) and runs on a
plain-torch BERT (``detector.minilm``), so loading imports neither peft nor
transformers (seconds of start-up) and writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LOAD = """
import json, sys
from detector.models import load_model
from detector.document import make_document
model = load_model("transformer")
document = make_document(open("examples/spun.txt", encoding="utf-8").read())
p = model.word_probabilities([document])[0]
heavy = [m for m in ("peft", "transformers", "torch._dynamo") if m in sys.modules]
print(json.dumps({"heavy": heavy, "p": p}))
"""


def _load(cache: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "SPINDETECT_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", _LOAD], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_loading_imports_no_heavy_library_and_caches_nothing(tmp_path):
    first, second = _load(tmp_path), _load(tmp_path)
    assert first["heavy"] == [] == second["heavy"]
    assert first["p"] == second["p"]
    assert not (tmp_path / "transformer").exists()


def _rule_only_model(config: dict) -> object:
    """A TransformerModel that only judges documents (no network: its word probabilities
    are given)."""
    from detector.transformer_model import TransformerModel

    base = {"max_length": 256, "stride": 32, "word_threshold": 0.35}
    return TransformerModel(None, None, {**base, **config}, name="transformer")


def test_the_document_rule_asks_more_of_a_short_text_than_a_long_one():
    from detector.document import make_document

    model = _rule_only_model({"document_rule": {"rate": 0.005, "slack": 2.3, "floor": 0.0663}})
    short = make_document(
        "We met at a small café near the station. It was naïve of me to think the trains "
        "would run on time, but the coffee was good and the talk was better."
    )
    odd = {"café", "naïve"}  # 2 of its 14 content words flagged: 14%
    probabilities = [0.9 if w in odd else 0.0 for w in short.words]
    assert model.document_threshold == 0.5
    assert model.document_probability(short, probabilities) < 0.5
    # A long text with the same share flagged is spun.
    long = make_document(" ".join(["The council approved a new budget for the harbour."] * 40))
    flagged = {"budget", "harbour"}  # 2 of 5 content words a sentence
    probabilities = [0.9 if w in flagged else 0.0 for w in long.words]
    assert model.document_probability(long, probabilities) > 0.5


def test_a_model_tuned_before_the_rule_keeps_its_calibrated_share():
    from detector.document import make_document

    model = _rule_only_model(
        {"document_threshold": 0.7, "document_calibration": {"coef": 50.0, "intercept": -2.5}}
    )
    document = make_document("The council approved a new budget for the harbour.")
    probabilities = [0.9 if w == "budget" else 0.0 for w in document.words]
    assert model.document_threshold == 0.7
    # 1 of 5 content words: 1 / (1 + exp(-(-2.5 + 50 * 0.2)))
    assert abs(model.document_probability(document, probabilities) - 0.99945) < 1e-4


def test_a_text_called_clean_despite_flags_says_how_many_against_the_cut():
    from detector.document import make_document

    model = _rule_only_model({"document_rule": {"rate": 0.005, "slack": 2.3, "floor": 0.0663}})
    text = (
        "We met at a small café near the station. It was naïve of me to think the trains "
        "would run on time, but the coffee was good and the talk was better. The platform "
        "was crowded with commuters reading newspapers, and a porter wheeled a trolley of "
        "parcels past the ticket office while the announcer apologised for the delay."
    )
    document = make_document(text)
    odd = {"café", "naïve"}
    probabilities = [0.9 if w in odd else 0.0 for w in document.words]
    # 0.005 x 29 + 2.3 x sqrt(29) = 12.5: 13 of its 29 content words would make it spun.
    line = "2 of 29 content words flagged (13 make a text this long spun)"
    assert model.evidence(document, probabilities) == line
    # Through a report: the note of a clean verdict with flags, at the model's own threshold.
    model.word_probabilities = lambda documents: [probabilities]  # the network, stubbed
    report = model.score(document)
    assert (report.verdict, report.note) == ("not_spun", line)
    assert model.score(document, threshold=0.9).note is None  # another cut than the note's
    # A cut that moves the verdict says so, and what the model's own cut says.
    assert model.score(document, threshold=0.1).note == (
        "spun at threshold 0.1 (spin score 0.124); at the transformer model's own "
        "threshold of 0.500 it would be not spun"
    )
    model.word_probabilities = lambda documents: [[0.0] * len(document.words)]
    assert model.score(document).note is None  # no flags, nothing to explain
    model.word_probabilities = lambda documents: [[0.9] * len(document.words)]
    spun = model.score(document)
    assert (spun.verdict, spun.note) == ("spun", None)
    tuned = _rule_only_model({"document_calibration": {"coef": 50.0, "intercept": -2.5}})
    assert tuned.evidence(document, probabilities) is None
