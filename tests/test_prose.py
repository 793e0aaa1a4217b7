"""Texts that are not English prose are left unscored, with a note, not flagged word by word."""

from __future__ import annotations

import pytest

from detector.document import make_document
from detector.prose import ProseCheck, prose_problem

NEWS = (
    "The city council voted on Tuesday to close two libraries at the end of the year, "
    "saying that the buildings were too expensive to repair. Residents who spoke at the "
    "meeting said the decision would hurt children and older people the most."
)
NOT_PROSE = {
    "german": (
        "Die Bundesregierung hat am Montag beschlossen, die Steuern für kleine Unternehmen zu "
        "senken. Der Finanzminister sagte, dass die Wirtschaft dringend Unterstützung brauche."
    ),
    "code": (
        "def total(items):\n    result = {}\n    for key, value in items:\n"
        "        result[key] = result.get(key, 0) + value  # sum\n    return result\n"
        "if __name__ == '__main__':\n    print(total([('a', 1), ('b', 2)]))\n"
    ),
    "table": "\n".join(f"| {i} | {i * 3.5:.1f} | {i * i} | region {i % 4} |" for i in range(30)),
    "keywords": "cheap flights london paris hotel deals best price booking discount travel " * 3,
    "short": "Breaking news tonight.",
}


def test_news_prose_is_judged(lexicon):
    assert prose_problem(make_document(NEWS), lexicon) is None


@pytest.mark.parametrize("kind", sorted(NOT_PROSE))
def test_other_texts_get_a_reason(lexicon, kind):
    problem = prose_problem(make_document(NOT_PROSE[kind]), lexicon)
    assert problem is not None and len(problem.splitlines()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "市议会周二投票决定在年底关闭两座图书馆。居民们说这个决定会伤害孩子和老人。",  # 3 "words"
        "市議会は火曜日、年末に図書館を二つ閉鎖することを決めた。住民は反対した。",
        "Городской совет во вторник решил закрыть две библиотеки в конце года.",
    ],
)
def test_another_script_is_not_english_whatever_its_length(lexicon, text):
    problem = prose_problem(make_document(text), lexicon)
    assert problem is not None and problem.startswith("does not look like English: 100%")


def test_lookalike_and_fullwidth_letters_are_read_as_latin_not_another_script(lexicon):
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in NEWS)
    lookalikes = NEWS.upper().translate(str.maketrans("AEOTHCPMKBX", "АЕОТНСРМКВХ"))
    assert prose_problem(make_document(fullwidth), lexicon) is None
    assert prose_problem(make_document(lookalikes), lexicon) is None


def test_one_word_is_one_word(lexicon):
    assert prose_problem(make_document("Hello"), lexicon) == (
        "too short to judge (1 word; at least 15 are needed)"
    )


def test_english_paragraphs_in_a_text_that_is_not_english_are_pointed_out(lexicon):
    german = NOT_PROSE["german"]
    text = f"{german}\n\n{NEWS}\n\n{german}\n\n{german}"
    problem = prose_problem(make_document(text), lexicon)
    assert problem is not None and problem.startswith("does not look like English")
    assert problem.endswith("; 1 of its 4 paragraphs is English: score it on its own")
    crlf = prose_problem(make_document(text.replace("\n", "\r\n")), lexicon)
    assert crlf is not None and crlf.endswith(problem.split("; ", 1)[1])
    only_german = prose_problem(make_document(f"{german}\n\n{german}"), lexicon)
    assert only_german is not None and "paragraph" not in only_german


def test_check_parameters_are_validated():
    with pytest.raises(ValueError, match="'min_english_share' of ProseCheck"):
        ProseCheck(min_english_share=1.5)


def test_reference_free_report_is_unscored_with_a_note(lexicon):
    from detector.models import load_model

    model = load_model("baseline")
    report = model.score(make_document(NOT_PROSE["german"] * 2, "de.txt"))
    assert report.verdict == "unscored"
    assert report.spans == ()
    assert "English" in report.to_dict()["note"]


def test_the_text_and_html_reports_say_why_a_text_is_unscored(tmp_path):
    from typer.testing import CliRunner

    from detector.cli import app

    german = tmp_path / "de.txt"
    german.write_text(NOT_PROSE["german"] * 2, "utf-8")
    runner = CliRunner()
    text = runner.invoke(app, ["score", str(german), "--model", "baseline"])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("UNSCORED")
    assert "note:      does not look like English" in text.stdout
    page = runner.invoke(app, ["score", str(german), "--model", "baseline", "--format", "html"])
    assert '<p class="note">does not look like English' in page.stdout


@pytest.mark.parametrize(
    "text",
    ["a " * 20_000, "The council met today and voted. " * 400],
    ids=["one word", "one sentence"],
)
def test_a_word_or_a_line_repeated_is_not_prose(lexicon, text):
    problem = prose_problem(make_document(text), lexicon)
    assert problem is not None and "different" in problem


def test_a_whole_article_has_enough_different_words(lexicon):
    from pathlib import Path

    article = Path(__file__).resolve().parents[1] / "examples" / "original.txt"
    assert prose_problem(make_document(article.read_text("utf-8")), lexicon) is None


def test_a_text_over_a_models_word_limit_is_unscored_with_a_note():
    from detector.models import load_model

    model = load_model("baseline")
    model.max_words = 20  # as the language-model models bound their minutes of reading
    report = model.score(make_document(NEWS, "long.txt"))
    assert report.verdict == "unscored"
    note = report.to_dict()["note"]
    assert "too long" in note and "--model transformer" in note
    assert len(note.splitlines()) == 1
