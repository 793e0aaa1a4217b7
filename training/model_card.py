"""The Hugging Face metadata block that opens every model card (``models/*/README.md``).

Each recipe that writes a card (``training.baseline``, ``training.finetune``,
``training.fit_hybrid``) starts it with ``metadata_block``: YAML front matter
between ``---`` lines, one key a line, each value written as JSON (which YAML
reads as is).  ``card_metadata`` fills the keys every card shares.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["DATASETS", "LICENSE", "card_metadata", "metadata_block"]

LICENSE = "apache-2.0"  # the project's licence (pyproject.toml), in the Hub's spelling
DATASETS = ["OneStopEnglish (CC BY-SA 4.0)", "Wikinews (CC BY 2.5)"]
TAGS = ["spin-detection", "reference-free", "token-classification"]


def card_metadata(
    base_model: str | None, metrics: dict[str, Any], tags: list[str] | None = None
) -> dict[str, Any]:
    """The metadata of a spindetect model card, in the Hub's order of keys.

    ``base_model`` is the Hub id the model was fine-tuned from (None when trained
    from scratch); ``metrics`` the validation figures the recipe measured.
    """
    return {
        "license": LICENSE,
        "language": ["en"],
        "base_model": base_model,
        "library_name": "spindetect",
        "datasets": list(DATASETS),
        "tags": [*TAGS, *(tags or [])],
        "metrics": metrics,
    }


def metadata_block(metadata: dict[str, Any]) -> str:
    """``metadata`` as the YAML front matter of a model card, ending in a blank line.

    >>> print(metadata_block({"license": "apache-2.0", "language": ["en"]}), end="")
    ---
    license: "apache-2.0"
    language: ["en"]
    ---
    <BLANKLINE>
    """
    lines = [f"{key}: {json.dumps(value)}" for key, value in metadata.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"
