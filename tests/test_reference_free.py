"""`spindetect score` without --original, through the shipped baseline model."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from detector.cli import app
from detector.models import models_root

from .conftest import EXAMPLES

runner = CliRunner()


@pytest.fixture(scope="module")
def baseline_installed():
    if not (models_root() / "baseline" / "config.json").is_file():
        pytest.skip("no baseline model in models/: run `make baseline`")


def score(*args: object):
    return runner.invoke(app, ["score", *(str(a) for a in args)])


def test_score_without_original_flags_the_spun_example(baseline_installed):
    result = score(EXAMPLES / "spun.txt", "--model", "baseline", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mode"] == "reference-free"
    assert report["model"] == "baseline"
    assert report["verdict"] == "spun"
    assert report["relation"] is None
    assert report["spans"], "a spun article has flagged words"
    text = (EXAMPLES / "spun.txt").read_text()
    for span in report["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
        assert set(span) >= {"start", "end", "text", "original", "kind", "score"}
    assert any(span["original"] for span in report["spans"]), "some originals are guessed"


def test_score_without_original_passes_the_clean_example(baseline_installed):
    result = score(EXAMPLES / "original.txt", "--model", "baseline", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "not_spun"
    assert report["spin_score"] < 0.5


def test_a_spun_article_in_capitals_is_read_as_ordinary_text(baseline_installed, tmp_path):
    """Capitals make every word unlikely to a model: an easy evasion, undone."""
    spun = (EXAMPLES / "spun.txt").read_text()
    capitals = tmp_path / "capitals.txt"
    capitals.write_text(spun.upper(), encoding="utf-8")
    plain = json.loads(score(EXAMPLES / "spun.txt", "--model", "baseline", "-f", "json").stdout)
    result = score(capitals, "--model", "baseline", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == plain["verdict"] == "spun"
    assert abs(len(report["spans"]) - len(plain["spans"])) <= 3
    assert report["note"].endswith("read in lower case: the text is written in capitals")
    for span in report["spans"]:  # shown on the text as written
        assert spun.upper()[span["start"] : span["end"]] == span["text"]
        assert span["original"] == span["original"].upper()


def test_sentence_case_keeps_every_offset():
    from detector.document import make_document
    from detector.scoring import in_sentence_case

    text = "THE COUNCIL MET IN İZMIR. IT VOTED 31 TO 12 ON TUESDAY, AFTER A LONG DEBATE."
    document = make_document(text)
    read = in_sentence_case(document)
    assert read.text == (
        "The council met in İzmir. It voted 31 to 12 on tuesday, after a long debate."
    )
    assert (read.words, read.starts, read.sentences) == (
        document.words,
        document.starts,
        document.sentences,
    )
    ordinary = make_document("The council met. IT VOTED, said the BBC and NASA in a statement.")
    assert in_sentence_case(ordinary) is ordinary


@settings(max_examples=200, deadline=None)
@given(
    capitals=st.text(alphabet="ABCDÉİ ", min_size=40, max_size=150),
    lower=st.text(alphabet="abcßéªǅ.1\n", max_size=40),
    data=st.data(),
)
def test_sentence_case_reads_capitals_by_its_definition(capitals, lower, data):
    text = "".join(data.draw(st.permutations(list(capitals + lower))))
    _check_capitals_definition(text)


def test_sentence_case_at_the_exact_share():
    _check_capitals_definition("A" * 32 + "b" * 8)  # four fifths capitals: converted
    _check_capitals_definition("A" * 31 + "b" * 9)


def _check_capitals_definition(text: str) -> None:
    from detector.document import make_document
    from detector.scoring import in_sentence_case

    # The definition, counted over every character: at least 40 cased letters, four
    # fifths of them capitals.  The quick count of lower-case ASCII letters must agree.
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    capitals = sum(1 for c in letters if c.isupper())
    in_capitals = len(letters) >= 40 and capitals >= 0.8 * len(letters)
    document = make_document(text)
    assert (in_sentence_case(document) is not document) == in_capitals


def test_score_with_a_model_folder_path(baseline_installed, tmp_path):
    folder = tmp_path / "my-baseline"
    shutil.copytree(models_root() / "baseline", folder)
    result = score(EXAMPLES / "spun.txt", "--model", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "spun"


def test_score_refuses_a_model_folder_with_untrusted_types(baseline_installed, tmp_path):
    import skops.io
    from sklearn.preprocessing import FunctionTransformer

    folder = tmp_path / "evil"
    shutil.copytree(models_root() / "baseline", folder)
    skops.io.dump(FunctionTransformer(shutil.rmtree), folder / "word_model.skops")
    result = score(EXAMPLES / "spun.txt", "--model", folder)
    assert result.exit_code == 1
    assert "does not trust (shutil.rmtree)" in result.output
    assert "Traceback" not in result.output


def test_score_with_a_missing_model_folder_says_how_to_build_one(tmp_path):
    result = score(EXAMPLES / "spun.txt", "--model", tmp_path / "nothing")
    assert result.exit_code == 2  # a usage mistake, as with label
    assert "no model at" in result.output


_ELECTION_TABLE = (
    "| Party        | Seats | Change |\n"
    "|--------------|-------|--------|\n"
    "| Conservative | 21    | -4     |\n"
    "| Labour       | 18    | +3     |\n"
    "| Green        | 3     | +1     |\n"
)


def test_the_prose_around_a_table_is_scored_and_the_table_is_not(baseline_installed, tmp_path):
    """A trial's article with a five-row table was `unscored` ("looks like code or
    markup"): the swaps in its prose were never judged."""
    spun = (EXAMPLES / "spun.txt").read_text()
    middle = spun.index("\n\n", len(spun) // 3)
    with_table = tmp_path / "with_table.txt"
    with_table.write_text(spun[:middle] + "\n\n" + _ELECTION_TABLE + spun[middle:], "utf-8")
    plain = json.loads(score(EXAMPLES / "spun.txt", "--model", "baseline", "-f", "json").stdout)
    result = score(with_table, "--model", "baseline", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == plain["verdict"] == "spun"
    assert len(report["spans"]) == len(plain["spans"])
    assert "5 table lines not read" in report["note"]
    text = with_table.read_text("utf-8")
    for span in report["spans"]:  # offsets into the text as given, none inside the table
        assert text[span["start"] : span["end"]] == span["text"]
        assert "|" not in text[text.rfind("\n", 0, span["start"]) + 1 : span["start"]]
    # A table alone is still not prose.
    alone = tmp_path / "table.txt"
    alone.write_text(_ELECTION_TABLE * 3, "utf-8")
    report = json.loads(score(alone, "--model", "baseline", "-f", "json").stdout)
    assert report["verdict"] == "unscored"


def test_without_tables_blanks_only_rows_in_a_row():
    from detector.document import make_document
    from detector.prose import without_tables

    text = "Prose before.\n\n" + _ELECTION_TABLE + "\nA choice of a | b, or c | d stays."
    kept = without_tables(make_document(text))
    assert kept.rows == 5
    assert len(kept.document.text) == len(text)
    assert kept.document.text.startswith("Prose before.\n\n ")
    assert kept.document.text.endswith("\nA choice of a | b, or c | d stays.")
    assert "Labour" not in kept.document.text
    one_line = make_document("A choice of a | b, or c | d.\nNothing else.")
    assert without_tables(one_line) == without_tables(one_line).__class__(one_line, 0)
    # A review's cases: a grid table with Windows line endings, a two-column table of
    # single pipes under a rule, and lines that are no table.
    grid = "Prose.\r\n\r\n+----+----+\r\n| a  | b  |\r\n+----+----+\r\n\r\nMore prose."
    assert without_tables(make_document(grid)).rows == 3
    two_columns = "Prose.\n\nParty | Seats\n---|---\nLabour | 18\n\nMore prose."
    assert without_tables(make_document(two_columns)).rows == 3
    for prose in ("We chose a | b.\nThen c | d came.", "Part one.\n---\n---\nPart two."):
        assert without_tables(make_document(prose)).rows == 0
    long_rule = "-" * 3000 + "x\r\n" + "-" * 3000 + "\r\n"  # was cubic in a regex
    assert without_tables(make_document(long_rule)).rows == 0


def test_columns_lined_up_by_spaces_are_a_table_but_double_spaced_prose_is_not():
    # A new-user trial's price table (18 rows lined up by spaces) was read as prose: four
    # false flags ("loaf" -> "bread", "pence" -> "dollars") and no note.
    from detector.document import make_document
    from detector.prose import without_tables

    table = (
        "Item                   Oct 2025   Oct 2026   Change %\n"
        "White loaf 800g          171        210       +22.8\n"
        "Semi-skimmed milk        139        158       +13.7\n"
        "Plain flour 1.5kg\t131\t149\t+13.7\n"
    )
    text = "Prices rose again, the survey found.\n\n" + table + "\nShoppers said they cut back."
    kept = without_tables(make_document(text))
    assert kept.rows == 4 and "loaf" not in kept.document.text
    # A caption under a pipe table is prose, not a row of it.
    captioned = "| Party | Seats |\n|---|---|\n| Labour | 18 |\nSource:  Council figures, 2024.\n"
    assert without_tables(make_document(captioned)).rows == 3
    assert kept.document.text.endswith("\nShoppers said they cut back.")
    for prose in (
        # Sentences set apart by two spaces, lines without figures, a pair of lines.
        "The bus was late.  It rained.\nWe waited.  Then home.\nNobody came.  Nobody called.",
        "He said the plan was fine and fair.  She agreed with every word of it at once.\n" * 3,
        "Name:  Joe 12\nTown:  Ashby 3\n",
        # A review's cases: a numbered recipe, a transcript, code with comments, bullets.
        "1.  Preheat the oven to 180C.\n2.  Grease a 20cm tin.\n3.  Beat the butter.\n",
        "[00:01]  Host:  Welcome back.\n[00:05]  Guest:  Thanks for having me.\n"
        "[00:09]  Host:  Let's talk about 2024.\n",
        "    x = 1  # one\n    y = 2  # two\n    print(x + y)  # 3\n",
        "-  March 2024:  opens\n-  June 2024:  closes\n-  2025:  work begins\n",
    ):
        assert without_tables(make_document(prose)).rows == 0, prose


def test_a_paragraph_in_another_language_is_counted_for_the_note():
    # A new-user trial pasted a Spanish paragraph into a spun English article: no span in
    # it and no word said why.  A team's line-up of names is no other language.
    from detector.document import make_document
    from detector.lexicon import load_lexicon
    from detector.prose import foreign_paragraphs

    lexicon = load_lexicon(quiet=True)
    english = (
        "The council said on Monday that the new bus station would open next spring, "
        "after two years of delays and a long argument about the cost of the roof."
    )
    spanish = (
        "La huelga también afectará a los trabajadores de la línea costera, según confirmó "
        "el sindicato en un comunicado publicado en su página web el lunes por la tarde."
    )
    line_up = (
        "Harbourside: Price; Lowe, Bell, Carter, Evans; Danaher, Hughes; Jenkins, Thomas, "
        "Rowlands, Pike, Owen, Morgan, Stephens, Lloyd. Replacements: Penrose, Davies."
    )
    text = "\n\n".join([english, spanish, english, line_up])
    assert foreign_paragraphs(make_document(text), lexicon) == (1, 4)
    assert foreign_paragraphs(make_document(english), lexicon) == (0, 1)
    # English jargon keeps its function words (a review's medical paragraph).
    medical = (
        "patients presented with dyspnoea, tachycardia, hyponatraemia, hypokalaemia, "
        "eosinophilia, thrombocytopenia and elevated troponin; echocardiography showed "
        "hypokinesis, troponin rose"
    )
    assert foreign_paragraphs(make_document(english + "\n\n" + medical), lexicon) == (0, 2)
