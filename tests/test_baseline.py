"""The scikit-learn baseline: features, training end to end, the skops round trip, trust."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detector.baseline_model import BaselineModel, load_skops
from detector.document import make_document
from detector.errors import ModelNotFoundError
from detector.features import DocumentFeatures, WordEvidence, WordFeatures, word_feature_names

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
    from training.spinner import Spinner

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
    assert "## Limitations" in (out / "README.md").read_text()


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
    assert report.model == "baseline"
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
