"""The packed transformer weights load back to the very network they were made from."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from safetensors.torch import save_file  # noqa: E402

from detector.errors import ModelNotFoundError  # noqa: E402
from detector.minilm import Dense  # noqa: E402
from detector.packed_weights import (  # noqa: E402
    FORMAT,
    _quantize,
    load_packed_network,
    save_packed_network,
)


@pytest.fixture(scope="module")
def network():
    torch.manual_seed(3)
    config = transformers.BertConfig(
        vocab_size=120,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=2,
    )
    return transformers.AutoModelForTokenClassification.from_config(config).eval()


def _inputs():
    ids = torch.tensor([[1, 17, 42, 99, 7, 2], [1, 5, 6, 2, 0, 0]])
    return {"input_ids": ids, "attention_mask": (ids > 0).long()}


def test_loaded_network_computes_as_the_quantised_original(network, tmp_path: Path) -> None:
    path = tmp_path / "network.safetensors"
    save_packed_network(network, path)
    loaded = load_packed_network(path)
    # What ships: int8 linear layers, float16-stored embeddings and norms.
    linear = tuple(
        f"{name}." for name, m in network.named_modules() if isinstance(m, torch.nn.Linear)
    )
    expected = network.__class__(network.config).eval()
    expected.load_state_dict(
        {
            k: v if k.startswith(linear) else v.half().float()
            for k, v in network.state_dict().items()
        }
    )
    with torch.inference_mode():
        want = _quantize(expected)(**_inputs()).logits
        got = loaded(**_inputs())
    assert torch.equal(got, want)
    linear = [m for m in loaded.modules() if isinstance(m, torch.nn.Linear)]
    assert not linear  # every linear layer is int8
    assert not [m for m in loaded.modules() if isinstance(m, Dense)]
    assert "transformers" not in type(loaded).__module__
    assert not any(t.is_meta for t in loaded.state_dict().values() if isinstance(t, torch.Tensor))


def test_saving_leaves_the_trained_network_untouched(network, tmp_path: Path) -> None:
    before = {k: v.clone() for k, v in network.state_dict().items()}
    save_packed_network(network, tmp_path / "network.safetensors")
    after = network.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert isinstance(network.classifier, torch.nn.Linear)


def test_a_foreign_safetensors_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "network.safetensors"
    save_file({"weight": torch.zeros(2)}, str(path), metadata={"format": "pt"})
    with pytest.raises(ModelNotFoundError, match="not a spindetect packed network"):
        load_packed_network(path)


def test_a_damaged_or_truncated_file_is_refused(network, tmp_path: Path) -> None:
    path = tmp_path / "network.safetensors"
    save_packed_network(network, path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ModelNotFoundError, match="damaged"):
        load_packed_network(path)


def test_a_file_missing_a_tensor_is_refused(network, tmp_path: Path) -> None:
    from safetensors import safe_open

    path = tmp_path / "network.safetensors"
    save_packed_network(network, path)
    with safe_open(str(path), framework="pt") as stored:
        metadata = stored.metadata()
        tensors = {k: stored.get_tensor(k) for k in stored.keys()}  # noqa: SIM118
    assert metadata["format"] == FORMAT
    tensors.pop("bert.embeddings.word_embeddings.weight")
    save_file(tensors, str(path), metadata=metadata)
    with pytest.raises(ModelNotFoundError, match="lacks"):
        load_packed_network(path)


def test_the_plain_torch_classifier_computes_as_transformers_bert(network) -> None:
    from detector.minilm import BertShape, TokenClassifier

    mine = TokenClassifier(BertShape.from_config(network.config.to_dict())).eval()
    loaded = mine.load_state_dict(network.state_dict(), strict=False)
    assert not loaded.missing_keys and not loaded.unexpected_keys
    with torch.inference_mode():
        want = network(**_inputs()).logits
        got = mine(**_inputs())
    # The padded row's real tokens too: padding is masked out the same way.
    assert torch.allclose(got, want, atol=1e-6)


def test_windows_match_a_hugging_face_fast_tokenizer() -> None:
    from detector.minilm import WordPieceWindows
    from detector.models import model_dir

    path = model_dir("transformer") / "tokenizer.json"
    hf = transformers.PreTrainedTokenizerFast(tokenizer_file=str(path))
    mine = WordPieceWindows.from_file(path)
    sentence = "The corporate’s Chief of Employees utterly rejected the report, café\u00a0naïve. "
    for text in ("", "word", "word " * 46, "word " * 47, sentence * 40):
        for max_length, stride in ((48, 8), (256, 32)):
            encoded = hf(
                text,
                max_length=max_length,
                stride=stride,
                truncation=True,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
            )
            want = [
                (list(ids), [tuple(o) for o in offsets])
                for ids, offsets in zip(
                    encoded["input_ids"], encoded["offset_mapping"], strict=True
                )
            ]
            assert mine.windows(text, max_length, stride) == want, (text[:20], max_length)
