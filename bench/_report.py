"""Writing one benchmark's section of ``BENCHMARKS.md`` (shared by the bench scripts)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_section"]


def write_section(path: Path, section: str, body: str) -> None:
    """Replace the section ``section`` of ``path`` (between its markers), keeping the rest.

    A section sits between ``<!-- bench:SECTION -->`` and ``<!-- /bench:SECTION -->``;
    when ``path`` has no such markers the section is appended (and ``path`` made
    when missing).
    """
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip() + "\n\n" + block
    path.write_text(text, encoding="utf-8")
