"""The JSON Schemas of what spindetect writes: ``score`` reports and ``label`` records.

Both schemas (JSON Schema draft 2020-12) ship in ``detector/data``:
``report.schema.json`` describes the one object ``spindetect score --format
json`` prints (``Report.to_dict``), ``label-record.schema.json`` each line
``spindetect label`` writes (``LabelRecord.to_dict``).  Every report and record
carries ``schema_version``: the minor number grows when an optional field (or a value) is
added, the major number when a field is removed, renamed or changes meaning.
``spindetect schema report|label`` prints them; ``docs/schema.md`` explains them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

__all__ = ["SCHEMA_FILES", "SCHEMA_VERSION", "SchemaName", "load_schema", "schema_path"]

SCHEMA_VERSION = "1.3"
SchemaName = Literal["report", "label"]
SCHEMA_FILES: dict[str, str] = {
    "report": "report.schema.json",
    "label": "label-record.schema.json",
}
_DATA = Path(__file__).resolve().parent / "data"


def schema_path(name: SchemaName) -> Path:
    """The packaged schema file of ``name`` (``report`` or ``label``)."""
    if name not in SCHEMA_FILES:
        raise ValueError(
            f"the 'name' parameter must be one of {', '.join(SCHEMA_FILES)}, got {name!r}"
        )
    return _DATA / SCHEMA_FILES[name]


def load_schema(name: SchemaName) -> dict[str, Any]:
    """The JSON Schema of ``name`` (``report`` or ``label``), as a dict."""
    schema: dict[str, Any] = json.loads(schema_path(name).read_text("utf-8"))
    return schema
