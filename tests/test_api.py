"""The public API: the names ``detector`` exports, and the examples in the README and docstrings."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

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
