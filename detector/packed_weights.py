"""The fine-tuned transformer's weights as they compute: int8 linear layers, one file.

``models/transformer/network.safetensors`` holds the network exactly as it runs
on CPU, so loading neither merges an adapter nor quantises anything:

- every ``nn.Linear`` as its dynamically quantised int8 weight (``NAME.weight_int8``,
  with ``NAME.weight_scale`` and ``NAME.weight_zero_point``, per tensor) and its
  float32 bias (``NAME.bias``), as ``torch.ao.quantization.quantize_dynamic`` makes
  them;
- every other parameter (embeddings, layer norms) in float16, computed in float32;
- metadata: ``format`` (``FORMAT``), ``network_config`` (the Hugging Face model
  config as JSON) and ``linear`` (the names of the quantised layers, JSON).

Loading builds ``detector.minilm.TokenClassifier`` (plain torch, no
``transformers`` import) and fills it in.  The thresholds in ``config.json`` are
tuned on a network loaded from this file, so the numbers they were tuned on are
the numbers that ship.
"""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

from detector.errors import ModelNotFoundError

__all__ = ["FORMAT", "NETWORK_FILE", "load_packed_network", "save_packed_network"]

FORMAT = "spindetect-int8-linear/1"
NETWORK_FILE = "network.safetensors"


def save_packed_network(network: Any, path: Path) -> None:
    """Write ``network`` (a float Hugging Face model) to ``path`` in the packed format."""
    import torch
    from safetensors.torch import save_file

    float_network = copy.deepcopy(network).float().cpu().eval()
    linear_names = [
        name for name, module in float_network.named_modules() if type(module) is torch.nn.Linear
    ]
    quantized = _quantize(float_network)
    tensors: dict[str, Any] = {}
    for name in linear_names:
        layer = quantized.get_submodule(name)
        weight = layer.weight()
        if weight.qscheme() != torch.per_tensor_affine:
            raise ValueError(f"{name}: expected a per-tensor quantised weight")
        tensors[f"{name}.weight_int8"] = weight.int_repr().contiguous()
        tensors[f"{name}.weight_scale"] = torch.tensor(weight.q_scale(), dtype=torch.float64)
        tensors[f"{name}.weight_zero_point"] = torch.tensor(weight.q_zero_point())
        if layer.bias() is not None:
            tensors[f"{name}.bias"] = layer.bias().detach().float().contiguous()
    inside_linear = tuple(f"{name}." for name in linear_names)
    for name, tensor in float_network.named_parameters():
        if name.startswith(inside_linear):
            continue
        tensor = tensor.detach()
        tensors[name] = (tensor.half() if tensor.is_floating_point() else tensor).contiguous()
    metadata = {
        "format": FORMAT,
        "network_config": json.dumps(
            {k: v for k, v in float_network.config.to_dict().items() if k != "_name_or_path"}
        ),  # without the folder it was trained in: no machine paths ship
        "linear": json.dumps(linear_names),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    save_file(tensors, str(partial), metadata=metadata)
    partial.chmod(0o644)
    partial.replace(path)


def load_packed_network(path: Path) -> Any:
    """The ``TokenClassifier`` stored at ``path``, ready for CPU inference (int8 linear
    layers).

    Raises ``ModelNotFoundError`` with one line for a missing, foreign or damaged file.
    """
    from safetensors import SafetensorError, safe_open

    from detector.minilm import BertShape, TokenClassifier

    retrain = "retrain with `make train`"
    try:
        with safe_open(str(path), framework="pt") as stored:
            metadata = stored.metadata() or {}
            if metadata.get("format") != FORMAT:
                raise ModelNotFoundError(
                    f"{path} is not a spindetect packed network "
                    f"(format {metadata.get('format')!r}, expected {FORMAT!r}); {retrain}"
                )
            tensors = {key: stored.get_tensor(key) for key in stored.keys()}  # noqa: SIM118
        config_fields = json.loads(metadata["network_config"])
        linear_names = json.loads(metadata["linear"])
        shape = BertShape.from_config(config_fields)
    except (SafetensorError, OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelNotFoundError(f"{path} is damaged ({exc}); {retrain}") from None

    network = TokenClassifier(shape, device="meta")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation notes on quantised tensors
            _fill(network, tensors, linear_names)
    except (AttributeError, KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ModelNotFoundError(f"{path} does not fit its network ({exc}); {retrain}") from None
    missing = [
        name
        for name, tensor in [*network.named_parameters(), *network.named_buffers()]
        if tensor.is_meta
    ]
    if missing:
        raise ModelNotFoundError(f"{path} lacks {', '.join(missing[:3])}; {retrain}")
    return network.eval()


def _fill(network: Any, tensors: dict[str, Any], linear_names: list[str]) -> None:
    """Put the stored tensors into ``network`` (built on the meta device), int8 layers first."""
    import torch

    for name in linear_names:
        parent_name, _, attribute = name.rpartition(".")
        old = network.get_submodule(name)
        layer = torch.ao.nn.quantized.dynamic.Linear(
            old.in_features, old.out_features, dtype=torch.qint8
        )
        weight = torch._make_per_tensor_quantized_tensor(
            tensors.pop(f"{name}.weight_int8"),
            float(tensors.pop(f"{name}.weight_scale")),
            int(tensors.pop(f"{name}.weight_zero_point")),
        )
        layer.set_weight_bias(weight, tensors.pop(f"{name}.bias", None))
        setattr(network.get_submodule(parent_name), attribute, layer)
    for name, tensor in tensors.items():
        module_name, _, attribute = name.rpartition(".")
        module = network.get_submodule(module_name)
        value = tensor.float() if tensor.is_floating_point() else tensor
        if attribute in module._parameters:
            module._parameters[attribute] = torch.nn.Parameter(value, requires_grad=False)
        elif attribute in module._buffers:
            module._buffers[attribute] = value
        else:
            raise KeyError(f"unexpected tensor {name}")


def _quantize(network: Any) -> Any:
    """``network`` with its linear layers dynamically quantised to int8 (a new object)."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation notes on its eager quantisation
        return torch.ao.quantization.quantize_dynamic(network, {torch.nn.Linear}, dtype=torch.qint8)
