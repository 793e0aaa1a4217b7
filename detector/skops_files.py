"""Loading scikit-learn models from skops files, refusing every type not explicitly trusted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from detector.errors import ModelNotFoundError

__all__ = ["load_trusted_skops"]


def load_trusted_skops(path: Path, trusted: Sequence[str], *, rebuild: str) -> Any:
    """The object in the skops file ``path``; a file that needs any type outside skops'
    defaults and ``trusted`` is refused, never unpickled.  ``rebuild`` names the make
    target that rebuilds the file, for the error message."""
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except FileNotFoundError:
        raise ModelNotFoundError(f"{path} is missing: rebuild the model with `{rebuild}`") from None
    except Exception as exc:  # a damaged or foreign file: zip or schema errors
        raise ModelNotFoundError(f"{path} is not a readable skops file ({exc})") from None
    unexpected = sorted(set(untrusted) - set(trusted))
    if unexpected:
        raise ModelNotFoundError(
            f"{path} holds types spindetect does not trust ({', '.join(unexpected)}); "
            f"refusing to load it.  Only load models built by `{rebuild}`."
        )
    try:
        return skops.io.load(path, trusted=list(trusted))
    except Exception as exc:  # a damaged file that passed the type check: schema errors
        raise ModelNotFoundError(f"{path} is not a readable skops file ({exc})") from None
