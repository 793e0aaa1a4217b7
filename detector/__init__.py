"""spindetect: find spun copies of articles, mark each substituted span, restore the original."""

__version__ = "0.1.0"
