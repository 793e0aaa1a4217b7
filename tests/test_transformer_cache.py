"""The transformer's merged weights are cached: later loads skip peft and give the same numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LOAD = """
import json, sys
from detector.models import load_model
from detector.document import make_document
model = load_model("transformer")
document = make_document(open("examples/spun.txt", encoding="utf-8").read())
print(json.dumps({"peft": "peft" in sys.modules, "p": model.word_probabilities([document])[0]}))
"""


def _load(cache: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "SPINDETECT_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", _LOAD], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_second_load_reads_the_merged_weights_without_peft(tmp_path):
    first, second = _load(tmp_path), _load(tmp_path)
    assert first["peft"] and not second["peft"]
    assert first["p"] == second["p"]
    assert list((tmp_path / "transformer").glob("*/model.safetensors"))


def test_a_damaged_merged_cache_is_merged_again(tmp_path):
    _load(tmp_path)
    (weights,) = (tmp_path / "transformer").glob("*/model.safetensors")
    weights.write_bytes(b"not safetensors")
    again = _load(tmp_path)
    assert again["peft"]
    assert weights.read_bytes() != b"not safetensors"
