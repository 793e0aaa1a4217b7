"""Small synthetic articles and a word swapper for the batch (index / label) tests."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from detector.lexicon import Lexicon
from detector.stopwords import STOPWORDS

ARTICLES = {
    "flood": (
        "The Riverside council approved a 42 million pound flood defence plan on Tuesday after "
        "three years of debate. Councillor Maria Okonjo said the new walls along the Avon would "
        "protect about 6,500 homes that were damaged in the storms of 2019 and 2021.\n\n"
        "Work on the first section near Kingsmead bridge will begin in March and should be "
        "finished by the end of 2026. Residents had complained that the old embankment, built "
        "in 1968, leaked during every heavy rain. The Environment Agency will pay 60 per cent of "
        "the cost, and the rest will come from local taxes and a grant from the Hartley Trust."
    ),
    "football": (
        "Northgate United have signed the Brazilian striker Thiago Medeiros from Porto for a "
        "club record fee of 38 million euros, the club announced on Friday. The 24-year-old "
        "scored 27 goals in 41 matches last season and has agreed a five-year contract.\n\n"
        "Manager Lars Eriksen said Medeiros would make his debut against Castleford on Sunday. "
        "Supporters queued outside the Brookfield stadium to buy shirts with his name and the "
        "number 9. United finished eleventh last season, their worst position since 1997, and "
        "the owners promised to spend heavily to return to the top four."
    ),
    "earnings": (
        "Shares in Veltrix Systems fell 14 per cent on Wednesday after the software maker cut its "
        "annual revenue forecast to 2.3 billion dollars. Chief executive Priya Raman blamed weak "
        "demand from banks in Europe and delays to a contract with the Ontario health ministry.\n\n"
        "The company reported a quarterly profit of 118 million dollars, down from 164 million a "
        "year earlier. Analysts at Morrow Capital said the warning was the third in eighteen "
        "months. Veltrix plans to close its office in Leipzig and move 400 jobs to Krakow by "
        "the end of next year, a union spokesman in Saxony said."
    ),
    "launch": (
        "A Kestrel-7 rocket carrying the Aurora weather satellite lifted off from the Andoya "
        "spaceport at 06:14 local time on Thursday, the Nordic Space Agency said. It was the "
        "first orbital launch from Norway.\n\n"
        "The 1,800 kilogram satellite will measure sea ice and wind over the Barents Sea for at "
        "least seven years. Mission director Ingrid Solheim said the spacecraft reached its "
        "planned orbit 540 kilometres above the Earth after nine minutes. The project cost 310 "
        "million kroner and involved engineers from Tromso, Kiruna and Oulu."
    ),
    "hospital": (
        "Nurses at St Aldhelm hospital in Wexcombe began a 48-hour strike on Monday over pay and "
        "staffing, the Royal College of Nursing said. About 900 staff walked out, and 230 planned "
        "operations were postponed.\n\n"
        "Union official Deborah Finch said nurses had been offered a rise of 3.5 per cent, far "
        "below inflation. The hospital trust said emergency care and the maternity unit would "
        "stay open. Health minister Alan Pritchard urged both sides to return to talks at the "
        "conciliation service Acas, and said a fair offer had been made in November."
    ),
    "museum": (
        "Thieves stole three gold brooches and a silver chalice from the Harlow Museum in "
        "Dunmore early on Saturday, police said. The items date from the 7th century and were "
        "found at the Carrowkeel burial site in 1932.\n\n"
        "Detective Inspector Sean Gallagher said the thieves broke a rear window at about 03:40 "
        "and left within four minutes. The museum director, Niamh Corcoran, said the objects "
        "were insured for 1.2 million euros but were priceless to the town. Officers are "
        "examining footage from 14 cameras on Quay Street."
    ),
}

UNRELATED = (
    "Gardeners in Pembury are preparing for the annual dahlia show, which returns to the "
    "village green in August after a two-year break. Organiser Felicity Waugh expects 120 "
    "entries, including blooms from growers in Tonbridge and Paddock Wood, and the prize for "
    "the best display is a hand-made copper trowel."
)


def swap_words(text: str, lexicon: Lexicon, *, rate: float = 0.3, seed: int = 0) -> str:
    """Spin ``text``: replace about ``rate`` of its swappable words with Moby synonyms.

    Sense-blind and deterministic for a given seed, like the crude spinners the
    tool targets; keeps a capital initial.
    """
    rng = random.Random(seed)

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if lower in STOPWORDS:
            return word
        synonyms = lexicon.synonyms(lower)
        if not synonyms or rng.random() >= rate:
            return word
        new = rng.choice(synonyms)
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    return re.sub(r"[A-Za-z]+", replace, text)


def write_originals(folder: Path) -> dict[str, Path]:
    """The articles as .txt files in ``folder``, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in ARTICLES.items():
        paths[name] = folder / f"{name}.txt"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    """``records`` as a JSONL file."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def build_archive(folder: Path) -> Path:
    """An index of ``ARTICLES`` (read from one JSONL file) built in ``folder``."""
    from detector.index_build import build_index

    originals = write_jsonl(
        folder / "originals.jsonl", [{"id": name, "text": text} for name, text in ARTICLES.items()]
    )
    path = folder / "archive.sdx"
    build_index([originals], path)
    return path


def read_records(path: Path) -> list[dict[str, object]]:
    """The records of a results file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
