"""Hostile inputs: crafted markup, lookalikes, terminal escapes, noise bytes, failed writes."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detector import markup
from detector.cli import app
from detector.document import make_document
from detector.errors import InputError
from detector.evasion import find_evasion, match_form
from detector.io import decode, format_size, read_document
from detector.render import render_html, render_json, render_text, safe_for_terminal

from .conftest import EXAMPLES, ORIGINAL, SPUN

runner = CliRunner()


def invoke(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def _one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


# --------------------------------------------------------------------------- 1. markup time


@pytest.mark.parametrize(
    ("suffix", "content"),
    [
        (".md", "*a " * 80_000),  # 240 KB: over 120 s with the old regexes
        (".md", "_a " * 80_000),
        (".md", "**a " * 60_000),
        (".md", "*_**" * 30_000 + "x" + "**_*" * 30_000),  # nested emphasis
        (".md", "[" * 50_000),
        (".md", "![a](" * 30_000),
        (".md", "[a][" * 30_000),
        (".md", "<" * 100_000),
        (".md", "<a b " * 10_000),
        (".md", "# a" + " " * 20_000 + "b"),  # heading: cubic with the old regex
        (".html", "<a b " * 10_000),  # 50 KB: 21 s with html.parser
        (".html", '<a href="' * 30_000),
        (".html", "<!--" * 30_000),
        (".html", "</" * 50_000),
        (".html", "<" * 100_000),
        (".html", "<p>x</p><![foo]>" + "<a " * 30_000),  # html.parser raised AssertionError
        (".html", "<script>" + "</scrip" * 30_000),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith(".") else repr(v[:12]),
)
def test_crafted_markup_is_read_in_linear_time(tmp_path, suffix, content):
    path = tmp_path / f"crafted{suffix}"
    path.write_text(content, encoding="utf-8")
    began = time.perf_counter()
    with contextlib.suppress(InputError):  # markup with no text in it: refused, and quickly
        read_document(path)
    assert time.perf_counter() - began < 2.0


def test_markdown_steps_do_what_their_regexes_did():
    # Each linear scan against the regular expression it replaces, on random snippets
    # rich in markup characters.
    rules = [
        (re.compile(pattern, re.M if pattern.startswith("^") else 0), replacement)
        for pattern, replacement in markup._MD_RULES_AS_REGEXES
    ]
    pieces = [*"*_[]()!<>#`-+ \t\n\nab1.", "**", "__", "](", "![", "\n# ", "    "]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        for (pattern, replacement), step in zip(rules, markup._MD_STEPS, strict=True):
            assert step(text) == pattern.sub(replacement, text), (pattern.pattern, text)


def test_html_constructs_left_open_make_the_rest_text_as_before():
    assert markup.html_to_text("<p>Kept.</p>if a<b then") == "Kept.\n\nif a<b then"
    assert markup.html_to_text("<p>Kept.</p><a href='x>y") == "Kept.\n\n<a href='x>y"
    assert markup.html_to_text("<p>One</p><![if !IE]><p>Two</p><![endif]>") == "One\n\nTwo"
    page = "<p>Before <script>document.write('<p>x</p>')</script>after</p><script>lost"
    assert markup.html_to_text(page) == "Before after"


# --------------------------------------------------------------------------- 2. evasion


def _disguised(text: str) -> str:
    """``text`` with Cyrillic letters and invisible characters inside some words."""
    return (
        text.replace("company", "\u0441omp\u200bany")  # Cyrillic es, zero-width space
        .replace("report", "rep\u043ert")  # Cyrillic o
        .replace("errors", "err\u2060ors")  # word joiner
        .replace("staff", "st\u00adaff")  # soft hyphen: read through, not counted as evasion
        .replace("The", "\u0422h\ufeffe")  # Cyrillic Te, byte-order mark
    )


def test_words_are_matched_without_lookalikes_and_invisible_characters():
    text = _disguised(ORIGINAL)
    doc = make_document(text)
    assert doc.words == make_document(ORIGINAL).words
    assert doc.text == text  # offsets index the text as read
    assert [text[s:e] for s, e in zip(doc.starts, doc.ends, strict=True)][:2] == [
        "\u0422h\ufeffe",
        "\u0441omp\u200bany",
    ]


@pytest.mark.parametrize("suspect", [ORIGINAL, SPUN], ids=["copy", "spun"])
def test_disguised_suspect_scores_as_if_the_disguise_were_absent(scorer, suspect):
    original = make_document(ORIGINAL, "original")
    plain = scorer.score(make_document(suspect, "suspect"), original)
    disguised_text = _disguised(suspect)
    disguised = scorer.score(make_document(disguised_text, "suspect"), original)
    assert (disguised.verdict, disguised.relation) == (plain.verdict, plain.relation)
    assert disguised.spin_score == pytest.approx(plain.spin_score)
    assert [(s.original, s.kind) for s in disguised.spans] == [
        (s.original, s.kind) for s in plain.spans
    ]
    for span in disguised.spans:
        assert disguised_text[span.start : span.end] == span.text


def test_composed_accents_ligatures_and_soft_hyphens_match_and_are_no_evasion():
    decomposed = "Zelenske\u0301 visited Go\u0301rnal on the \ufb01rst day of cam\u00adpaigning."
    composed = "Zelensk\u00e9 visited G\u00f3rnal on the first day of campaigning."
    doc = make_document(decomposed)
    assert doc.words == make_document(composed).words
    assert [decomposed[s:e] for s, e in zip(doc.starts, doc.ends, strict=True)][:3] == [
        "Zelenske\u0301",
        "visited",
        "Go\u0301rnal",
    ]
    assert find_evasion(decomposed).to_dict() == {"homoglyphs": 0, "zero_width": 0}


def test_find_evasion_gives_the_offsets_of_lookalikes_and_invisible_characters():
    text = _disguised(ORIGINAL)
    marks = find_evasion(text)
    assert [text[k] for k in marks.homoglyphs] == ["\u0422", "\u0441", "\u043e"]
    assert [text[k] for k in marks.zero_width] == ["\ufeff", "\u200b", "\u2060"]
    assert marks.to_dict() == {"homoglyphs": 3, "zero_width": 3}
    assert find_evasion(ORIGINAL).to_dict() == {"homoglyphs": 0, "zero_width": 0}


def test_the_text_and_html_reports_say_when_characters_were_hidden_in_words():
    from detector.score import ReferenceScorer

    scorer = ReferenceScorer()
    disguised = scorer.score(make_document(_disguised(ORIGINAL)), make_document(ORIGINAL))
    line = "3 lookalike letters from other scripts and 3 invisible characters"
    assert f"evasion:   {line}" in render_text(disguised)
    assert f"<dt>evasion</dt><dd>{line}" in render_html(disguised)
    plain = scorer.score(make_document(SPUN), make_document(ORIGINAL))
    assert "evasion" not in render_text(plain) and "<dt>evasion" not in render_html(plain)


@pytest.mark.parametrize(
    "text",
    [
        "Привет, мир! Это обычный русский текст.",  # Cyrillic words stay Cyrillic
        "Η Αθήνα είναι η πρωτεύουσα.",
        "Levels of α-synuclein and β-amyloid rose; the μ-opioid receptor was blocked.",
        "Zoë Brontë's café in Ærøskøbing.",
        "The emoji 👨\u200d👩\u200d👧 family.",  # joiners between emoji, not inside a word
    ],
)
def test_ordinary_text_in_any_script_is_not_flagged(text):
    assert not find_evasion(text)
    doc = make_document(text)
    assert doc.words == tuple(text[s:e].lower() for s, e in zip(doc.starts, doc.ends, strict=True))


@pytest.mark.parametrize(
    "text",
    [
        "plain ASCII",
        "Zo\u00eb\u2019s caf\u00e9 \u2014 \u201cquoted\u201d",
        "\u0441ompany",
        "com\u200bpany",
        "\U0001d41aa",
        "Levels of \u03b1-synuclein rose.",
        "\u00a0\u2009\u202f spaces",
    ],
)
def test_suspect_characters_are_found_among_the_characters_outside_ascii(text):
    from detector.document import _ONE_FOR_ONE, normalise
    from detector.evasion import _SUSPECT_CHARS, has_suspect_characters

    assert not any(c.isascii() for c in _SUSPECT_CHARS)
    assert has_suspect_characters(text) == (not _SUSPECT_CHARS.isdisjoint(text))
    # normalise puts ASCII for characters none of which is suspect, so the fingerprint's
    # tokens may test its result instead of the text
    assert _SUSPECT_CHARS.isdisjoint(_ONE_FOR_ONE)
    assert has_suspect_characters(normalise(text)) == has_suspect_characters(text)


def test_match_form_reads_whole_lookalike_words_and_fullwidth_letters_as_latin():
    assert match_form("\u0421\u041e\u0420") == "cop"  # all three Cyrillic
    assert match_form("\uff43ompany") == "company"  # fullwidth c
    assert match_form("\U0001d41c\U0001d428mpany") == "company"  # mathematical bold
    assert match_form("\u043c\u0438\u0440") == "мир"  # a Russian word
    assert match_form("\u0441") == "с"  # one letter alone: a Russian word too


# --------------------------------------------------------------------------- 3. terminal

_ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b[31m\x9b1m\u202e\r"


@pytest.fixture
def escape_pair(tmp_path):
    original = tmp_path / "original.txt"
    suspect = tmp_path / "suspect.txt"
    original.write_text(ORIGINAL)
    suspect.write_text(_ESCAPES + SPUN.replace("report", "report" + _ESCAPES))
    return suspect, original


def test_terminal_text_shows_control_characters_as_escapes(escape_pair):
    suspect, original = escape_pair
    result = invoke("score", suspect, "--original", original)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", out)
    # "2J", "0", "pwned"... read as added words, marked [+...+] after the first escape.
    assert "2J\\x1b]0;pwned\\x07" in out and "\\x9b1m\\u202e" in out
    assert "{employees|staff}" in out


def test_json_keeps_the_text_exactly_and_escapes_control_characters(escape_pair):
    suspect, original = escape_pair
    result = invoke("score", suspect, "--original", original, "-f", "json")
    assert result.exit_code == 0, result.output
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202e]", result.stdout.replace("\n", ""))
    report = json.loads(result.stdout)
    text = suspect.read_bytes().decode()  # as read: "\r" kept
    assert report["spans"] and all(
        text[s["start"] : s["end"]] == s["text"] for s in report["spans"]
    )


def test_html_escapes_control_characters(escape_pair):
    suspect, original = escape_pair
    result = invoke("score", suspect, "--original", original, "-f", "html")
    assert result.exit_code == 0, result.output
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", result.stdout)
    assert "\\x1b]0;pwned\\x07" in result.stdout


def test_names_are_made_safe_too(scorer, tmp_path):
    suspect = make_document(SPUN, "evil\x1b]0;x\x07.txt")
    report = scorer.score(suspect, make_document(ORIGINAL, "orig\x1b[2J.txt"))
    for page in (render_text(report), render_text(report, color=True), render_html(report)):
        assert "\x07" not in page and "\x1b]" not in page and "\x1b[2J" not in page
    assert json.loads(render_json(report))["source"] == "orig\x1b[2J.txt"


def test_safe_for_terminal_keeps_tabs_and_line_breaks():
    assert safe_for_terminal("a\tb\r\nc\rd\n") == "a\tb\nc\nd\n"
    assert safe_for_terminal("plain") == "plain"


# --------------------------------------------------------------------------- 4. noise bytes


_UNDEFINED_IN_CP1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")  # noise with these was refused already


def _noise(seed: int, low: int, size: int = 3000) -> bytes:
    rng = random.Random(seed)
    usable = [b for b in range(low, 0x100) if b not in _UNDEFINED_IN_CP1252]
    return bytes(rng.choice(usable) for _ in range(size))


@pytest.mark.parametrize("seed", range(5))
def test_random_high_bytes_are_not_taken_for_cp1252_text(seed):
    noise = _noise(seed, 0x80)
    with pytest.raises(InputError, match=r"does not look like text.*--encoding"):
        decode(noise, "noise.txt")
    with pytest.raises(InputError, match="does not look like text"):
        decode(_noise(seed, 0x20), "noise.txt")  # printable ASCII among them
    with pytest.raises(InputError, match="does not look like text"):
        decode(_noise(seed, 0x80, size=40), "noise.txt")  # a short burst
    assert decode(noise, encoding="cp1252") == noise.decode("cp1252")  # when asked for


@pytest.mark.parametrize(
    "article",
    [
        "The council’s plan – worth €3.5m – was “too fast”, critics said… Officials disagreed.",
        "« Ça m’a coûté très cher », a déclaré l’élève âgé de 15 ans à Évreux, où il était né.",
        "Die Bürger müssen für Straßenschäden zahlen, erklärte der Bürgermeister – 3,5 Mio. €.",
        "Þjóðin hefur ákveðið að fá sér nýjan forsætisráðherra, sagði Jón Þór í gær.",
        "Açaí, piñata and jalapeño: ¿qué pasó? ¡Olé! Señora Muñoz ganó el año pasado.",
    ],
    ids=["english", "french", "german", "icelandic", "spanish"],
)
def test_real_cp1252_articles_are_accepted(tmp_path, article):
    data = article.encode("cp1252")
    assert decode(data) == article
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    assert read_document(path).text == article


def test_noise_file_is_one_line_error(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(_noise(1, 0x80))
    original = tmp_path / "original.txt"
    original.write_text(ORIGINAL)
    message = _one_line_error(invoke("score", path, "--original", original))
    assert "does not look like text" in message and "--encoding" in message


# --------------------------------------------------------------------------- 5. output


def test_output_is_written_whole_and_keeps_permissions(pair, tmp_path):
    suspect, original = pair
    out = tmp_path / "report.json"
    out.write_text("old report")
    out.chmod(0o640)
    result = invoke("score", suspect, "--original", original, "-f", "json", "--output", out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["verdict"] == "spun"
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "original.txt",
        "report.json",
        "suspect.txt",
    ]


@pytest.mark.parametrize(
    "where",
    [
        lambda d: d / "no-such-folder" / "r.json",
        lambda d: d / "original.txt" / "r.json",
        lambda d: d,
    ],
    ids=["missing-folder", "file-as-folder", "a-folder"],
)
def test_unwritable_output_is_one_line_error(pair, tmp_path, where):
    suspect, original = pair
    result = invoke("score", suspect, "--original", original, "--output", where(tmp_path))
    assert "cannot write" in _one_line_error(result)


def _mount_tmpfs(folder: Path, options: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")


@pytest.fixture
def small_tmpfs(tmp_path):
    folder = tmp_path / "small"
    _mount_tmpfs(folder, "size=16k")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_full_disk_leaves_the_old_output_and_no_partial_file(pair, small_tmpfs):
    suspect, original = pair
    out = small_tmpfs / "report.json"
    out.write_text("old report")
    with open(small_tmpfs / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"x" * 1024)
        except OSError:
            pass
    result = invoke("score", suspect, "--original", original, "-f", "json", "--output", out)
    assert "No space left on device" in _one_line_error(result)
    assert out.read_text() == "old report"
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["filler", "report.json"]


def test_read_only_folder_is_one_line_error(pair, tmp_path):
    suspect, original = pair
    folder = tmp_path / "ro"
    _mount_tmpfs(folder, "ro,size=16k")
    try:
        result = invoke("score", suspect, "--original", original, "--output", folder / "r.txt")
        assert "Read-only file system" in _one_line_error(result)
        assert list(folder.iterdir()) == []
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_standard_output_is_one_line_error(pair):
    suspect, original = pair
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "detector", "score", str(suspect), "--original", str(original)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert done.stderr == "Error: cannot write to standard output: No space left on device\n"


# --------------------------------------------------------------------------- 6. sizes


def test_size_limit_is_said_in_readable_units(pair):
    suspect, original = pair
    message = _one_line_error(invoke("score", suspect, "--original", original, "--max-bytes", "50"))
    assert "larger than 50 bytes" in message


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (1, "1 byte"),
        (100, "100 bytes"),
        (1_000, "1 kB"),
        (1_500, "1.5 kB"),
        (999_999, "1 MB"),
        (1_500_000, "1.5 MB"),
        (10_000_000, "10 MB"),
        (2_345_000_000, "2.35 GB"),
    ],
)
def test_format_size(n, shown):
    assert format_size(n) == shown


@pytest.mark.parametrize(
    "padding",
    [
        " ".join(["مرحبا بالعالم"] * 200),  # another script, no sentence end
        " ".join(["and the old town by the river"] * 60),  # an English run-on
    ],
    ids=["arabic", "run-on"],
)
def test_a_run_of_words_glued_to_a_copied_sentence_does_not_hide_the_spin(scorer, padding):
    # 400 words with no sentence end, put before a spun article's first sentence, used to
    # be compared as part of that sentence and diluted its evidence: not_spun (0.17).
    original = make_document((EXAMPLES / "original.txt").read_text("utf-8"), "original")
    spun = (EXAMPLES / "spun.txt").read_text("utf-8")
    plain = scorer.score(make_document(spun, "suspect"), original)
    padded = scorer.score(make_document(f"{padding} {spun}", "suspect"), original)
    assert plain.verdict == padded.verdict == "spun"
    assert padded.coverage.suspect < 0.8
    assert max(hi - lo for lo, hi in make_document(padding).sentences) <= 80
