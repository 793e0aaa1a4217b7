"""The source index's dense path: passage vectors find what the key paths miss.

Needs the ``dense`` extra (model2vec, usearch) and the packaged MiniLM; skipped
without them.  The distilled model is made once into the cache folder
(``python -m detector.dense``, about a minute) and reused.
"""

import os
import sqlite3
import subprocess
import sys

import pytest

from detector.dense import MODEL_NAME, dense_available, passages, sidecar_path
from detector.document import make_document
from detector.errors import CorruptIndexError
from detector.index import FORMAT_VERSION, SourceIndex
from detector.index_build import build_index

from .batch_helpers import ARTICLES, UNRELATED, swap_words, write_jsonl, write_originals

pytestmark = pytest.mark.skipif(
    not dense_available(), reason="the dense extra (model2vec, usearch) or the MiniLM is absent"
)

# The hospital story's second paragraph told again in other words, names and numbers left out:
# nothing the key paths look for survives.
PARAPHRASE = (
    "Pay and staffing levels drove hundreds of nurses at a local hospital to strike for two "
    "days from the start of the week, according to their professional body, and several "
    "hundred scheduled operations had to be delayed as a result."
)


@pytest.fixture(scope="module", autouse=True)
def offline():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dense")
    originals = folder / "originals"
    write_originals(originals)
    (originals / "garden.txt").write_text(UNRELATED, encoding="utf-8")
    path = folder / "archive.sdx"
    build_index([originals], path)
    return path


def _copy(archive, tmp_path, name="copy.sdx"):
    copy = tmp_path / name
    copy.write_bytes(archive.read_bytes())
    sidecar_path(copy).write_bytes(sidecar_path(archive).read_bytes())
    return copy


def _found(candidates, name):
    return bool(candidates) and candidates[0].id == name


# --------------------------------------------------------------------------- retrieval


def test_the_index_records_its_dense_sidecar(archive):
    with sqlite3.connect(archive) as connection:
        meta = dict(connection.execute("SELECT key, value FROM meta"))
    assert meta["format_version"] == str(FORMAT_VERSION) == "4"
    assert meta["dense"] == MODEL_NAME
    expected = sum(len(passages(t)) for t in ARTICLES.values()) + len(passages(UNRELATED))
    assert int(meta["dense_passages"]) == expected
    assert int(meta["dense_bytes"]) == sidecar_path(archive).stat().st_size


def test_heavily_spun_short_excerpts_are_found_through_the_dense_path(archive, lexicon):
    # Second paragraphs (a third of their stories) with 60% of their words swapped: the
    # MinHash bands of many no longer collide, but their meaning survives.
    missed = found = 0
    with SourceIndex.open(archive, lexicon=lexicon) as index:
        for name in ("hospital", "flood"):
            paragraph = ARTICLES[name].split("\n\n")[1]
            for seed in range(10):
                suspect = make_document(swap_words(paragraph, lexicon, rate=0.6, seed=seed))
                if _found(index.query(suspect, synonyms=False), f"{name}.txt"):
                    continue
                missed += 1
                found += _found(index.query(suspect, synonyms=False, dense=True), f"{name}.txt")
    assert missed >= 6
    assert found >= missed - 2


def test_a_paraphrased_copy_is_found_through_the_dense_path_only(archive, lexicon):
    suspect = make_document(PARAPHRASE)
    with SourceIndex.open(archive, lexicon=lexicon) as index:
        assert index.query(suspect, dense=False) == []  # the key paths find nothing
        candidates = index.query(suspect)
        assert [c.id for c in candidates] == ["hospital.txt"]
        assert candidates[0].containment > 0.5


def test_an_unrelated_text_gets_no_dense_candidate(archive, lexicon):
    suspect = make_document(
        "The annual chess tournament in the town hall drew forty players this weekend, and "
        "the youngest, aged nine, reached the semi-final before losing to a retired teacher."
    )
    with SourceIndex.open(archive, lexicon=lexicon) as index:
        assert index.query(suspect) == []


def test_adding_originals_extends_the_sidecar(archive, tmp_path, lexicon):
    copy = _copy(archive, tmp_path)
    text = (
        "Volunteers planted 3,000 oak saplings on the hills above Glenmoray on Sunday, the "
        "Woodland Restoration Society said, the first step in a plan to bring back forest "
        "cleared for sheep farming two centuries ago."
    )
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"id": "oaks", "text": text}])
    build_index([extra], copy, add=True)
    with SourceIndex.open(copy, lexicon=lexicon) as index:
        assert index._dense_passages() == index._sidecar_record().passages
        suspect = make_document(
            "Thousands of young trees went into the ground on the slopes over the village at "
            "the weekend, a conservation charity said, starting an effort to restore woods "
            "lost to grazing long ago."
        )
        assert index.query(suspect, dense=False) == []
        assert [c.id for c in index.query(suspect)][:1] == ["oaks"]


# --------------------------------------------------------------------------- the sidecar


def _refusal(path, lexicon):
    # Opening checks the sidecar's header, size and count; its SHA-256 is checked on first use.
    suspect = make_document(PARAPHRASE)
    with pytest.raises(CorruptIndexError) as caught, SourceIndex.open(path, lexicon=lexicon) as ix:
        ix.query(suspect)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_damaged_sidecar_is_refused_with_one_line(archive, tmp_path, lexicon):
    copy = _copy(archive, tmp_path)
    data = bytearray(sidecar_path(copy).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(16)
    sidecar_path(copy).write_bytes(bytes(data))
    message = _refusal(copy, lexicon)
    assert "damaged or belongs to another index" in message and "spindetect index" in message


def test_a_foreign_or_missing_sidecar_is_refused_with_one_line(archive, tmp_path, lexicon):
    copy = _copy(archive, tmp_path)
    sidecar_path(copy).write_bytes(b"PK\x03\x04 not a usearch file " * 20)
    assert "not a dense sidecar" in _refusal(copy, lexicon)
    sidecar_path(copy).unlink()
    assert "is missing" in _refusal(copy, lexicon)
    other = _copy(archive, tmp_path, "other.sdx")  # another index's sidecar, of another size
    build_index(
        [write_jsonl(tmp_path / "more.jsonl", [{"id": "g2", "text": UNRELATED + " Again."}])],
        other,
        add=True,
    )
    sidecar_path(copy).write_bytes(sidecar_path(other).read_bytes())
    assert "damaged or belongs to another index" in _refusal(copy, lexicon)


def test_a_format_2_index_keeps_working_without_the_dense_path(archive, tmp_path, lexicon):
    old = tmp_path / "old.sdx"  # what format 2 wrote: no dense entries, no sidecar
    old.write_bytes(archive.read_bytes())
    with sqlite3.connect(old) as connection:
        connection.execute("UPDATE meta SET value = '2' WHERE key = 'format_version'")
        connection.execute("DELETE FROM meta WHERE key LIKE 'dense%'")
    with SourceIndex.open(old, lexicon=lexicon) as index:
        assert index.dense_model == ""
        spun = make_document(swap_words(ARTICLES["museum"], lexicon, rate=0.3, seed=1))
        assert _found(index.query(spun), "museum.txt")
        assert index.query(make_document(PARAPHRASE)) == []  # no dense path to find it
    build_index(
        [write_jsonl(tmp_path / "x.jsonl", [{"id": "g", "text": UNRELATED}])], old, add=True
    )
    with sqlite3.connect(old) as connection:
        assert connection.execute(
            "SELECT value FROM meta WHERE key = 'format_version'"
        ).fetchone() == ("2",)
    assert not sidecar_path(old).exists()


def test_an_index_built_without_dense_vectors_has_no_sidecar(tmp_path, lexicon):
    originals = write_jsonl(
        tmp_path / "o.jsonl", [{"id": n, "text": t} for n, t in ARTICLES.items()]
    )
    path = tmp_path / "keys.sdx"
    build_index([originals], path, dense=False)
    assert not sidecar_path(path).exists()
    with SourceIndex.open(path, lexicon=lexicon) as index:
        assert index.dense_model == ""
        assert index.query(make_document(PARAPHRASE)) == []


def test_scoring_against_an_original_imports_no_dense_library(tmp_path):
    suspect, original = tmp_path / "s.txt", tmp_path / "o.txt"
    original.write_text(ARTICLES["flood"], encoding="utf-8")
    suspect.write_text(ARTICLES["flood"].replace("approved", "sanctioned"), encoding="utf-8")
    code = (
        "import sys\n"
        "from detector.cli import app\n"
        f"sys.argv = ['spindetect', 'score', {str(suspect)!r}, '--original', {str(original)!r},"
        " '-q']\n"
        "try:\n"
        "    app()\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in ('model2vec', 'usearch') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=os.environ
    )
    assert done.returncode == 0, done.stderr


def test_a_signal_during_a_usearch_call_raises_its_own_exception_afterwards():
    """usearch turns what a signal handler raises (Ctrl-C, the --timeout alarm) into
    RuntimeError("Operation has been terminated"): `label` recorded a Ctrl-C as one
    input's error and went on.  Held around usearch calls, the handler runs afterwards."""
    import signal

    import numpy as np

    usearch = pytest.importorskip("usearch.index")
    from detector.dense import signals_held

    ann = usearch.Index(ndim=32, metric="cos")
    rng = np.random.default_rng(0)
    ann.add(np.arange(20_000), rng.random((20_000, 32), dtype=np.float32), threads=1)
    queries = rng.random((4_000, 32), dtype=np.float32)

    class Alarm(Exception):
        pass

    def on_alarm(signum, frame):
        raise Alarm

    before = signal.signal(signal.SIGALRM, on_alarm)
    interrupt = signal.getsignal(signal.SIGINT)  # ignored under nohup, else Python's own
    searched = []
    try:
        # Armed inside: the alarm comes during the search (tens of milliseconds) or, on a
        # busy machine, before it starts; either way it is raised once usearch returns.
        # Without the hold usearch raises RuntimeError("Operation has been terminated").
        with pytest.raises(Alarm), signals_held():
            signal.setitimer(signal.ITIMER_REAL, 0.002)
            ann.search(queries, 10, threads=1)
            searched.append(True)
        assert searched == [True]
        assert signal.getsignal(signal.SIGALRM) is on_alarm
        assert signal.getsignal(signal.SIGINT) is interrupt
        with signals_held():  # nothing noted, nothing raised
            ann.search(queries[:10], 10, threads=1)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
