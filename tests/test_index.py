import pickle
import re
import sqlite3
import zlib

import numpy as np
import pytest

import detector.fingerprint
import detector.index
from detector.document import make_document
from detector.errors import CorruptIndexError, IndexWriteError, InputError, MissingInputError
from detector.fingerprint import (
    Fingerprinter,
    IndexParams,
    _permutations,
    feature_hash,
    minhash_values,
    synonym_classes,
)
from detector.index import FORMAT_VERSION, PreparedOriginal, SourceIndex
from detector.index_build import FingerprintJob, build_index
from detector.inputs import InputItem
from detector.io import text_to_document

from .batch_helpers import ARTICLES, UNRELATED, swap_words, write_jsonl, write_originals


@pytest.fixture(scope="module")
def fingerprinter(lexicon):
    return Fingerprinter(lexicon=lexicon)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    paths = write_originals(folder)
    index = folder / "archive.sdx"
    summary = build_index([folder], index)
    return index, paths, summary


# --------------------------------------------------------------------------- fingerprints


def test_immutables_are_names_numbers_and_words_outside_the_thesaurus(fingerprinter):
    assert fingerprinter.is_immutable("zelensky")
    assert fingerprinter.is_immutable("2024")
    assert fingerprinter.is_immutable("6,500")
    assert not fingerprinter.is_immutable("council")
    assert not fingerprinter.is_immutable("approved")
    assert not fingerprinter.is_immutable("the")


def test_words_drop_possessives_and_edge_punctuation_only():
    text = "The company’s staff (in the U.S.) paid £2.8bn, 3.5% of it; “fine!” said O'Neill."
    assert Fingerprinter.words(text) == [
        "the", "company", "staff", "in", "the", "u.s", "paid", "2.8bn", "3.5%",
        "of", "it", "fine", "said", "o'neill",
    ]  # fmt: skip


def test_features_are_immutable_words_and_anchored_shingles(fingerprinter):
    words = Fingerprinter.words(
        "Councillor Maria Okonjo said the plan for 6,500 homes was approved."
    )
    # "councillor", "said", "plan", "homes", "approved" are thesaurus words a spinner may swap.
    assert fingerprinter.features(words) == [
        "maria", "okonjo", "6,500",
        "maria okonjo the", "okonjo the for", "the for 6,500", "for 6,500 was",
    ]  # fmt: skip


def test_fingerprint_hashes_exactly_the_readable_features(fingerprinter):
    for text in ARTICLES.values():
        expected = {feature_hash(f) for f in fingerprinter.features(fingerprinter.words(text))}
        assert set(fingerprinter.fingerprint(text).features.tolist()) == expected


def test_spinning_keeps_most_features(fingerprinter, lexicon):
    for seed, text in enumerate(ARTICLES.values()):
        original = fingerprinter.fingerprint(text)
        spun = fingerprinter.fingerprint(swap_words(text, lexicon, seed=seed))
        shared = len(np.intersect1d(original.features, spun.features))
        union = len(np.union1d(original.features, spun.features))
        assert shared / union > 0.6
        assert len(np.intersect1d(original.bands, spun.bands)) > 0


def test_minhash_matches_datasketch_affine32():
    datasketch = pytest.importorskip("datasketch")
    params = IndexParams()
    a, b = _permutations(params)
    rng = np.random.default_rng(0)
    for size in (1, 7, 300, 5000):  # 5000 spans two chunks of minhash_values
        features = np.unique(rng.integers(0, 2**32, size, dtype=np.uint32))
        expected = datasketch.MinHash(
            num_perm=params.num_perm, seed=params.seed, hashfunc=int, scheme="affine32"
        )
        expected.update_batch(features)
        assert np.array_equal(minhash_values(features, a, b), expected.hashvalues)


def test_fingerprints_together_equal_fingerprints_one_by_one(fingerprinter):
    texts = [*ARTICLES.values(), "... -- !!", "the of", "Okonjo", "", UNRELATED]
    for classes in (True, False):
        together = fingerprinter.fingerprints(texts, classes=classes)
        assert len(together) == len(texts)
        for text, got in zip(texts, together, strict=True):
            alone = fingerprinter.fingerprint(text, classes=classes)
            for name in ("features", "counts", "bands", "classes"):
                x, y = getattr(alone, name), getattr(got, name)
                assert x.dtype == y.dtype and np.array_equal(x, y), (name, text[:40])
    assert fingerprinter.fingerprints([]) == []


def test_a_full_token_table_is_emptied_without_changing_fingerprints(lexicon, monkeypatch):
    texts = [*ARTICLES.values(), UNRELATED, "Okonjo, okonjo's OKONJO."]
    expected = Fingerprinter(lexicon=lexicon).fingerprints(texts)
    monkeypatch.setattr(detector.fingerprint, "_CACHE_SIZE", 25)
    small = Fingerprinter(lexicon=lexicon)
    for _ in range(2):  # the table fills and is emptied again and again
        for text, want in zip(texts, expected, strict=True):
            got = small.fingerprints([text])[0]
            for name in ("features", "counts", "bands", "classes"):
                assert np.array_equal(getattr(got, name), getattr(want, name)), name
    assert len(small._token_rows) < 25 + max(len(t.split()) for t in texts)


def test_a_document_without_words_has_an_empty_fingerprint(fingerprinter):
    fingerprint = fingerprinter.fingerprint("... -- !!")
    assert len(fingerprint) == 0 and len(fingerprint.bands) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bands": 50, "rows": 3}, "bands \\* rows <= num_perm"),
        ({"n_features": 1000}, "power of two"),
        ({"rows": 0}, "'rows' parameter"),
        ({"num_perm": True}, "'num_perm' parameter"),
    ],
)
def test_index_params_name_the_bad_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        IndexParams(**kwargs)


# --------------------------------------------------------------------------- build and query


def test_build_indexes_every_original(built):
    index_path, paths, summary = built
    assert (summary.added, summary.duplicates, summary.skipped) == (len(ARTICLES), 0, 0)
    with SourceIndex.open(index_path) as index:
        assert len(index) == len(ARTICLES)
        # Ids of files are their paths below the folder named, whatever the current directory.
        assert sorted(index.ids()) == sorted(p.name for p in paths.values())
        assert index.text(paths["flood"].name) == ARTICLES["flood"]
        assert index.document("museum.txt").name == "museum.txt"


def test_spun_copies_find_their_original_first(built, lexicon):
    index_path, paths, _ = built
    with SourceIndex.open(index_path, lexicon=lexicon) as index:
        for seed, (name, text) in enumerate(ARTICLES.items()):
            spun = make_document(swap_words(text, lexicon, rate=0.3, seed=seed))
            candidates = index.query(spun)
            assert candidates, name
            assert candidates[0].id == paths[name].name
            assert candidates[0].similarity > 0.5


def test_unrelated_article_has_no_candidate(built, lexicon):
    index_path, _, _ = built
    with SourceIndex.open(index_path, lexicon=lexicon) as index:
        assert index.query(make_document(UNRELATED)) == []
        assert index.query(make_document(UNRELATED), synonyms=False) == []


def test_a_synonym_swap_within_a_class_keeps_the_class_keys(fingerprinter, lexicon):
    word_class = fingerprinter.word_class
    assert word_class("the") is None and word_class("of") is None
    assert word_class("okonjo") == 2**32 + zlib.crc32(b"okonjo")  # a word the thesaurus lacks
    assert word_class("2024") == 2**32 + zlib.crc32(b"2024")
    company = lexicon.term_id("company")
    assert word_class("company") == synonym_classes(lexicon)[company]
    assert word_class("companies") == word_class("company")  # classes are those of lemmas
    text = "Maria Okonjo said the company would close its office in Leipzig by 2026."
    word, same = next(
        (w, s)
        for w in ("close", "office", "company", "said")
        for s in lexicon.synonyms(w)
        if s.isalpha() and word_class(s) == word_class(w)
    )
    keys = fingerprinter.class_keys(text)
    assert len(keys) and np.array_equal(keys, np.unique(keys))
    assert np.array_equal(fingerprinter.class_keys(text.replace(word, same)), keys)


@pytest.fixture(scope="module")
def digest(tmp_path_factory, lexicon):
    """An index whose flood story is only part of a long digest of four stories."""
    path = tmp_path_factory.mktemp("digest") / "digest.sdx"
    digest = "\n\n".join(ARTICLES[n] for n in ("flood", "football", "earnings", "launch"))
    with SourceIndex.create(path, lexicon=lexicon) as index:
        index.add(make_document(digest, name="digest"))
        for name in ("hospital", "museum"):
            index.add(make_document(ARTICLES[name], name=name))
    return path


def test_a_heavily_spun_short_excerpt_is_found_through_synonym_classes(digest, lexicon):
    # The flood story's first paragraph (a ninth of the digest) with 60% of its words swapped:
    # too few MinHash bands collide, but runs of synonym classes survive.
    paragraph = ARTICLES["flood"].split("\n\n")[0]
    suspects = [make_document(swap_words(paragraph, lexicon, rate=0.6, seed=s)) for s in range(12)]
    with SourceIndex.open(digest, lexicon=lexicon) as index:
        fast = [index.query(s, synonyms=False) for s in suspects]
        both = [index.query(s) for s in suspects]
    assert sum(bool(c) for c in fast) <= 2
    found = [c[0] for c in both if c]
    assert len(found) >= 9 and {c.id for c in found} == {"digest"}
    assert all(c.containment > 0.5 for c in found)


# A short generic report: no name, number or word the thesaurus lacks, so no immutable.
GENERIC = (
    "Heavy rain has flooded homes and closed roads across the north of the country, "
    "forcing hundreds of residents to leave their houses overnight. Emergency teams used "
    "boats to rescue people trapped on the roofs of their cars, and a school was turned "
    "into a temporary shelter. Scientists say climate change is making such storms more "
    "frequent and more severe."
)


def test_an_original_without_immutables_is_indexed_and_found_through_its_classes(
    fingerprinter, lexicon, tmp_path
):
    fingerprint = fingerprinter.fingerprint(GENERIC)
    assert len(fingerprint) == 0 and len(fingerprint.classes) > 0 and fingerprint.findable
    (tmp_path / "originals").mkdir()
    (tmp_path / "originals" / "generic.txt").write_text(GENERIC)
    write_originals(tmp_path / "originals")
    summary = build_index([tmp_path / "originals"], tmp_path / "i.sdx", dense=False)
    assert summary.added == len(ARTICLES) + 1 and summary.skipped == 0
    spun = [make_document(swap_words(GENERIC, lexicon, rate=0.3, seed=s)) for s in range(6)]
    with SourceIndex.open(tmp_path / "i.sdx", lexicon=lexicon) as index:
        found = [index.query(s) for s in spun]
        assert index.query(make_document(UNRELATED)) == []
    assert sum(bool(c) and c[0].id == "generic.txt" for c in found) >= 5


def test_one_shared_word_makes_no_fast_path_candidate(lexicon, tmp_path):
    # Both mention a Wednesday, and nothing else either would keep from a spinner.
    original = (
        "Rescuers reached the trapped miners at the Kowalczyk Colliery on Wednesday, 36 "
        "hours after the collapse, and all 14 were taken to hospital in Katowice."
    )
    suspect = (
        "Engineers closed the old railway bridge over the river on Wednesday after "
        "inspectors found cracks in two of its steel supports."
    )
    with SourceIndex.create(tmp_path / "i.sdx", lexicon=lexicon, dense=False) as index:
        index.add(make_document(original, name="mine"))
        index.commit()
        shared = set(index.fingerprinter.features(Fingerprinter.words(suspect))) & set(
            index.fingerprinter.features(Fingerprinter.words(original))
        )
        assert shared == {"wednesday"}
        assert index.query(make_document(suspect), min_similarity=0.0) == []


def test_light_spins_take_the_fast_path_only(built, lexicon, monkeypatch):
    index_path, paths, _ = built
    with SourceIndex.open(index_path, lexicon=lexicon) as index:
        monkeypatch.setattr(index, "_class_path", lambda *a: pytest.fail("class path taken"))
        spun = make_document(swap_words(ARTICLES["flood"], lexicon, rate=0.3, seed=1))
        assert index.query(spun)[0].id == paths["flood"].name


def test_add_extends_the_index_and_skips_known_ids(built, tmp_path):
    index_path, _, _ = built
    copy = _copy_index(index_path, tmp_path / "copy.sdx")
    extra = write_jsonl(
        tmp_path / "extra.jsonl",
        [{"id": "garden", "text": UNRELATED}, {"id": "garden", "text": UNRELATED + " Again."}],
    )
    summary = build_index([extra], copy, add=True)
    # The second text under the id is kept as "garden#HASH" (not dropped).
    assert (summary.added, summary.duplicates, summary.documents) == (2, 0, len(ARTICLES) + 2)
    with SourceIndex.open(copy) as index:
        assert index.query(make_document(UNRELATED))[0].id == "garden"
        (renamed,) = [id for id in index.ids() if id.startswith("garden#")]
        assert index.text(renamed).endswith("Again.")
    again = build_index([extra], copy, add=True)
    assert (again.added, again.duplicates) == (0, 2)


def test_unreadable_originals_are_skipped_and_reported(tmp_path):
    folder = tmp_path / "originals"
    write_originals(folder)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    (folder / "words.txt").write_text("It was the one and only time.")  # no immutable word
    skipped = []
    summary = build_index([folder], tmp_path / "i.sdx", on_skip=skipped.append)
    assert summary.added == len(ARTICLES) and summary.skipped == 3
    assert any("empty" in s for s in skipped)
    assert any("binary" in s for s in skipped)
    assert any("too few words to find it by" in s for s in skipped)


def test_build_refuses_to_overwrite_and_to_add_to_nothing(built, tmp_path):
    index_path, paths, _ = built
    with pytest.raises(InputError, match="--add"):
        build_index([paths["flood"]], index_path)
    with pytest.raises(MissingInputError, match="drop --add"):
        build_index([paths["flood"]], tmp_path / "none.sdx", add=True)


def test_a_failed_build_leaves_no_file(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    out = tmp_path / "i.sdx"
    with pytest.raises(InputError, match="no original could be indexed"):
        build_index([tmp_path / "empty.txt"], out)
    assert not out.exists() and not (tmp_path / "i.sdx.partial").exists()


def test_adding_many_prepared_originals_equals_adding_them_one_by_one(
    fingerprinter, lexicon, tmp_path
):
    prepared = [
        PreparedOriginal.of(name, text, fingerprinter.fingerprint(text))
        for name, text in [*ARTICLES.items(), ("garden", UNRELATED)]
    ]
    # the second batch repeats an id of the first, and one of its own
    batches = [prepared[:3], [prepared[3], prepared[1], *prepared[4:], prepared[3]]]
    one = SourceIndex.create(tmp_path / "one.sdx", lexicon=lexicon, dense=False)
    many = SourceIndex.create(tmp_path / "many.sdx", lexicon=lexicon, dense=False)
    for batch in batches:
        assert many.add_prepared_many(batch) == [one.add_prepared(p) for p in batch]
    assert many.add_prepared_many([]) == []
    featureless = PreparedOriginal.of("words", "the of", fingerprinter.fingerprint("the of"))
    assert featureless.unindexable() is not None and prepared[0].unindexable() is None
    with pytest.raises(InputError, match="too few words to find it by"):
        many.add_prepared_many([prepared[0], featureless])  # not even the first is added
    for index in (one, many):
        index.commit()
        index.close()
    tables = ("docs", "sketches", "bands", "classes", "arrays", "meta")
    with sqlite3.connect(tmp_path / "one.sdx") as a, sqlite3.connect(tmp_path / "many.sdx") as b:
        for table in tables:
            query = f"SELECT * FROM {table} ORDER BY 1, 2"
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table
        assert b.execute("SELECT count(*) FROM docs").fetchone() == (len(prepared),)


def _rows(path):
    """Every row of every table of an index, in key order, texts decompressed."""
    with sqlite3.connect(path) as connection:
        rows = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("sketches", "bands", "classes", "arrays", "meta")
        }
        rows["docs"] = [
            (doc, id, sha, zlib.decompress(text))
            for doc, id, sha, text in connection.execute("SELECT * FROM docs ORDER BY doc")
        ]
    rows["meta"] = [r for r in rows["meta"] if r[0] != "created_by"]
    return rows


def test_key_rows_set_aside_on_disk_give_the_same_index(
    fingerprinter, lexicon, tmp_path, monkeypatch
):
    texts = {
        f"{name}-{k}": swap_words(text, lexicon, rate=0.2, seed=k)
        for k in range(4)
        for name, text in ARTICLES.items()
    }
    prepared = [
        PreparedOriginal.of(id, text, fingerprinter.fingerprint(text)) for id, text in texts.items()
    ]
    halves = (prepared[: len(prepared) // 2], prepared[len(prepared) // 2 :])

    def build(path):
        """Two commits, the second adding to what the first wrote; whether rows went to disk."""
        with SourceIndex.create(path, lexicon=lexicon, dense=False) as index:
            for original in halves[0]:
                index.add_prepared(original)
            set_aside = index._pending_classes._file is not None
            index.commit()
            for start in range(0, len(halves[1]), 3):
                index.add_prepared_many(halves[1][start : start + 3])
        return set_aside

    assert not build(tmp_path / "memory.sdx")
    monkeypatch.setattr(detector.index, "_FLUSH_ROWS", 50)  # rows set aside every document or so
    monkeypatch.setattr(detector.index, "_KEY_RANGE_BITS", 2)
    assert build(tmp_path / "disk.sdx")
    assert _rows(tmp_path / "memory.sdx") == _rows(tmp_path / "disk.sdx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk.sdx", "memory.sdx"]
    with SourceIndex.open(tmp_path / "disk.sdx") as index:
        doc = make_document(swap_words(ARTICLES["launch"], lexicon, rate=0.3, seed=9))
        assert index.query(doc)[0].id.startswith("launch-")


def test_an_aborted_index_forgets_the_key_rows_it_set_aside(
    fingerprinter, lexicon, tmp_path, monkeypatch
):
    monkeypatch.setattr(detector.index, "_FLUSH_ROWS", 10)
    text = ARTICLES["flood"]
    index = SourceIndex.create(tmp_path / "x.sdx", lexicon=lexicon, dense=False)
    index.add_prepared(PreparedOriginal.of("flood", text, fingerprinter.fingerprint(text)))
    assert index._pending_bands._file is not None  # set aside
    index.abort()
    assert index._pending_bands._file is None and index._pending_classes._file is None


def test_a_full_disk_while_setting_key_rows_aside_names_the_index(
    fingerprinter, lexicon, tmp_path, monkeypatch
):
    def no_space(**kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(detector.index, "_FLUSH_ROWS", 10)
    monkeypatch.setattr(detector.index.tempfile, "TemporaryFile", no_space)
    text = ARTICLES["flood"]
    path = tmp_path / "x.sdx"
    with SourceIndex.create(path, lexicon=lexicon, dense=False) as index:
        with pytest.raises(IndexWriteError) as failed:
            index.add_prepared(PreparedOriginal.of("flood", text, fingerprinter.fingerprint(text)))
        index.abort()
    assert str(failed.value) == (
        f"cannot write the index {path} (setting keys aside: No space left on device)"
    )


def test_prepared_originals_and_input_items_survive_pickling(fingerprinter):
    text = ARTICLES["flood"]
    prepared = PreparedOriginal.of("flood", text, fingerprinter.fingerprint(text))
    assert pickle.loads(pickle.dumps(prepared)) == prepared
    assert zlib.decompress(prepared.text).decode() == text
    items = [InputItem("a", text=text), InputItem("b", path="b.txt"), InputItem("c", error="x")]
    assert pickle.loads(pickle.dumps(items)) == items


def test_a_record_with_a_control_character_takes_the_full_checks():
    text = ARTICLES["flood"] + "\x07"
    items = [
        InputItem("a", text=ARTICLES["flood"]),
        InputItem("b", text=text),
        InputItem("c", text=""),
    ]
    clean, suspect, empty = FingerprintJob(IndexParams()).start().process(items)
    assert zlib.decompress(clean.text).decode() == ARTICLES["flood"]
    assert zlib.decompress(suspect.text).decode() == text_to_document(text, "b", "text").text
    assert "empty" in empty.reason


def test_workers_build_the_same_index(built, tmp_path):
    index_path, _, _ = built
    out = tmp_path / "parallel.sdx"
    build_index([index_path.parent], out, workers=2, batch_size=2)
    with SourceIndex.open(index_path) as one, SourceIndex.open(out) as two:
        assert list(one.ids()) == list(two.ids())
        doc = make_document(ARTICLES["launch"])
        assert one.query(doc) == two.query(doc)


# --------------------------------------------------------------------------- the file


def test_the_file_is_sqlite_with_a_versioned_manifest(built):
    index_path, _, _ = built
    with sqlite3.connect(index_path) as connection:
        meta = dict(connection.execute("SELECT key, value FROM meta"))
    assert meta["magic"] == "spindetect-index"
    assert meta["format_version"] == str(FORMAT_VERSION)
    assert meta["documents"] == str(len(ARTICLES))
    assert {"num_perm", "bands", "rows", "seed", "n_features", "vocabulary"} <= set(meta)


def test_a_foreign_file_is_refused(tmp_path):
    junk = tmp_path / "junk.sdx"
    junk.write_bytes(b"PK\x03\x04 this is a zip file, not an index" * 10)
    with pytest.raises(CorruptIndexError, match="not a spindetect index"):
        SourceIndex.open(junk)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE people (name TEXT)")
    with pytest.raises(CorruptIndexError, match="SQLite file but not a spindetect index"):
        SourceIndex.open(other)


def _copy_index(index_path, copy):
    """A copy of an index, with its dense sidecar when it has one (an index is then two files)."""
    copy.write_bytes(index_path.read_bytes())
    sidecar = index_path.with_name(index_path.name + ".dense")
    if sidecar.exists():
        copy.with_name(copy.name + ".dense").write_bytes(sidecar.read_bytes())
    return copy


def _copy_with(built, tmp_path, sql, *params):
    index_path, _, _ = built
    copy = _copy_index(index_path, tmp_path / "copy.sdx")
    with sqlite3.connect(copy) as connection:
        connection.execute(sql, params)
    return copy


def test_an_index_built_before_class_keys_is_refused_with_the_rebuild_command(built, tmp_path):
    index_path, _, _ = built
    old = tmp_path / "old.sdx"
    old.write_bytes(index_path.read_bytes())
    with sqlite3.connect(old) as connection:  # what format 1 wrote
        connection.execute("DROP TABLE classes")
        connection.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
        connection.execute(
            "DELETE FROM meta WHERE key IN "
            "('class_features', 'class_vocabulary', 'class_sample', 'classes')"
        )
    with pytest.raises(CorruptIndexError) as caught:
        SourceIndex.open(old)
    message = str(caught.value)
    assert "old index format (1" in message and f"reads format {FORMAT_VERSION}" in message
    assert f"rebuild it with `spindetect index ORIGINALS -o {old}`" in message


def test_a_newer_or_older_format_is_refused(built, tmp_path):
    newer = _copy_with(built, tmp_path, "UPDATE meta SET value = '99' WHERE key = 'format_version'")
    with pytest.raises(CorruptIndexError, match="newer than this spindetect reads"):
        SourceIndex.open(newer)
    older = _copy_with(built, tmp_path, "UPDATE meta SET value = '0' WHERE key = 'format_version'")
    with pytest.raises(CorruptIndexError, match="old index format"):
        SourceIndex.open(older)


def test_a_truncated_file_is_refused(built, tmp_path):
    index_path, _, _ = built
    cut = tmp_path / "cut.sdx"
    cut.write_bytes(index_path.read_bytes()[: index_path.stat().st_size // 2])
    with pytest.raises(CorruptIndexError, match="truncated"):
        SourceIndex.open(cut)


def test_a_damaged_text_is_detected(built, tmp_path):
    _, paths, _ = built
    damaged = _copy_with(
        built, tmp_path, "UPDATE docs SET text = ? WHERE id = ?", b"garbage", paths["flood"].name
    )
    with SourceIndex.open(damaged) as index, pytest.raises(CorruptIndexError, match="damaged"):
        index.text(paths["flood"].name)


def test_an_index_over_another_thesaurus_is_refused(built, tmp_path):
    other = _copy_with(built, tmp_path, "UPDATE meta SET value = 'x' WHERE key = 'vocabulary'")
    with SourceIndex.open(other) as index, pytest.raises(CorruptIndexError, match="thesaurus"):
        index.query(make_document(UNRELATED))


def test_a_missing_index_is_a_usage_error(tmp_path):
    with pytest.raises(MissingInputError, match="spindetect index"):
        SourceIndex.open(tmp_path / "nothing.sdx")


def test_an_interrupted_add_leaves_the_index_as_it_was(built, tmp_path, lexicon):
    index_path, _, _ = built
    copy = _copy_index(index_path, tmp_path / "copy.sdx")
    with (
        pytest.raises(RuntimeError),
        SourceIndex.open(copy, writable=True, lexicon=lexicon) as index,
    ):
        index.add(make_document(UNRELATED, name="garden"))
        raise RuntimeError("killed")
    with SourceIndex.open(copy) as index:
        assert len(index) == len(ARTICLES) and "garden" not in index


def test_a_small_index_stores_its_document_frequencies_compressed(built, tmp_path):
    index_path, paths, _ = built
    assert index_path.stat().st_size < 1_000_000  # 16.8 MB when the table was stored raw
    with sqlite3.connect(index_path) as connection:
        (dtype,) = connection.execute("SELECT dtype FROM arrays WHERE name = 'df'").fetchone()
    assert dtype == "<u4+zlib"
    # The same table stored raw, as indexes built before 2026-12-04 hold it, reads the same.
    with SourceIndex.open(index_path) as index:
        df = index._read_df()
        expected = index.query(make_document(paths["flood"].read_text("utf-8")))
    raw = _copy_with(
        built,
        tmp_path,
        "UPDATE arrays SET dtype = '<u4', data = ? WHERE name = 'df'",
        df.astype("<u4").tobytes(),
    )
    with SourceIndex.open(raw) as index:
        assert np.array_equal(index._read_df(), df)
        assert index.query(make_document(paths["flood"].read_text("utf-8"))) == expected


def test_a_large_index_keeps_its_document_frequencies_raw():
    mostly_used = np.arange(1 << 12, dtype=np.uint32) % 7
    assert detector.index._packed_df(mostly_used)[0] == "<u4"
    mostly_empty = np.zeros(1 << 12, dtype=np.uint32)
    mostly_empty[:10] = 3
    dtype, data = detector.index._packed_df(mostly_empty)
    assert dtype == "<u4+zlib" and len(data) < 200


@pytest.mark.parametrize(
    "dtype, data",
    [("<u4+zlib", b"not zlib"), ("<u4+zlib", zlib.compress(b"\0" * 64)), ("<f8", b"")],
)
def test_a_damaged_document_frequency_table_is_refused(built, tmp_path, dtype, data):
    damaged = _copy_with(
        built, tmp_path, "UPDATE arrays SET dtype = ?, data = ? WHERE name = 'df'", dtype, data
    )
    with pytest.raises(CorruptIndexError, match="document-frequency table"):
        SourceIndex.open(damaged)


def test_an_id_reused_for_another_text_is_indexed_renamed_never_dropped(tmp_path):
    first, second = ARTICLES["flood"], UNRELATED
    records = write_jsonl(
        tmp_path / "dup.jsonl",
        [{"id": "a1", "text": first}, {"id": "a1", "text": second}, {"id": "a1", "text": first}],
    )
    renamed: list[tuple[str, str]] = []
    out = tmp_path / "x.sdx"
    summary = build_index([records], out, on_rename=lambda *ids: renamed.append(ids))
    assert (summary.added, summary.duplicates, summary.conflicts) == (2, 1, 1)
    ((old, new),) = renamed
    assert old == "a1" and re.fullmatch(r"a1#[0-9a-f]{8}", new)
    with SourceIndex.open(out) as index:
        assert (index.text("a1"), index.text(new)) == (first, second)
    # The same inputs again: every text is there already, under the same ids.
    again = build_index([records], out, add=True, on_rename=lambda *ids: renamed.append(ids))
    assert (again.added, again.duplicates, again.conflicts, again.documents) == (0, 3, 0, 2)
    assert len(renamed) == 1
    # Another order, in batches of one, in another index: the same names.
    reordered = write_jsonl(
        tmp_path / "reordered.jsonl",
        [{"id": "a1#1", "text": ARTICLES["museum"]}, {"id": "a1", "text": first}],
    )
    other = tmp_path / "y.sdx"
    build_index([reordered, records], other, batch_size=1)
    with SourceIndex.open(other) as index:
        assert (index.text("a1#1"), index.text(new)) == (ARTICLES["museum"], second)


def test_a_text_indexed_under_another_id_is_not_added_again(tmp_path):
    flood = ARTICLES["flood"]
    records = write_jsonl(
        tmp_path / "mirror.jsonl",
        [{"id": "wire/a", "text": flood}, {"id": "mirror/a", "text": flood}],
    )
    copies: list[tuple[str, str]] = []
    out = tmp_path / "x.sdx"
    summary = build_index([records], out, on_same_text=lambda *ids: copies.append(ids))
    assert (summary.added, summary.duplicates, summary.same_text, summary.documents) == (1, 0, 1, 1)
    assert copies == [("mirror/a", "wire/a")]
    # Named by the id the text got, which may be a renamed one: "x" holds another text.
    renamed: list[tuple[str, str]] = []
    clash = write_jsonl(
        tmp_path / "clash.jsonl",
        [
            {"id": "x", "text": ARTICLES["museum"]},
            {"id": "x", "text": UNRELATED},
            {"id": "y", "text": UNRELATED},
            {"id": "x", "text": UNRELATED},
        ],
    )
    other = build_index(
        [clash],
        tmp_path / "clash.sdx",
        on_same_text=lambda *ids: copies.append(ids),
        on_rename=lambda *ids: renamed.append(ids),
    )
    ((_, new_id),) = renamed
    assert copies[-1] == ("y", new_id)
    assert (other.added, other.duplicates, other.same_text, other.conflicts) == (2, 1, 1, 1)
    # --add of a third copy, to an index written before texts were indexed by their digest.
    with sqlite3.connect(out) as connection:
        connection.execute("DROP INDEX docs_by_text")
    SourceIndex.open(out, writable=True).close()  # opening alone changes nothing
    with sqlite3.connect(out) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "docs_by_text" not in names
    third = write_jsonl(
        tmp_path / "third.jsonl",
        [{"id": "feed/a", "text": flood}, {"id": "feed/b", "text": UNRELATED}],
    )
    again = build_index([third], out, add=True, on_same_text=lambda *ids: copies.append(ids))
    assert (again.added, again.same_text, again.documents) == (1, 1, 2)
    assert copies[-1] == ("feed/a", "wire/a")
    with sqlite3.connect(out) as connection:
        indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "docs_by_text" in indexes


def test_two_sites_index_pages_named_alike_are_both_indexed(tmp_path):
    for site, text in (("site1", ARTICLES["flood"]), ("site2", UNRELATED)):
        (tmp_path / site).mkdir()
        (tmp_path / site / "index.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "feeds.sdx"
    summary = build_index([tmp_path / "site1" / "index.txt", tmp_path / "site2" / "index.txt"], out)
    assert (summary.added, summary.conflicts) == (2, 1)
    with SourceIndex.open(out) as index:
        (renamed,) = [id for id in index.ids() if id.startswith("index.txt#")]
        assert index.text(renamed) == UNRELATED


def test_a_format_3_index_added_to_keeps_its_table_raw_for_older_readers(built, tmp_path):
    index_path, _, _ = built
    with SourceIndex.open(index_path) as index:
        df = index._read_df()
    old = _copy_with(  # what format 3 wrote
        built,
        tmp_path,
        "UPDATE arrays SET dtype = '<u4', data = ? WHERE name = 'df'",
        df.astype("<u4").tobytes(),
    )
    with sqlite3.connect(old) as connection:
        connection.execute("UPDATE meta SET value = '3' WHERE key = 'format_version'")
    build_index(
        [write_jsonl(tmp_path / "x.jsonl", [{"id": "g", "text": UNRELATED}])], old, add=True
    )
    with sqlite3.connect(old) as connection:
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        (dtype,) = connection.execute("SELECT dtype FROM arrays WHERE name = 'df'").fetchone()
    assert meta["format_version"] == "3" and dtype == "<u4"
    with SourceIndex.open(old) as index:
        assert "g" in index and int(index._read_df().sum()) > int(df.sum())
