"""The shipped transformer loads as it ships: no adapter merge, no quantisation, no cache.

Its network is stored as it computes (``detector.packed_weights``) and runs on a
plain-torch BERT (``detector.minilm``), so loading imports neither peft nor
transformers (seconds of start-up) and writes nothing.
"""

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
p = model.word_probabilities([document])[0]
heavy = [m for m in ("peft", "transformers", "torch._dynamo") if m in sys.modules]
print(json.dumps({"heavy": heavy, "p": p}))
"""


def _load(cache: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "SPINDETECT_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", _LOAD], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_loading_imports_no_heavy_library_and_caches_nothing(tmp_path):
    first, second = _load(tmp_path), _load(tmp_path)
    assert first["heavy"] == [] == second["heavy"]
    assert first["p"] == second["p"]
    assert not (tmp_path / "transformer").exists()
