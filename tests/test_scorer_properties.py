"""Property tests of the reference scorer: any Unicode in, offsets that index the text out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detector.document import make_document
from detector.score import ReferenceScorer

ORIGINAL = (
    "The company's chief of staff completely rejected the report on Monday, saying that "
    "the council had a lot of work to do because of the floods."
)
# Words a spinner would write, odd characters, and any Unicode at all (lone surrogates too).
_WORDS = st.sampled_from(
    "corporate employees utterly rejected report Monday saying council plenty work floods "
    "on account of the a , . ' \u200b \u0441 \ud800 \x1b[31m \u202e ".split(" ")
)
_TEXT = st.one_of(
    st.lists(_WORDS, max_size=40).map(" ".join),
    st.text(max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=5),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suspect=_TEXT)
def test_every_span_indexes_the_suspect_text(scorer: ReferenceScorer, suspect: str):
    report = scorer.score(make_document(suspect, "suspect"), make_document(ORIGINAL, "original"))
    assert 0.0 <= report.spin_score <= 1.0
    for span in report.spans:
        assert suspect[span.start : span.end] == span.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(original=_TEXT, suspect=_TEXT)
def test_any_pair_of_texts_scores_without_an_exception(scorer, original, suspect):
    report = scorer.score(make_document(suspect), make_document(original))
    assert report.verdict in ("spun", "not_spun", "paraphrased")
    report.to_dict()
