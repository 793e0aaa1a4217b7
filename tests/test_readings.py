"""Language-model readings survive the JSON cache unchanged; a torn last line is read again."""

from __future__ import annotations

import json

from detector.document import make_document
from detector.lm_judge import LMReading, SentenceSurprisal, UnitReading
from training.readings import (
    _cached,
    _fits,
    files_digest,
    judge_files,
    reading_from_dict,
    reading_to_dict,
)


def _reading() -> LMReading:
    document = make_document("The firm stated it would wait.")
    return LMReading(
        document=document,
        units=(UnitReading(1, 2, 4, 8, "firm", -9.5, 3.2, 6.1, "company", 40),),
        sentences=(SentenceSurprisal(0, 6, 0, 30, 8, 3.4),),
        tokens=8,
        pass1_seconds=0.1,
        pass2_seconds=0.2,
        pass2_tokens=12,
    )


def test_a_reading_round_trips_through_json():
    reading = _reading()
    data = json.loads(json.dumps(reading_to_dict(reading)))
    again = reading_from_dict(reading.document, data)
    assert again.units == reading.units
    assert again.sentences == reading.sentences
    assert (again.tokens, again.pass2_tokens) == (8, 12)
    assert again.surprisal == reading.surprisal


def test_a_torn_cache_line_is_skipped(tmp_path):
    cache = tmp_path / "r.jsonl"
    entry = {"key": "a", "reading": reading_to_dict(_reading())}
    cache.write_text(json.dumps(entry) + "\n" + json.dumps(entry)[:40], "utf-8")
    assert [key for key, _ in _cached(cache)] == ["a"]


def test_a_reading_made_before_the_sentences_were_split_differently_is_stale():
    reading = _reading()
    data = reading_to_dict(reading)
    assert _fits(data, reading.document)
    resplit = make_document("The firm stated. It would wait.")  # two sentences now
    assert not _fits(data, resplit)
    assert _fits({**data, "sentences": []}, resplit)  # no sentences read: cannot tell


def test_the_cache_key_covers_the_judge_s_tables_as_well_as_its_code(tmp_path):
    names = {path.name for path in judge_files()}
    assert {"lm_judge.py", "glue_phrases.tsv", "glue_phrases_extra.tsv"} <= names
    assert all(path.is_file() for path in judge_files())
    table, code = tmp_path / "glue.tsv", tmp_path / "judge.py"
    table.write_text("because\tas\n", "utf-8")
    code.write_text("x = 1\n", "utf-8")
    before = files_digest([code, table])
    assert files_digest([code, table]) == before
    table.write_text("because\tsince\n", "utf-8")
    assert files_digest([code, table]) != before
