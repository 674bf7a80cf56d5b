"""The one error LibreOffice conversion raises, cold (convert.py) or warm (office_server.py):
its own module so that the two converters need not import each other."""
from __future__ import annotations


class ConvertError(Exception):
    """LibreOffice could not convert the file (English detail)."""
