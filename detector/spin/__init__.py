"""The article spinner ``spindetect spin`` ships: sense-blind synonym swaps, each change reported.

``PROFILE_NAMES`` is importable without loading any thesaurus, so the CLI can
list the profiles cheaply; ``detector.spin.spinner`` holds the spinner itself.
"""

from __future__ import annotations

__all__ = ["PROFILE_NAMES"]

PROFILE_NAMES: tuple[str, ...] = ("moby", "cross", "paratable")
