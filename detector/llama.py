"""A Llama-architecture causal language model in plain torch, for reading text fast.

The language-model judge only reads: one causal pass per window, then short
continuations over that window's cached keys and values.  transformers can do
that, but importing its model-loading machinery costs about 2 s of CPU per
process (it pulls in ``torch.distributed.tensor``, ``torch._dynamo`` and
sympy), more than the packaged model takes to load.  This module reads a
Llama-family checkpoint (SmolLM2 is one) from its ``config.json``,
``model.safetensors`` and ``tokenizer.json`` with torch, safetensors and
tokenizers only, and computes what transformers' ``LlamaModel`` computes (the
same operations in the same order; ``tests/test_llama.py`` compares the two).

It offers what ``detector.lm_judge`` uses of a transformers model: ``base_model(input_ids,
attention_mask, position_ids, past_key_values, use_cache)`` returning
``last_hidden_state`` and ``past_key_values`` (a ``KeyValueCache`` with
``get_seq_length`` and ``crop``), and ``get_output_embeddings()``; and of a
fast tokenizer: calls with ``add_special_tokens=False`` (and
``return_offsets_mapping``), ``decode``, ``get_vocab``, ``convert_ids_to_tokens``
and ``len``.  Generation is not offered: ``load_causal_lm(reader=False)`` gives
the transformers model for that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["KeyValueCache", "LlamaReader", "ReaderTokenizer", "is_plain_llama"]

_SUPPORTED_ROPE = (None, "default")


def is_plain_llama(folder: Path) -> bool:
    """Whether ``folder`` holds a Llama checkpoint this module reads exactly.

    Plain means: model type ``llama``, default rotary embeddings, no biases, SiLU,
    one ``model.safetensors`` file and a ``tokenizer.json``.
    """
    try:
        config = json.loads((folder / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
    return (
        config.get("model_type") == "llama"
        and rope.get("rope_type", rope.get("type")) in _SUPPORTED_ROPE
        and not config.get("attention_bias")
        and not config.get("mlp_bias")
        and config.get("hidden_act", "silu") == "silu"
        and config.get("pretraining_tp", 1) == 1
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


@dataclass(frozen=True)
class _Shape:
    vocab: int
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    eps: float
    theta: float
    tied: bool
    max_context: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> _Shape:
        heads = int(config["num_attention_heads"])
        hidden = int(config["hidden_size"])
        rope = config.get("rope_parameters") or {}
        theta = rope.get("rope_theta", config.get("rope_theta", 10000.0))
        return cls(
            vocab=int(config["vocab_size"]),
            hidden=hidden,
            intermediate=int(config["intermediate_size"]),
            layers=int(config["num_hidden_layers"]),
            heads=heads,
            kv_heads=int(config.get("num_key_value_heads") or heads),
            head_dim=int(config.get("head_dim") or hidden // heads),
            eps=float(config.get("rms_norm_eps", 1e-6)),
            theta=float(theta),
            tied=bool(config.get("tie_word_embeddings", False)),
            max_context=int(config.get("max_position_embeddings") or 2048),
        )


class KeyValueCache:
    """Each layer's keys and values so far, shaped ``(1, kv_heads, length, head_dim)``."""

    def __init__(self, layers: int) -> None:
        self.keys: list[torch.Tensor | None] = [None] * layers
        self.values: list[torch.Tensor | None] = [None] * layers

    def get_seq_length(self) -> int:
        """Positions held."""
        first = self.keys[0]
        return 0 if first is None else int(first.shape[2])

    def crop(self, length: int) -> None:
        """Keep the first ``length`` positions (a negative ``length`` drops that many)."""
        if length < 0:
            length = max(0, self.get_seq_length() + length)
        kept = self.prefix(length)
        self.keys, self.values = kept.keys, kept.values

    def prefix(self, length: int) -> KeyValueCache:
        """A cache of the first ``length`` positions, sharing this one's tensors (extending
        it leaves this one as it is)."""
        view = KeyValueCache(len(self.keys))
        for k in range(len(self.keys)):
            if self.keys[k] is not None:
                view.keys[k] = self.keys[k][:, :, :length]
                view.values[k] = self.values[k][:, :, :length]
        return view

    def extend(self, layer: int, keys: torch.Tensor, values: torch.Tensor) -> tuple[Any, Any]:
        """Append one layer's new keys and values; return everything held for that layer."""
        if self.keys[layer] is not None:
            keys = torch.cat([self.keys[layer], keys], dim=2)
            values = torch.cat([self.values[layer], values], dim=2)
        self.keys[layer], self.values[layer] = keys, values
        return keys, values


class _RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float) -> None:
        super().__init__()
        self.weight = _empty(size)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.to(torch.float32)
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def _empty(*size: int) -> nn.Parameter:
    # Built on the meta device, uninitialised: every weight is loaded.  (nn.Linear and
    # nn.Embedding would initialise them, which on meta tensors imports about 2 s of torch.)
    return nn.Parameter(torch.empty(*size, device="meta"), requires_grad=False)


class _Projection(nn.Module):
    """A linear map without bias (``nn.Linear(bias=False)``, built empty)."""

    def __init__(self, inputs: int, outputs: int) -> None:
        super().__init__()
        self.weight = _empty(outputs, inputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight)


class _Table(nn.Module):
    """Token embeddings (``nn.Embedding``, built empty)."""

    def __init__(self, rows: int, size: int) -> None:
        super().__init__()
        self.weight = _empty(rows, size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return F.embedding(ids, self.weight)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class _Attention(nn.Module):
    def __init__(self, shape: _Shape) -> None:
        super().__init__()
        self.shape = shape
        self.q_proj = _Projection(shape.hidden, shape.heads * shape.head_dim)
        self.k_proj = _Projection(shape.hidden, shape.kv_heads * shape.head_dim)
        self.v_proj = _Projection(shape.hidden, shape.kv_heads * shape.head_dim)
        self.o_proj = _Projection(shape.heads * shape.head_dim, shape.hidden)

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        mask: torch.Tensor | None,
        cache: KeyValueCache,
        layer: int,
    ) -> torch.Tensor:
        shape = self.shape
        batch, length, _ = x.shape
        q = self.q_proj(x).view(batch, length, -1, shape.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, length, -1, shape.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, length, -1, shape.head_dim).transpose(1, 2)
        q = q * cos + _rotate_half(q) * sin
        k = k * cos + _rotate_half(k) * sin
        k, v = cache.extend(layer, k, v)
        # Grouped-query attention read by the kernel itself: the same numbers as repeating
        # each key/value head (transformers' repeat_kv), without copying them (twice as fast).
        out = F.scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=mask,
            is_causal=mask is None and length > 1,
            scale=shape.head_dim**-0.5,
            enable_gqa=shape.heads != shape.kv_heads,
        )
        return self.o_proj(out.transpose(1, 2).reshape(batch, length, -1))


class _MLP(nn.Module):
    def __init__(self, shape: _Shape) -> None:
        super().__init__()
        self.gate_proj = _Projection(shape.hidden, shape.intermediate)
        self.up_proj = _Projection(shape.hidden, shape.intermediate)
        self.down_proj = _Projection(shape.intermediate, shape.hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class _Layer(nn.Module):
    def __init__(self, shape: _Shape) -> None:
        super().__init__()
        self.self_attn = _Attention(shape)
        self.mlp = _MLP(shape)
        self.input_layernorm = _RMSNorm(shape.hidden, shape.eps)
        self.post_attention_layernorm = _RMSNorm(shape.hidden, shape.eps)

    def forward(
        self,
        x: torch.Tensor,
        cos: torch.Tensor,
        sin: torch.Tensor,
        mask: torch.Tensor | None,
        cache: KeyValueCache,
        layer: int,
    ) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache, layer)
        return x + self.mlp(self.post_attention_layernorm(x))


@dataclass(frozen=True)
class _Output:
    last_hidden_state: torch.Tensor
    past_key_values: KeyValueCache


class _Body(nn.Module):
    """The decoder stack (``model.*`` in a checkpoint)."""

    def __init__(self, shape: _Shape) -> None:
        super().__init__()
        self.shape = shape
        self.embed_tokens = _Table(shape.vocab, shape.hidden)
        self.layers = nn.ModuleList(_Layer(shape) for _ in range(shape.layers))
        self.norm = _RMSNorm(shape.hidden, shape.eps)
        self.inv_freq: torch.Tensor | None = None

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        past_key_values: KeyValueCache | None = None,
        use_cache: bool = True,
    ) -> _Output:
        """Hidden states of ``input_ids`` (batch 1) read after ``past_key_values``.

        ``attention_mask``: None (causal over the cache and the new tokens) or an
        additive float mask ``(1, 1, new, cached + new)``.
        """
        cache = past_key_values if past_key_values is not None else KeyValueCache(len(self.layers))
        x = self.embed_tokens(input_ids)
        if position_ids is None:
            start = cache.get_seq_length()
            position_ids = torch.arange(start, start + input_ids.shape[1])[None]
        if attention_mask is None and cache.get_seq_length() and input_ids.shape[1] > 1:
            cached, new = cache.get_seq_length(), input_ids.shape[1]
            allowed = torch.ones(new, cached + new, dtype=torch.bool).tril(cached)
            attention_mask = torch.zeros(allowed.shape, dtype=x.dtype)
            attention_mask.masked_fill_(~allowed, torch.finfo(x.dtype).min)
            attention_mask = attention_mask[None, None]
        elif attention_mask is not None:
            attention_mask = attention_mask.to(x.dtype)
        # Rotary angles as transformers computes them (float32 product, then cos/sin, then
        # cast), but cos and sin by numpy: torch's float32 cos now and then answers a
        # process's first call 1e-4 off (after other work ran first), which moved bfloat16
        # readings of the same text from run to run.  numpy's are within an ulp of torch's
        # usual answers and the same every time.
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :].float()
        angles = torch.cat((freqs, freqs), dim=-1).numpy().astype(np.float64)
        cos = torch.from_numpy(np.cos(angles).astype(np.float32)).to(x.dtype)[:, None]
        sin = torch.from_numpy(np.sin(angles).astype(np.float32)).to(x.dtype)[:, None]
        for k, layer in enumerate(self.layers):
            x = layer(x, cos, sin, attention_mask, cache, k)
        return _Output(self.norm(x), cache)


class LlamaReader(nn.Module):
    """A Llama-family causal LM for reading (see the module docstring)."""

    def __init__(self, shape: _Shape) -> None:
        super().__init__()
        self.shape = shape
        self.model = _Body(shape)
        self.lm_head = _Projection(shape.hidden, shape.vocab)

    @property
    def dtype(self) -> torch.dtype:
        """What the network computes in."""
        return self.model.embed_tokens.weight.dtype

    @property
    def base_model(self) -> _Body:
        """The decoder stack, called as transformers' ``base_model``."""
        return self.model

    def get_output_embeddings(self) -> _Projection:
        """The output layer (the token embeddings where the checkpoint ties them)."""
        return self.lm_head

    @classmethod
    def load(cls, folder: Path, dtype: torch.dtype = torch.float32) -> LlamaReader:
        """The checkpoint in ``folder``, in eval mode, computing in ``dtype``.

        Raises ``ValueError`` for unreadable weights or tensors that do not fit the config.
        """
        from safetensors import SafetensorError, safe_open

        config = json.loads((folder / "config.json").read_text("utf-8"))
        shape = _Shape.from_config(config)
        reader = cls(shape)
        path = folder / "model.safetensors"
        expected = {name for name, _ in reader.named_parameters()}
        try:
            # Tensor by tensor: the stored half-precision copy is never held whole
            # beside the float32 one (0.27 GB less at the peak of a load).
            with safe_open(str(path), framework="pt") as stored:
                names = set(stored.keys())
                shares_head = shape.tied or "lm_head.weight" not in names
                missing = expected - names - ({"lm_head.weight"} if shares_head else set())
                unexpected = names - expected - {"model.rotary_emb.inv_freq"}
                if missing or unexpected:
                    raise ValueError(
                        f"{path} does not fit its config.json "
                        f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})"
                    )
                state = {
                    name: stored.get_tensor(name).to(dtype)
                    for name in sorted(expected)
                    if not (shares_head and name == "lm_head.weight")
                }
        except SafetensorError as exc:
            raise ValueError(f"{path} is unreadable ({exc})") from None
        if shares_head:
            state["lm_head.weight"] = state["model.embed_tokens.weight"]
        reader.load_state_dict(state, assign=True, strict=True)
        if shape.tied:  # one tensor, as in transformers
            reader.lm_head.weight = reader.model.embed_tokens.weight
        exponents = torch.arange(0, shape.head_dim, 2, dtype=torch.int64).float() / shape.head_dim
        reader.model.inv_freq = 1.0 / (shape.theta**exponents)
        return reader.eval()


class ReaderTokenizer:
    """What the judge uses of a fast tokenizer, read from ``tokenizer.json`` alone."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        try:
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # the tokenizers library raises a bare Exception
            raise ValueError(f"{folder / 'tokenizer.json'} is unreadable ({exc})") from None
        try:
            config = json.loads((folder / "tokenizer_config.json").read_text("utf-8"))
        except (OSError, ValueError):
            config = {}
        vocab = self._tokenizer.get_vocab(with_added_tokens=True)

        def token_id(name: str) -> int | None:
            token = config.get(name)
            if isinstance(token, dict):
                token = token.get("content")
            return vocab.get(token) if isinstance(token, str) else None

        self.bos_token_id = token_id("bos_token")
        self.eos_token_id = token_id("eos_token")
        self.model_max_length = int(config.get("model_max_length") or 10**30)

    def __call__(
        self,
        text: str | list[str],
        *,
        add_special_tokens: bool = False,
        return_offsets_mapping: bool = False,
    ) -> dict[str, Any]:
        """``input_ids`` (and ``offset_mapping``) of a text or of each text of a list."""
        if isinstance(text, str):
            encoding = self._tokenizer.encode(text, add_special_tokens=add_special_tokens)
            out: dict[str, Any] = {"input_ids": encoding.ids}
            if return_offsets_mapping:
                out["offset_mapping"] = encoding.offsets
            return out
        encodings = self._tokenizer.encode_batch(text, add_special_tokens=add_special_tokens)
        out = {"input_ids": [e.ids for e in encodings]}
        if return_offsets_mapping:
            out["offset_mapping"] = [e.offsets for e in encodings]
        return out

    def decode(self, ids: list[int]) -> str:
        """The text of ``ids``."""
        return self._tokenizer.decode(ids, skip_special_tokens=False)

    def get_vocab(self) -> dict[str, int]:
        """Token -> id, added tokens included."""
        return self._tokenizer.get_vocab(with_added_tokens=True)

    def convert_ids_to_tokens(self, token: int) -> str | None:
        """The token string of one id."""
        return self._tokenizer.id_to_token(token)

    def __len__(self) -> int:
        return self._tokenizer.get_vocab_size(with_added_tokens=True)
