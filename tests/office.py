"""Make test inputs in other formats with LibreOffice (a .docx the test built → .pdf, .doc, .rtf)."""
from __future__ import annotations

import subprocess
from pathlib import Path


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert `src` to `fmt` in `outdir` with a throw-away profile; the converted file's path."""
    subprocess.run(["soffice", f"-env:UserInstallation={(outdir / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=120)
    return outdir / f"{src.stem}.{fmt}"
