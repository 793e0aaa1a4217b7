"""The scikit-learn baseline: features, training end to end, the skops round trip, trust."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detector.baseline_model import BaselineModel, load_skops
from detector.document import make_document
from detector.errors import ModelNotFoundError
from detector.features import DocumentFeatures, WordEvidence, WordFeatures, word_feature_names

from .conftest import EXAMPLES

# Six short stories; each is spun twice by the training spinner and kept once as written.
STORIES = {
    "harbour": "The city council has rejected a controversial plan to build luxury flats on the "
    "old harbour, after thousands of residents said the development would destroy one of the "
    "town's last green spaces. Councillors voted against the proposal on Tuesday evening.",
    "school": "The school announced on Monday that it would close early for the summer because "
    "the heating system had failed again. Parents said they were worried about the lost lessons "
    "and asked the government to pay for the repairs quickly.",
    "river": "Heavy rain caused the river to burst its banks overnight, flooding dozens of homes "
    "and forcing families to leave. Emergency services worked through the night to rescue "
    "people trapped in their cars on the main road.",
    "market": "Shares fell sharply on Wednesday after the bank warned that profits would be lower "
    "than expected this year. Analysts said the company faced strong competition and rising "
    "costs, and several investors sold their stakes.",
    "hospital": "The new hospital opened its doors to patients this week after years of delays. "
    "Doctors said the modern building would help them treat more people, but nurses warned that "
    "the staff shortage remained a serious problem.",
    "festival": "Thousands of visitors gathered in the park for the annual music festival, which "
    "returned after a long break. Organisers said the event was a great success and promised an "
    "even bigger programme next year.",
}


def _rows(stories: list[str], spinner) -> dict[str, list]:
    from training.dataset import word_tags

    rows: dict[str, list] = {
        k: [] for k in ("id", "story_id", "suspect", "words", "tags", "label", "kind")
    }
    for story in stories:
        text = STORIES[story]
        versions = [(text, [], 0, "unspun")]
        for seed in (1, 2):
            result = spinner.spin(text, rate=0.45, seed=seed)
            versions.append((result.text, list(result.spans), 1, "spun"))
        for k, (suspect, spans, label, kind) in enumerate(versions):
            document = make_document(suspect)
            rows["id"].append(f"{story}-{k}")
            rows["story_id"].append(story)
            rows["suspect"].append(suspect)
            rows["words"].append(list(document.words))
            rows["tags"].append(word_tags(document, spans))
            rows["label"].append(label)
            rows["kind"].append(kind)
    return rows


@pytest.fixture(scope="module")
def tiny_dataset():
    datasets = pytest.importorskip("datasets")
    from detector.spin.spinner import Spinner

    spinner = Spinner.from_profile("moby")
    names = list(STORIES)
    return datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict(_rows(names[:4], spinner)),
            "validation": datasets.Dataset.from_dict(_rows(names[4:], spinner)),
        }
    )


@pytest.fixture(scope="module")
def trained(tiny_dataset, tmp_path_factory):
    from training.baseline import BaselineArgs, train

    out = tmp_path_factory.mktemp("baseline")
    args = BaselineArgs(
        dataset=out / "no-build-json",
        out=out,
        folds=2,
        word_iterations=5,
        word_leaves=4,
        max_train_words=5000,
        tfidf_features=50,
    )
    return train(args, tiny_dataset), out


def test_baseline_training_writes_model_config_and_card(trained):
    result, out = trained
    config = json.loads((out / "config.json").read_text())
    assert config == result.config
    assert config["type"] == "baseline"
    assert config["labels"] == ["clean", "replaced"]
    assert 0.0 <= config["thresholds"]["word"] <= 1.0
    assert 0.0 <= config["thresholds"]["document"] <= 1.0
    assert config["features"]["word"] == list(word_feature_names(2))
    assert (out / "word_model.skops").is_file()
    assert (out / "document_model.skops").is_file()
    card = (out / "README.md").read_text()
    assert "## Limitations" in card
    # Trained outside models/: the card gives this run's commands, not `make baseline`.
    assert f"--out {out}" in card and "make baseline" not in card
    assert config["name"] == out.name


def test_baseline_reload_gives_identical_scores(trained, lexicon):
    result, out = trained
    thresholds = result.config["thresholds"]
    in_memory = BaselineModel(
        result.word_model,
        result.document_model,
        thresholds["word"],
        thresholds["document"],
        lexicon=lexicon,
    )
    reloaded = BaselineModel.load(out, lexicon=lexicon)
    documents = [make_document(text) for text in STORIES.values()]
    for a, b in zip(in_memory.score_words(documents), reloaded.score_words(documents), strict=True):
        assert a.word_probabilities == b.word_probabilities
        assert a.document_probability == b.document_probability
        assert len(a.word_probabilities) == len(a.document.words)


def test_baseline_score_gives_a_reference_free_report(trained, lexicon):
    _, out = trained
    model = BaselineModel.load(out, lexicon=lexicon)
    report = model.score(make_document(STORIES["river"]))
    assert report.mode == "reference-free"
    assert report.model == out.name  # its folder's name: "baseline" for the shipped one
    assert report.verdict in ("spun", "not_spun")
    for span in report.spans:
        assert report.suspect.text[span.start : span.end] == span.text


def test_baseline_score_words_rejects_a_string(trained, lexicon):
    _, out = trained
    model = BaselineModel.load(out, lexicon=lexicon)
    with pytest.raises(TypeError, match="sequence of Document objects"):
        model.score_words("a spun article")


def test_load_refuses_a_file_with_an_untrusted_type(tmp_path):
    import skops.io
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    skops.io.dump(Pipeline([("f", FunctionTransformer(json.loads))]), tmp_path / "word_model.skops")
    (tmp_path / "config.json").write_text(
        json.dumps({"type": "baseline", "thresholds": {"word": 0.5, "document": 0.5}})
    )
    with pytest.raises(ModelNotFoundError, match=r"does not trust \(json\.loads\)"):
        load_skops(tmp_path / "word_model.skops")
    from detector.models import load_model

    with pytest.raises(ModelNotFoundError, match="refusing to load it"):
        load_model(str(tmp_path))


def test_load_refuses_a_file_that_is_not_skops(tmp_path):
    (tmp_path / "word_model.skops").write_bytes(b"not a zip file")
    with pytest.raises(ModelNotFoundError, match="not a readable skops file"):
        load_skops(tmp_path / "word_model.skops")


def test_word_features_give_one_row_per_word(lexicon):
    documents = [make_document("A argumentative plan was rejected."), make_document("Yes.")]
    features = WordFeatures(window=1).use_lexicon(lexicon).fit(documents)
    rows = features.transform(documents)
    names = list(features.get_feature_names_out())
    assert rows.shape == (6, len(word_feature_names(1)))
    assert names == list(word_feature_names(1))
    # "a argumentative": the article does not fit the word after it.
    assert rows[1, names.index("article_a_mismatch")] == 1.0
    assert rows[0, names.index("stopword")] == 1.0
    assert rows[0, names.index("sentence_start")] == 1.0


def test_word_features_reject_a_string():
    with pytest.raises(TypeError, match="expects a sequence of Document objects, got str"):
        WordFeatures().fit("A argumentative plan.")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"window": -1}, r"the 'window' parameter of WordFeatures must be an int in \[0, 5\]"),
        ({"candidates": 0}, r"the 'candidates' parameter of WordFeatures must be an int"),
        ({"window": 1.5}, r"the 'window' parameter of WordFeatures must be an int"),
    ],
)
def test_word_features_check_their_parameters_when_fitting(params, message):
    features = WordFeatures(**params)  # the constructor only stores
    with pytest.raises(ValueError, match=message):
        features.fit([make_document("Words.")])


def test_transform_before_fit_raises_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="WordFeatures instance is not fitted yet"):
        WordFeatures().transform([make_document("Words.")])


def test_word_features_clone_and_keep_no_lexicon_in_their_state(lexicon):
    from sklearn.base import clone

    features = WordFeatures(window=1, candidates=3).use_lexicon(lexicon)
    assert clone(features).get_params() == {"window": 1, "candidates": 3}
    assert "_table" not in features.__getstate__()


def test_document_features_summarise_word_evidence(lexicon):
    document = make_document("A argumentative plan was rejected by the staff.")
    features = WordFeatures().use_lexicon(lexicon).fit([document])
    rows = features.transform([document])
    evidence = WordEvidence(document, rows, np.full(len(document.words), 0.8))
    summary = DocumentFeatures().fit([evidence]).transform([evidence])
    names = list(DocumentFeatures().fit([evidence]).get_feature_names_out())
    assert summary.shape == (1, len(names))
    assert summary[0, names.index("mean_probability")] == pytest.approx(0.8)
    assert summary[0, names.index("share_over_0.7")] == 1.0


def test_word_evidence_checks_its_lengths():
    document = make_document("Two words.")
    with pytest.raises(ValueError, match="one feature row and one probability per word"):
        WordEvidence(document, np.zeros((3, 4)), np.zeros(2))


# --------------------------------------------------------------------------- fast paths


def _reference_type_row(lexicon, word: str, candidates: int = 5) -> list[float]:
    """TYPE_FEATURES of one word, the plain way (sets, one word at a time)."""
    import math

    from detector.stopwords import STOPWORDS

    own = lexicon.term_id(word)
    lemmas = lexicon.lemma_forms(word)
    ids = ({own} if own is not None else set()) | {lexicon.term_id(lemma) for lemma in lemmas}
    synonyms = set(lexicon.synonym_ids(word))
    for lemma in lemmas:
        synonyms |= lexicon.synonym_ids(lemma)
    synonyms -= ids
    zipf = lexicon.zipf(word)
    zipf32 = lambda i: float(np.float32(lexicon.zipf_x10[i]) / np.float32(10))  # noqa: E731
    single = [
        i for i in synonyms if " " not in lexicon.terms[i] and lexicon.terms[i] not in STOPWORDS
    ]
    zipfs = [zipf32(i) for i in single]
    max_zipf = max(zipfs, default=0.0)
    commoner = sum(z >= np.float32(zipf + 1.0) for z in zipfs)
    close_score = close_overlap = 0.0
    likely = sorted((i for i in single if zipf32(i) >= 3.0), key=lambda i: (-zipf32(i), i))
    if likely:
        close_score = -math.inf
        for i in likely[:candidates]:
            theirs = lexicon.synonym_ids(lexicon.terms[i])
            shared = len(theirs & synonyms)
            score = zipf32(i) + math.log1p(shared) - 0.5 * math.log(max(1, len(theirs)))
            close_score = max(close_score, score)
            close_overlap = max(close_overlap, shared / len(synonyms))
    return [
        zipf,
        max((lexicon.zipf(lemma) for lemma in lemmas), default=zipf),
        float(own is not None or bool(lemmas)),
        float(word in STOPWORDS),
        float(bool(lemmas)),
        math.log1p(len(synonyms)),
        max_zipf,
        max_zipf - zipf if single else 0.0,
        commoner / len(single) if single else 0.0,
        math.log1p(commoner),
        close_score,
        close_score - zipf if single else 0.0,
        close_overlap,
        float(len(word)),
        float(any(c.isdigit() for c in word)),
        float(not word.isalpha()),
        float(word[:1] in "aeiou"),
    ]


WORDS = (
    "the council rejected a controversial plan to build luxury flats stated assaulted "
    "argumentative residents said development destroy greener spaces councillors voted "
    "zzqx x-ray 1,000 's an a take off ice cream"
).split()


def test_lexical_table_rows_follow_the_plain_definition(lexicon):
    from detector.features import LexicalTable

    table = LexicalTable(lexicon)
    slots = table.slots(WORDS)
    for word, slot in zip(WORDS, slots, strict=True):
        assert table.rows[slot] == pytest.approx(_reference_type_row(lexicon, word), abs=1e-9), word


def test_lexical_table_gives_the_same_rows_in_any_batch_and_after_a_reset(lexicon, monkeypatch):
    from detector import features

    together = features.LexicalTable(lexicon)
    rows = together.rows[together.slots(WORDS)]
    one_by_one = features.LexicalTable(lexicon)
    assert np.array_equal(one_by_one.rows[[one_by_one.slots([w])[0] for w in WORDS]], rows)
    monkeypatch.setattr(features, "_CACHE_LIMIT", 8)
    small = features.LexicalTable(lexicon)
    for k in range(0, len(WORDS), 5):
        chunk = WORDS[k : k + 5]
        assert np.array_equal(small.rows[small.slots(chunk)], rows[k : k + 5])
    assert len(small._slots) <= 8


def test_word_features_context_columns(lexicon):
    names = list(word_feature_names(1))
    document = make_document("Ice cream is big. A large, big ÉLAN arrived at NASA.")
    rows = WordFeatures(window=1).use_lexicon(lexicon).fit([document]).transform([document])
    col = {name: rows[:, names.index(name)] for name in names}
    words = list(document.words)
    if "ice cream" in lexicon:
        assert col["pair_after"][words.index("ice")] == 1.0
        assert col["pair_before"][words.index("cream")] == 1.0
    big, large = words.index("big"), words.index("large")
    if lexicon.are_synonyms("big", "large"):
        assert col["doc_synonyms"][big] > 0 and col["doc_synonyms"][large] > 0
    assert col["doc_count"][big] == pytest.approx(np.log(2))
    assert col["capitalised"][words.index("élan")] == 1.0
    assert col["upper"][words.index("élan")] == 1.0
    assert col["upper"][words.index("nasa")] == 1.0
    assert col["upper"][words.index("arrived")] == 0.0
    assert col["sentence_start"][words.index("a")] == 1.0
    # The neighbour columns are the type columns of the words beside, zero past the ends.
    assert col["zipf@-1"][big] == col["zipf"][big - 1]
    assert col["zipf@+1"][len(words) - 1] == 0.0


def test_word_scorer_equals_predict_proba(trained, lexicon):
    from detector.baseline_model import _WordScorer

    result, _ = trained
    scorer = _WordScorer(result.word_model[-1])
    documents = [make_document(text) for text in STORIES.values()]
    rows = result.word_model[0].transform(documents)
    assert np.array_equal(
        scorer.probabilities(rows), result.word_model[-1].predict_proba(rows)[:, 1]
    )
    assert scorer.probabilities(rows[:0]).shape == (0,)


def test_document_scorer_is_exact_with_and_without_tfidf(trained, lexicon):
    from sklearn.base import clone
    from sklearn.pipeline import FeatureUnion

    from detector.baseline_model import _DocumentScorer

    result, _ = trained
    documents = [make_document(text) for text in STORIES.values()]
    features = result.word_model[0]
    evidence = []
    for document in documents:
        rows = features.document_rows(document)
        evidence.append(
            WordEvidence(document, rows, result.word_model[-1].predict_proba(rows)[:, 1])
        )
    # The trained pipeline has TF-IDF: the scorer uses it as it is.
    with_tfidf = _DocumentScorer(result.document_model)
    assert not with_tfidf.fast
    expected = result.document_model.predict_proba(evidence)[:, 1]
    assert np.array_equal(with_tfidf.probabilities(evidence), expected)
    # Without TF-IDF the scaling and logistic model are applied directly, bit for bit.
    plain = clone(result.document_model)
    union = plain[0]
    plain.steps[0] = ("features", FeatureUnion(union.transformer_list[:1]))
    labels = np.array([0, 1] * (len(evidence) // 2) + [0] * (len(evidence) % 2))
    plain.fit(evidence, labels)
    fast = _DocumentScorer(plain)
    assert fast.fast
    for item in evidence:
        assert fast.probabilities([item])[0] == plain.predict_proba([item])[0, 1]


def test_score_words_on_a_batch_equals_one_at_a_time(trained, lexicon):
    _, out = trained
    model = BaselineModel.load(out, lexicon=lexicon)
    documents = [make_document(text) for text in STORIES.values()]
    together = model.score_words(documents)
    for document, batch in zip(documents, together, strict=True):
        (alone,) = model.score_words([document])
        assert alone.word_probabilities == batch.word_probabilities
        assert alone.document_probability == pytest.approx(batch.document_probability, abs=1e-12)


def _reference_originals(lexicon, word: str, limit: int) -> tuple[str, ...]:
    """``Restorer.candidates`` the plain way: sets, a heap of each entry's 30 commonest."""
    import heapq
    import math

    from lemminflect import getAllLemmas

    from detector.restore import _inflect, _tag_of
    from detector.stopwords import CARDINAL_WORDS, STOPWORDS

    lemmas = lexicon.lemma_forms(word)
    is_a_lemma = any(word in found for found in getAllLemmas(word).values())
    own_tag = _tag_of(word, lemmas[0]) if lemmas and not is_a_lemma else None
    readings = [(word, own_tag, True)] if word in lexicon else []
    readings += [(lemma, _tag_of(word, lemma), False) for lemma in lemmas if lemma in lexicon]
    around: set[int] = set()
    for entry, _, _ in readings:
        around |= lexicon.synonym_ids(entry)
    if {word, *lemmas} & CARDINAL_WORDS:
        return ()  # a count is never restored
    scored: dict[str, float] = {}
    for entry, tag, base_only in readings:
        eligible = [
            (lexicon.zipf_x10[i], i)
            for i in lexicon.synonym_ids(entry)
            if lexicon.zipf_x10[i] >= 30
            and len(lexicon.terms[i]) > 1
            and " " not in lexicon.terms[i]
            and "-" not in lexicon.terms[i]
            and "'" not in lexicon.terms[i]
            and lexicon.terms[i] not in STOPWORDS
        ]
        for zipf_x10, i in heapq.nlargest(30, eligible):
            candidate = lexicon.terms[i]
            forms = lexicon.lemma_forms(candidate)
            inflected = candidate if base_only and forms else _inflect(candidate, tag)
            if inflected is None or lexicon.same_lemma(inflected, word):
                continue
            theirs = lexicon.synonym_ids(candidate)
            score = (
                zipf_x10 / 10
                + 1.5 * math.log1p(len(theirs & around))
                - 0.75 * math.log(max(1, len(theirs)))
            )
            scored[inflected] = max(score, scored.get(inflected, -math.inf))
    return tuple(sorted(scored, key=lambda c: (-scored[c], c)))[:limit]


def test_restorer_ranks_originals_as_the_plain_definition(lexicon):
    from detector.restore import Restorer

    restorer = Restorer(lexicon)
    words = [*WORDS, "contentious", "dwellings", "disputatious", "inhabitants", "quarrelsome"]
    words += ["twenty", "dozen", "five", "number", "meeting", "better", "found", "children"]
    words += ["thousands", "game", "thought", "leave"]
    for word in words:
        for limit in (1, 3):
            assert restorer.candidates(word, limit) == _reference_originals(lexicon, word, limit)


def test_a_word_is_read_in_its_own_entry_too(lexicon):
    # Lemminflect reads "number" as "numb" made comparative: restored from that entry alone,
    # it came back "deader".  Its own entry (a noun's) is read as well, and a word is never
    # restored as itself or its lemma ("better" from the entry of "good" made comparative).
    from detector.restore import Restorer

    restorer = Restorer(lexicon)
    assert lexicon.lemma_forms("number") == ("numb",)
    assert "deader" not in restorer.candidates("number", 3)
    assert set(restorer.candidates("number", 3)) & set(lexicon.synonyms("number"))
    for word in ("better", "number", "said", "meeting", "game", "thought", "leave"):
        found = restorer.candidates(word, 3)
        assert found and not any(lexicon.same_lemma(c, word) for c in found), (word, found)
    # An inflected word's own entry is put in its form ("children" -> "kids", not "kid"),
    # and a phrase takes its first word's ("broke out" -> a past tense).
    assert restorer.candidates("children", 1) == ("kids",)
    assert all(c.endswith(("ed", "came", "got")) for c in restorer.candidates("broke out", 3))
    # A count in the plural is a count too ("thousands" -> "millions" changes a fact).
    assert not {"millions", "billions"} & set(restorer.candidates("thousands", 3))


def test_a_single_letter_is_never_restored(lexicon):
    # Moby lists letters as abbreviations ("r" for "bridge", "m" for "alcohol"), and a
    # letter is as common as any word: ranked by frequency alone, it would be the original.
    from detector.restore import Restorer

    restorer = Restorer(lexicon)
    for word in ("bridge", "alcohol", "blue", "backstage"):
        assert any(len(s) == 1 for s in lexicon.synonyms(word))
        found = restorer.candidates(word, 3)
        assert found
        assert all(len(c) > 1 for c in found)
    assert restorer.restore("Bridge") and len(restorer.restore("Bridge")) > 1


def test_a_count_is_never_restored(lexicon):
    # Moby lists "eleven" among the synonyms of "twenty" and "teens" among those of
    # "twelve": a flagged count restored as either would put a wrong fact in the report,
    # not undo a swap (a trial's hybrid showed "under {twelve|teens} hours").
    from detector.restore import Restorer
    from detector.stopwords import CARDINAL_WORDS

    restorer = Restorer(lexicon)
    for word in ("twenty", "dozen", "thousand", "five"):
        assert any(s in CARDINAL_WORDS for s in lexicon.synonyms(word))
        assert restorer.candidates(word, 3) == ()
    assert "teens" in lexicon.synonyms("twelve") and restorer.restore("Twelve") == ""
    # A word that is not a count may still be restored as one ("initial" -> "first").
    assert restorer.restore("initial") == "first"


def test_report_restores_words_as_a_fresh_restorer_does(trained, lexicon):
    from detector.restore import Restorer
    from detector.scoring import report_from_scores

    _, out = trained
    model = BaselineModel.load(out, lexicon=lexicon)
    one_at_a_time = Restorer(lexicon)  # its cache holds nothing of the model's
    spans = 0
    for text in STORIES.values():
        (scores,) = model.score_words([make_document(text)])
        # Every text taken as spun, so that its flagged words become spans.
        report = report_from_scores(
            scores,
            model=model.name,
            word_threshold=model.word_threshold,
            document_threshold=0.0,
            restorer=model.restorer,
        )
        for span in report.spans:
            assert span.original == one_at_a_time.restore(span.text)
            spans += 1
    assert spans > 0


def test_word_features_from_several_threads_equal_those_from_one(lexicon):
    # The lexical table's caches are shared: threads once corrupted them, and a shared
    # baseline then called clean news spun, in those threads and in every call after.
    from concurrent.futures import ThreadPoolExecutor

    texts = [(EXAMPLES / name).read_text("utf-8") for name in ("original.txt", "spun.txt")]
    documents = [
        make_document(" ".join(text.split()[k:]) + f" Story {k}.")
        for text in texts
        for k in range(6)
    ]
    alone = WordFeatures().use_lexicon(lexicon).fit(documents)
    expected = [alone.transform([d]) for d in documents]
    shared = WordFeatures().use_lexicon(lexicon).fit(documents)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda d: shared.transform([d]), documents * 4))
    for rows, want in zip(got, expected * 4, strict=True):
        np.testing.assert_array_equal(rows, want)
    for document, want in zip(documents, expected, strict=True):
        np.testing.assert_array_equal(shared.transform([document]), want)


def test_main_refuses_an_output_folder_of_other_files_before_training(
    tiny_dataset, tmp_path, capsys, monkeypatch
):
    import training.baseline as baseline

    data = tmp_path / "spin"
    tiny_dataset.save_to_disk(str(data))
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine", encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("trained before the output folder was checked")

    monkeypatch.setattr(baseline, "train", never)
    assert baseline.main(["--dataset", str(data), "--out", str(notes)]) == 2
    assert "not a baseline model" in capsys.readouterr().err
    assert [p.name for p in notes.iterdir()] == ["notes.txt"]
    unwritable = tmp_path / "file"
    unwritable.write_text("x", encoding="utf-8")
    assert baseline.main(["--dataset", str(data), "--out", str(unwritable / "model")]) == 1
    assert capsys.readouterr().err.count("\n") == 1
