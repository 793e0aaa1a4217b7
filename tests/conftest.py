"""Shared fixtures: the compiled lexicon and a scorer, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.judge import SubstitutionJudge
from detector.lexicon import Lexicon, load_lexicon, load_reference_glue
from detector.score import ReferenceScorer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
# A one-sentence original and its spun copy, for the CLI tests.
ORIGINAL = "The company's staff completely rejected the report because of a lot of errors.\n"
SPUN = "The company's employees utterly rejected the report on account of plenty of errors.\n"


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return load_lexicon(quiet=True)


@pytest.fixture(scope="session")
def judge(lexicon: Lexicon) -> SubstitutionJudge:
    return SubstitutionJudge(lexicon, load_reference_glue())


@pytest.fixture(scope="session")
def scorer(judge: SubstitutionJudge) -> ReferenceScorer:
    return ReferenceScorer(judge)


@pytest.fixture(scope="session")
def shared_seeds() -> Path:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    return seeds


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """The sentence pair written to files: (suspect, original)."""
    original = tmp_path / "original.txt"
    suspect = tmp_path / "suspect.txt"
    original.write_text(ORIGINAL)
    suspect.write_text(SPUN)
    return suspect, original
