"""Reading a model folder's ``config.json``, the one file every model type has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from detector.errors import ModelNotFoundError

__all__ = ["read_model_config"]


def read_model_config(folder: Path) -> dict[str, Any]:
    """The parsed ``config.json`` of a model folder."""
    path = Path(folder) / "config.json"
    try:
        config = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelNotFoundError(f"{path} is unreadable: {exc}") from None
    if not isinstance(config, dict):
        raise ModelNotFoundError(f"{path} is not a model config (a JSON object)")
    return config
