"""A BERT token classifier in plain torch, for the shipped transformer at inference.

``transformers`` takes seconds to import; the fine-tuned MiniLM needs only a
BERT encoder (embeddings, self-attention, feed-forward, layer norms) and a
linear head.  ``TokenClassifier`` computes exactly that, with the parameter
names of ``transformers``' ``BertForTokenClassification`` so that its weights
load by name (``detector.packed_weights``), and ``WordPieceWindows`` cuts an
article into the same overlapping windows as a Hugging Face fast tokenizer
with ``return_overflowing_tokens``, from ``tokenizer.json`` alone
(``tokenizers``).  Together they let ``spindetect score --model transformer``
start without importing ``transformers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["BertShape", "Dense", "TokenClassifier", "WordPieceWindows"]


@dataclass(frozen=True)
class BertShape:
    """The sizes of a BERT token classifier, read from its Hugging Face config."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float
    num_labels: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> BertShape:
        """The shape of a ``model_type: bert`` config with absolute positions and GELU.

        Raises ``ValueError`` for any other architecture.
        """
        if config.get("model_type") != "bert":
            raise ValueError(f"expected a BERT network, got {config.get('model_type')!r}")
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"expected GELU activations, got {config.get('hidden_act')!r}")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("expected absolute position embeddings")
        labels = config.get("id2label") or {}
        return cls(
            vocab_size=int(config["vocab_size"]),
            hidden_size=int(config["hidden_size"]),
            num_hidden_layers=int(config["num_hidden_layers"]),
            num_attention_heads=int(config["num_attention_heads"]),
            intermediate_size=int(config["intermediate_size"]),
            max_position_embeddings=int(config["max_position_embeddings"]),
            type_vocab_size=int(config.get("type_vocab_size", 2)),
            layer_norm_eps=float(config.get("layer_norm_eps", 1e-12)),
            num_labels=int(config.get("num_labels", len(labels) or 2)),
        )


def _empty(*size: int, device: Any) -> nn.Parameter:
    # Uninitialised: every weight is loaded (initialising would also cost time).
    return nn.Parameter(torch.empty(*size, device=device), requires_grad=False)


class Dense(nn.Module):
    """A linear layer built empty, for loaded weights (``nn.Linear`` would initialise)."""

    def __init__(self, in_features: int, out_features: int, device: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = _empty(out_features, in_features, device=device)
        self.bias = _empty(out_features, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight, self.bias)


class _Norm(nn.Module):
    def __init__(self, size: int, eps: float, device: Any = None) -> None:
        super().__init__()
        self.eps = eps
        self.weight = _empty(size, device=device)
        self.bias = _empty(size, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, self.eps)


class _Table(nn.Module):
    def __init__(self, rows: int, size: int, device: Any = None) -> None:
        super().__init__()
        self.weight = _empty(rows, size, device=device)


class _Embeddings(nn.Module):
    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.word_embeddings = _Table(shape.vocab_size, shape.hidden_size, device)
        self.position_embeddings = _Table(shape.max_position_embeddings, shape.hidden_size, device)
        self.token_type_embeddings = _Table(shape.type_vocab_size, shape.hidden_size, device)
        self.LayerNorm = _Norm(shape.hidden_size, shape.layer_norm_eps, device)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        length = input_ids.shape[1]
        x = (
            F.embedding(input_ids, self.word_embeddings.weight)
            + self.token_type_embeddings.weight[0]
            + self.position_embeddings.weight[:length]
        )
        return self.LayerNorm(x)


class _SelfAttention(nn.Module):
    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.heads = shape.num_attention_heads
        self.query = Dense(shape.hidden_size, shape.hidden_size, device)
        self.key = Dense(shape.hidden_size, shape.hidden_size, device)
        self.value = Dense(shape.hidden_size, shape.hidden_size, device)


class _Output(nn.Module):
    def __init__(self, inner: int, hidden: int, eps: float, device: Any = None) -> None:
        super().__init__()
        self.dense = Dense(inner, hidden, device)
        self.LayerNorm = _Norm(hidden, eps, device)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class _Attention(nn.Module):
    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.self = _SelfAttention(shape, device)
        self.output = _Output(shape.hidden_size, shape.hidden_size, shape.layer_norm_eps, device)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        batch, length, hidden = x.shape
        heads = self.self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, heads, hidden // heads).transpose(1, 2)

        q, k, v = split(self.self.query(x)), split(self.self.key(x)), split(self.self.value(x))
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.output(context.transpose(1, 2).reshape(batch, length, hidden), x)


class _Intermediate(nn.Module):
    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.dense = Dense(shape.hidden_size, shape.intermediate_size, device)


class _Layer(nn.Module):
    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.attention = _Attention(shape, device)
        self.intermediate = _Intermediate(shape, device)
        self.output = _Output(
            shape.intermediate_size, shape.hidden_size, shape.layer_norm_eps, device
        )

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        x = self.attention(x, mask)
        return self.output(F.gelu(self.intermediate.dense(x)), x)


class _Encoder(nn.Module):
    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.layer = nn.ModuleList(_Layer(shape, device) for _ in range(shape.num_hidden_layers))


class _Bert(nn.Module):
    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.embeddings = _Embeddings(shape, device)
        self.encoder = _Encoder(shape, device)


class TokenClassifier(nn.Module):
    """BERT with a linear head over every token: ``forward(input_ids, attention_mask)``
    gives logits of shape (batch, length, labels).  Parameter names follow
    ``transformers``' ``BertForTokenClassification``.  It is built empty (uninitialised;
    ``device="meta"``: without memory) for weights to be loaded into it."""

    def __init__(self, shape: BertShape, device: Any = None) -> None:
        super().__init__()
        self.shape = shape
        self.bert = _Bert(shape, device)
        self.classifier = Dense(shape.hidden_size, shape.num_labels, device)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits per token; ``attention_mask`` is 1 for real tokens and 0 for padding."""
        x = self.bert.embeddings(input_ids)
        # Padding keys get no attention; a batch without padding needs no mask at all.
        mask = None if bool(attention_mask.all()) else attention_mask[:, None, None, :].bool()
        for layer in self.bert.encoder.layer:
            x = layer(x, mask)
        return self.classifier(x)


@dataclass(frozen=True)
class Encoded:
    """Word pieces of a whole text without special tokens: ids and character offsets."""

    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]


class WordPieceWindows:
    """A fast tokenizer (``tokenizer.json``) that cuts a text into overlapping windows.

    ``windows(text, max_length, stride)`` gives what a Hugging Face fast tokenizer
    gives with ``truncation=True, return_overflowing_tokens=True,
    return_offsets_mapping=True``: ``[CLS] pieces [SEP]`` windows of at most
    ``max_length`` tokens, consecutive ones sharing ``stride`` pieces, special
    tokens at offset (0, 0).
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        ids = [tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")]
        if any(i is None for i in ids):
            raise ValueError("the tokenizer lacks [CLS], [SEP] or [PAD]")
        self.cls_id, self.sep_id, self.pad_token_id = ids

    @classmethod
    def from_file(cls, path: Path) -> WordPieceWindows:
        """Read a ``tokenizer.json``."""
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(path)))

    @classmethod
    def from_hf(cls, tokenizer: Any) -> WordPieceWindows:
        """A copy of a Hugging Face fast tokenizer's backend (the original is left as is)."""
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_str(tokenizer.backend_tokenizer.to_str()))

    def encode(self, text: str) -> Encoded:
        """The word pieces of ``text``, with no special tokens and no truncation."""
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        return Encoded(tuple(encoding.ids), tuple(tuple(o) for o in encoding.offsets))

    def windows(
        self, text: str, max_length: int, stride: int
    ) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """(ids, offsets) of each window over ``text``, special tokens included."""
        encoded = self.encode(text)
        content = max_length - 2
        step = content - stride
        if step <= 0:
            raise ValueError("stride must be smaller than max_length - 2")
        n = len(encoded.ids)
        starts = [0] if n <= content else list(range(0, n - stride, step))
        out = []
        for start in starts:
            end = min(start + content, n)
            ids = [self.cls_id, *encoded.ids[start:end], self.sep_id]
            offsets = [(0, 0), *encoded.offsets[start:end], (0, 0)]
            out.append((ids, offsets))
        return out
