"""Reading a model folder's ``config.json``, the one file every model type has."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from detector.errors import ModelNotFoundError

__all__ = ["default_model_name", "models_root", "read_model_config"]


def models_root() -> Path:
    """Folder of the shipped models.

    ``$SPINDETECT_MODELS`` when set; else the ``models/`` folder of a source
    checkout (an editable install); else ``<prefix>/share/spindetect/models``,
    where a wheel installs them.
    """
    if os.environ.get("SPINDETECT_MODELS"):
        return Path(os.environ["SPINDETECT_MODELS"])
    checkout = Path(__file__).resolve().parents[1] / "models"
    if (checkout / "default.json").is_file():
        return checkout
    return Path(sys.prefix) / "share" / "spindetect" / "models"


def default_model_name(root: Path | None = None) -> str | None:
    """The model ``default.json`` in ``root`` (``models_root()``) names, or None when it
    is missing or unreadable."""
    path = (models_root() if root is None else root) / "default.json"
    try:
        name = json.loads(path.read_text("utf-8"))["model"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None


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
