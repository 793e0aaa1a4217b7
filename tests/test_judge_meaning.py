"""The judge's meaning evidence beyond Moby (issue 12): swaps another thesaurus makes."""

import os
import subprocess
import sys

import pytest

from detector.align import align
from detector.document import make_document
from detector.judge import SubstitutionJudge
from detector.lexicon import default_cache_dir, load_glue_phrases
from detector.meaning import MeaningEvidence, load_piece_embeddings


def _spans(judge, original: str, suspect: str):
    alignment = align(make_document(suspect), make_document(original))
    return [(s.text, s.original, s.kind) for s in judge.judge(alignment)]


@pytest.mark.parametrize(
    ("old", "new", "original", "suspect"),
    [
        # pairs the cross_spinner split's thesaurus made, which Moby does not list
        (
            "financial",
            "fiscal",
            "The minister said the financial plan would be published next week.",
            "The minister said the fiscal plan would be published next week.",
        ),
        (
            "people",
            "humans",
            "The minister said many people would be affected by the plan.",
            "The minister said many humans would be affected by the plan.",
        ),
        (
            "bonuses",
            "incentives",
            "The bank said its bonuses would be cut again this year.",
            "The bank said its incentives would be cut again this year.",
        ),
    ],
)
def test_a_swap_moby_does_not_list_is_a_synonym_inside_copied_text(
    judge, lexicon, old, new, original, suspect
):
    assert not lexicon.are_synonyms(old, new)
    assert _spans(judge, original, suspect) == [(new, old, "synonym")]


def test_without_meaning_evidence_the_same_swap_is_an_edit(lexicon):
    thesaurus_only = SubstitutionJudge(lexicon, load_glue_phrases(), meaning=False)
    spans = _spans(
        thesaurus_only,
        "The minister said the financial plan would be published next week.",
        "The minister said the fiscal plan would be published next week.",
    )
    assert spans == [("fiscal", "financial", "edit")]


@pytest.mark.parametrize(
    ("original", "suspect", "expected"),
    [
        (
            "The plan was drawn up by John Smith last year.",
            "The plan was drawn up by John Jones last year.",
            ("Jones", "Smith", "name"),
        ),
        (
            "The council said 12 schools would close.",
            "The council said 15 schools would close.",
            ("15", "12", "number"),
        ),
        (
            "The council said the meeting would be held on Tuesday in the town hall.",
            "The council said the meeting would be held on Wednesday in the town hall.",
            ("Wednesday", "Tuesday", "number"),
        ),
        # a correction: an unrelated word, not close in meaning
        (
            "The court found that he was guilty of the charges.",
            "The court found that he was innocent of the charges.",
            ("innocent", "guilty", "edit"),
        ),
        # a spelling change (syndication), never a meaning swap
        (
            "The organizations said the plan would be published next week.",
            "The organisations said the plan would be published next week.",
            ("organisations", "organizations", "edit"),
        ),
    ],
)
def test_names_numbers_dates_and_corrections_stay_ordinary_edits(
    judge, original, suspect, expected
):
    assert _spans(judge, original, suspect) == [expected]


def test_a_rewritten_stretch_is_not_read_word_by_word(judge):
    # "smartphones" is close to "phones" (by embeddings alone), but the words around it
    # were rewritten too.  (It read "humans" for "people" until Moby's "person" entry
    # reached "people" on 2026-12-05: now a thesaurus swap.)
    original = "Officials warned that families could lose their phones in the floods."
    spans = _spans(
        judge, original, "Officials warned that households might well see smartphones destroyed."
    )
    assert not any(kind == "synonym" and "smartphones" in text for text, _, kind in spans)
    spans = _spans(
        judge,
        original,
        "Officials warned that families could lose their smartphones in the floods.",
    )
    assert ("smartphones", "phones", "synonym") in spans


def test_meaning_evidence_checks_its_thresholds(lexicon):
    with pytest.raises(ValueError, match="'min_cosine' parameter of MeaningEvidence"):
        MeaningEvidence(lexicon, min_cosine=1.5)


def test_word_pieces_follow_the_models_vocabulary():
    embeddings = load_piece_embeddings(quiet=True)
    assert embeddings.pieces("fiscal") == [embeddings.vocab["fiscal"]]
    pieces = embeddings.pieces("law-breaking")
    assert pieces is not None and embeddings.vocab["-"] in pieces
    assert embeddings.pieces("x" * 100) is None
    assert embeddings.cosine("big", "large") > embeddings.cosine("big", "table")


def test_embeddings_are_cached_once_with_a_note_and_without_torch(tmp_path, capsys):
    first = load_piece_embeddings(tmp_path)
    assert "caching word embeddings" in capsys.readouterr().err
    again = load_piece_embeddings(tmp_path)
    assert capsys.readouterr().err == ""
    assert again.matrix.shape == first.matrix.shape
    assert len(list(tmp_path.iterdir())) == 1


def test_the_reference_path_reads_the_embeddings_without_torch(tmp_path):
    code = (
        "import sys\n"
        "from detector.score import score_texts\n"
        "report = score_texts('The minister said her smartphone would be replaced.',"
        " 'The minister said her phone would be replaced.')\n"
        "assert [s.kind for s in report.spans] == ['synonym'], report.spans\n"
        "assert 'torch' not in sys.modules and 'tokenizers' not in sys.modules\n"
    )
    env = {**os.environ, "SPINDETECT_CACHE": str(tmp_path)}
    lexicon = default_cache_dir()
    for folder in lexicon.glob("lexicon-*"):  # reuse the compiled thesaurus, not rebuild it
        (tmp_path / folder.name).symlink_to(folder)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "caching word embeddings" in done.stderr


def test_without_the_minilm_package_only_thesaurus_links_count(lexicon, monkeypatch):
    import detector.meaning as meaning

    def missing(*args, **kwargs):
        raise meaning.EmbeddingsMissing("the MiniLM word embeddings are missing")

    monkeypatch.setattr(meaning, "load_piece_embeddings", missing)
    evidence = MeaningEvidence(lexicon)
    assert not evidence.close("people", "humans")  # needed the embeddings
    assert evidence.close("financial", "fiscal")  # shared Moby synonyms
