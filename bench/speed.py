"""Timing reference-free scoring: 800-word articles per second, cold, warm and in two processes.

``speed_articles`` cuts timing articles of an exact word count from any texts
(``bench_reference_free.py`` uses it too); ``measure_speed`` times one installed
model end to end (``make_document`` then ``score``) for the speed rows of
``EVALUATION.md``: ``python -m training.evaluate`` imports this module as
``bench.speed`` (``bench/`` is not installed, so that works from a checkout only),
the bench scripts as ``speed`` (``bench/`` is on ``sys.path`` when they run).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from detector.document import make_document

__all__ = ["measure_speed", "speed_articles"]


def speed_articles(texts: Sequence[str], count: int, words: int) -> list[str]:
    """``count`` articles of exactly ``words`` words, cut from ``texts`` run together."""
    articles: list[str] = []
    pool = [t for t in texts if t.strip()]
    if not pool:
        raise ValueError("no texts to build timing articles from")
    k = 0
    while len(articles) < count:
        parts: list[str] = []
        n = 0
        while n < words:
            text = pool[k % len(pool)]
            k += 1
            parts.append(text)
            n += len(make_document(text).words)
        joined = "\n\n".join(parts)
        document = make_document(joined)
        articles.append(joined[: document.ends[words - 1]])
    return articles


def _time_scoring(
    model: Any, warmup: Sequence[str], articles: Sequence[str], words_only: bool = False
) -> tuple[float, float]:
    """Wall-clock and CPU seconds to score ``articles`` end to end after scoring ``warmup``.

    With ``words_only``, each article is only read by the model
    (``score_words``): no report, no restored originals.
    """
    model.score(make_document("Warm up the lazy imports."))
    for text in warmup:
        model.score(make_document(text))
    started, cpu = time.perf_counter(), time.process_time()
    for text in articles:
        if words_only:
            model.score_words([make_document(text)])
        else:
            model.score(make_document(text))
    return time.perf_counter() - started, time.process_time() - cpu


def _speed_worker(name: str, warmup: Sequence[str], articles: Sequence[str]) -> float:
    """One process of the two-process timing: load ``name``, warm up, time ``articles``."""
    from detector.models import load_model

    return _time_scoring(load_model(name), warmup, articles)[0]


def measure_speed(
    name: str, warmup: Sequence[str], articles: Sequence[str], processes: int
) -> dict[str, float]:
    """Articles per second scoring 800-word texts end to end (``make_document``, ``score``).

    ``cold``: a freshly loaded model (empty caches) on ``articles``; ``warm``: the
    same after scoring ``warmup`` (other articles), as in a long batch run; with
    ``processes`` > 1, also the warm rate of that many processes sharing
    ``articles``, wall clock; ``words_only``: the warm model's ``score_words``
    alone (no report, no restoration).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from detector.models import load_model

    n = len(articles)
    cold, _ = _time_scoring(load_model(name), [], articles)
    model = load_model(name)
    warm, warm_cpu = _time_scoring(model, warmup, articles)
    words_only, words_only_cpu = _time_scoring(model, [], articles, words_only=True)
    out = {
        "articles_per_second_cold": round(n / cold, 2),
        "articles_per_second": round(n / warm, 2),
        "articles_per_cpu_second": round(n / warm_cpu, 2),
        "articles_per_second_words_only": round(n / words_only, 2),
        "articles_per_cpu_second_words_only": round(n / words_only_cpu, 2),
        "timed_articles": n,
        "warmup_articles": len(warmup),
    }
    if processes > 1:
        shares = [list(articles[k::processes]) for k in range(processes)]
        # Spawned, not forked: a fork of a process whose thread pools (OpenMP, torch) are
        # running can deadlock in the child.
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=spawn) as pool:
            seconds = list(
                pool.map(_speed_worker, [name] * processes, [warmup] * processes, shares)
            )
        out[f"articles_per_second_{processes}_processes"] = round(n / max(seconds), 2)
    out["load_average"] = round(os.getloadavg()[0], 2)
    return out
