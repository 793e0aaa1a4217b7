"""The public API: the names ``detector`` exports, and the examples in the README and docstrings."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

import detector

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_resolves():
    for name in detector.__all__:
        assert getattr(detector, name) is not None, name


def test_importing_detector_loads_no_submodule():
    code = (
        "import sys, detector; print(sorted(m for m in sys.modules if m.startswith('detector.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_readme_python_example_runs():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, verbose=False)
    assert result.attempted >= 4
    assert result.failed == 0


def test_score_module_docstring_example_runs():
    import detector.score

    result = doctest.testmod(detector.score, verbose=False)
    assert result.attempted >= 4
    assert result.failed == 0


def test_score_texts_refuses_a_text_without_words_as_the_cli_does():
    from detector import score_texts
    from detector.errors import InputError

    with pytest.raises(InputError, match="the suspect text is empty"):
        score_texts("", "The council approved the plan on Tuesday.")
    with pytest.raises(InputError, match="the original text has no words"):
        score_texts("The council approved the plan on Tuesday.", " -- ... !! ")


def test_a_model_given_a_string_says_to_make_a_document():
    from detector.models import load_model

    model = load_model("baseline")
    with pytest.raises(TypeError, match=r"takes a Document, got str; .*make_document"):
        model.score("The council approved the plan on Tuesday.")
