"""Language-model readings of many documents: in worker processes, cached as JSON lines.

The judge is the slow part of fitting and evaluating the ``lm`` and ``hybrid``
models (seconds per article on a CPU).  ``read_documents`` reads documents in
``workers`` spawned processes (one torch thread each: two processes use two
cores better than one process with two threads) and keeps each reading in a
JSON-lines cache keyed by the judge's settings and the text (and checked
against the document's sentences, which the splitter may since have changed), so
refitting or re-evaluating reads nothing twice.  Nothing is pickled to disk.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

from detector.document import Document
from detector.lm_judge import LMReading, SentenceSurprisal, UnitReading

__all__ = ["read_documents", "reading_from_dict", "reading_to_dict", "with_cached_readings"]

_FORMAT = 1


def reading_to_dict(reading: LMReading) -> dict[str, Any]:
    """A reading as JSON-able data (the document itself is not stored)."""
    return {
        "units": [asdict(u) for u in reading.units],
        "sentences": [asdict(s) for s in reading.sentences],
        "tokens": reading.tokens,
        "pass1_seconds": reading.pass1_seconds,
        "pass2_seconds": reading.pass2_seconds,
        "pass2_tokens": reading.pass2_tokens,
    }


def reading_from_dict(document: Document, data: dict[str, Any]) -> LMReading:
    """The reading ``reading_to_dict`` stored, of ``document``."""
    return LMReading(
        document=document,
        units=tuple(UnitReading(**u) for u in data["units"]),
        sentences=tuple(SentenceSurprisal(**s) for s in data["sentences"]),
        tokens=int(data["tokens"]),
        pass1_seconds=float(data["pass1_seconds"]),
        pass2_seconds=float(data["pass2_seconds"]),
        pass2_tokens=int(data.get("pass2_tokens", 0)),
    )


def _fits(data: dict[str, Any], document: Document) -> bool:
    """Whether a cached reading was made of ``document`` as it is split now.

    The key holds the judge's code and the text, not the sentence splitter's: a
    reading whose sentences are not the document's (made before a change to
    ``detector.document``) is stale.  A reading without sentences (the judge's
    ``surprisal=False``) cannot tell and is kept.
    """
    sentences = data.get("sentences") or []
    return not sentences or [(s["lo"], s["hi"]) for s in sentences] == [
        (lo, hi) for lo, hi in document.sentences if hi > lo
    ]


def judge_files() -> list[Path]:
    """The files a reading depends on besides the model: the judge's code and the tables
    it reads (glue phrases, word lists, opposites, the thesaurus build, blocked words)."""
    import detector.lexicon
    import detector.lm_judge
    import detector.spin.thesauri
    import detector.stopwords

    data = Path(str(resources.files("detector").joinpath("data")))
    return [
        *(Path(m.__file__) for m in (detector.lm_judge, detector.lexicon, detector.stopwords)),
        data / "glue_phrases.tsv",
        data / "glue_phrases_extra.tsv",
        data / "opposites.tsv",
        detector.spin.thesauri.DATA_DIR / "blocked_words.txt",
    ]


def files_digest(files: Sequence[Path]) -> str:
    """One SHA-256 over the contents of ``files``, in order."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(settings: str, document: Document) -> str:
    return hashlib.sha256(f"{_FORMAT}\0{settings}\0{document.text}".encode()).hexdigest()


# The judge of a worker process, made once by ``_start_worker`` (per process, never shared).
_WORKER: dict[str, Any] = {}


def _start_worker(model_folder: str, lm: str | None) -> None:
    import torch

    from detector.lm_model import LMModel

    torch.set_num_threads(1)
    _WORKER["judge"] = LMModel.load(Path(model_folder), lm=lm).judge


def _read_one(item: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    from detector.document import make_document
    from detector.lm_model import read_as_letters

    name, text = item
    return name, reading_to_dict(read_as_letters(_WORKER["judge"], make_document(text, name)))


def read_documents(
    documents: Sequence[Document],
    model_folder: Path,
    *,
    cache: Path | None = None,
    workers: int = 2,
    lm: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[LMReading]:
    """The judge's reading of each document, in order, by the ``lm`` model in ``model_folder``.

    Readings already in ``cache`` (a JSON-lines file, made if missing) are reused;
    new ones are appended to it as they come.
    """
    from detector.evasion import has_ligatures
    from detector.lm import compute_dtype
    from detector.model_config import read_model_config

    config = read_model_config(Path(model_folder))
    # The judge's code and the tables it reads are part of the key: a changed judge, glue
    # table, word list or thesaurus build reads everything again.
    code = files_digest(judge_files())
    # So is the dtype the model computes in here (bfloat16 or float32: readings differ a little).
    dtype = compute_dtype()
    settings = json.dumps(
        {"judge": config.get("judge", {}), "lm": lm or config.get("lm"), "code": code}
        | ({"dtype": dtype} if dtype != "float32" else {})
    )
    # A text with ligatures is read as letters (detector.lm_model.read_as_letters) since
    # 2026-12-06: its key changes, no other text's does.
    keys = [_key(settings + ("\0letters" if has_ligatures(d.text) else ""), d) for d in documents]
    known = dict(_cached(cache)) if cache is not None else {}
    todo = [
        (k, d)
        for k, d in zip(keys, documents, strict=True)
        if k not in known or not _fits(known[k], d)
    ]
    if todo:
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
        sink = open(cache, "a", encoding="utf-8") if cache is not None else None  # noqa: SIM115
        try:
            for key, data in _read_all(todo, str(model_folder), lm, workers):
                known[key] = data
                if sink is not None:
                    sink.write(json.dumps({"key": key, "reading": data}) + "\n")
                    sink.flush()
                if on_progress is not None:
                    on_progress(1)
        finally:
            if sink is not None:
                sink.close()
    return [reading_from_dict(d, known[k]) for k, d in zip(keys, documents, strict=True)]


def _read_all(
    todo: list[tuple[str, Document]], folder: str, lm: str | None, workers: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    items = [(key, document.text) for key, document in todo]
    if workers <= 1:
        _start_worker(folder, lm)
        yield from (_read_one(item) for item in items)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(folder, lm)) as pool:
        yield from pool.imap_unordered(_read_one, items, chunksize=1)


def _cached(cache: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if not cache.is_file():
        return
    with open(cache, encoding="utf-8") as lines:
        for line in lines:
            try:
                entry = json.loads(line)
                yield entry["key"], entry["reading"]
            except (ValueError, KeyError):
                continue  # a torn last line after a kill: read again


def with_cached_readings(model: Any, name: str, documents: Sequence[Document], cache: Path) -> Any:
    """``model`` (``lm``, ``hybrid``, ``screen`` or the ``cascade`` of two, loaded as
    ``name``) reading ``documents`` from ``cache``, filled first by ``read_documents``
    with the model folder's own judge; other models as they are.

    For benchmarks that score the same texts again and again: the model then reads
    only these documents (a text not among them raises ``KeyError``).
    """
    from detector.models import model_dir, read_model_config

    if hasattr(model, "first") and hasattr(model, "then"):  # the cascade: both its models
        from detector.cascade_model import CascadeModel

        config = read_model_config(model_dir(name))
        with_cached_readings(model.first, str(config.get("first", "screen")), documents, cache)
        with_cached_readings(model.then, str(config.get("then", "hybrid")), documents, cache)
        # Each reads its own cached readings (the same numbers as one shared reading).
        return CascadeModel(model.first, model.then, model.bar, model.name, share_first_pass=False)
    judge_model = getattr(model, "judge_model", model)
    if not hasattr(judge_model, "judge"):
        return model
    readings = read_documents(documents, model_dir(name), cache=cache)
    known = {r.document.text: r for r in readings}

    def read(texts: Sequence[Document]) -> list[LMReading]:  # the same, without the model
        return [known[d.text] for d in texts]

    judge_model.read = read
    return model
