"""``python -m detector``: the same command line as ``spindetect``."""

from detector.cli import app

app(prog_name="spindetect")
