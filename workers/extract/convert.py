"""Older formats through LibreOffice: `.rtf` (and others) → `.docx` → the docx reader.

LibreOffice runs headless in a subprocess with a time limit, in a throw-away
working folder that holds its own user profile, a copy of the input under a
plain name and the output; so concurrent conversions never share a profile
(LibreOffice locks it) or an output name.  No macro is run (headless
conversion never runs document macros unless the profile allows them, and a
fresh profile does not) and nothing is fetched: the profile is new each time.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from dossier.settings import Settings

from .convert_error import ConvertError
from .model import Document
from .readers import ReadContext, ReaderSpec, ReadError

log = logging.getLogger(__name__)

# the input's extension, by sniffed format, so LibreOffice picks its import
# filter from the bytes it expects (a Word 97 file named .wps is still .doc)
_EXT = {"doc": ".doc", "wps": ".doc", "rtf": ".rtf"}
# the Word formats LibreOffice prints to PDF for a dossier (workers/packets)
WORD_FORMATS = frozenset({"docx", "doc", "wps", "rtf"})

_MSG_CANNOT_OPEN = "无法打开这个文件，文件可能已损坏或格式不受支持。请用 Word 另存为 .docx 后重新上传。"


def soffice_binary() -> str | None:
    """The LibreOffice command on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_convert(path: Path, settings: Settings, fmt: str | None, target: str, out_ext: str,
                    timeout: float | None = None) -> bytes:
    """Convert `path` with LibreOffice to `target` (a --convert-to argument) and return the bytes.

    `timeout` shortens a cold conversion's limit below `convert_timeout` (a warm server keeps its
    own).  Raises ConvertError when LibreOffice is missing, times out, or writes nothing (it exits
    0 even when it cannot open a file).
    """
    from .office_server import warm_converter   # DOSSIER_OFFICE_SERVER: LibreOffice kept warm
    warm = warm_converter(settings)
    if warm is not None:
        return warm.convert_file(path, target)
    exe = soffice_binary()
    if exe is None:
        raise ConvertError("LibreOffice (soffice) is not installed")
    limit = settings.convert_timeout if timeout is None else min(timeout, settings.convert_timeout)
    ext = _EXT.get(fmt or "", path.suffix.lower() or ".doc")
    with tempfile.TemporaryDirectory(prefix="dossier-lo-") as tmp:
        work = Path(tmp)
        src = work / f"input{ext}"
        shutil.copyfile(path, src)
        out_dir = work / "out"
        out_dir.mkdir()
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}",
               "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
               "--nolockcheck", "--convert-to", target,
               "--outdir", str(out_dir), str(src)]
        env = dict(os.environ, HOME=str(work), TMPDIR=str(work))
        # own session: on timeout the whole group (soffice.bin included) is killed
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, cwd=work, env=env,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConvertError(f"LibreOffice timed out after {limit:g}s") from None
        finally:
            # LibreOffice may leave helpers behind in its group; they die with it
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        out = out_dir / f"input{out_ext}"
        if not out.is_file() or out.stat().st_size == 0:
            raise ConvertError(f"LibreOffice wrote no output (rc {proc.returncode}): "
                               f"{stderr.decode('utf-8', 'replace')[-300:].strip()}")
        return out.read_bytes()


def convert_bytes_to_docx(path: Path, settings: Settings, fmt: str | None = None,
                          timeout: float | None = None) -> bytes:
    """Convert `path` with LibreOffice and return the .docx bytes (ConvertError when it cannot)."""
    return soffice_convert(path, settings, fmt, "docx:MS Word 2007 XML", ".docx", timeout)


def convert_to_pdf(path: Path, settings: Settings, fmt: str | None = None) -> bytes:
    """Print a Word file (.docx/.doc/.wps/.rtf) to PDF with LibreOffice (ConvertError when it cannot)."""
    # .docx is not in _EXT: give LibreOffice its own extension so it picks the right filter
    return soffice_convert(path, settings, fmt if fmt in _EXT else None, "pdf:writer_pdf_Export", ".pdf")


def convert_to_docx(path: Path, settings: Settings, fmt: str | None = None,
                    dest: Path | None = None) -> Path:
    """Convert `path` to .docx with LibreOffice; returns the written file.

    The result goes to `dest`, or to a new temporary file the caller removes.
    """
    data = convert_bytes_to_docx(path, settings, fmt)
    if dest is None:
        fd, name = tempfile.mkstemp(prefix="dossier-converted-", suffix=".docx")
        os.close(fd)
        dest = Path(name)
    dest.write_bytes(data)
    return dest


def read_docx_bytes(data: bytes, ctx: ReadContext) -> Document:
    """Read converted .docx bytes with the docx reader (imported lazily: the lead's module)."""
    from .word.docx_reader import read_docx

    fd, name = tempfile.mkstemp(prefix="dossier-converted-", suffix=".docx")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return read_docx(Path(name), ctx)
    finally:
        os.unlink(name)


def save_converted(data: bytes, ctx: ReadContext) -> str | None:
    """Keep the converted file beside the original (originals never change)."""
    if ctx.save_derived is None:
        return None
    try:
        return ctx.save_derived("converted.docx", data)
    except Exception:  # noqa: BLE001 - storage trouble must not lose the reading
        log.exception("could not store converted.docx for %s", ctx.name)
        return None


def read_converted(path: Path, ctx: ReadContext) -> Document:
    """`.rtf` and other formats LibreOffice reads: convert to .docx, then read that."""
    try:
        data = convert_bytes_to_docx(path, ctx.settings, ctx.format)
    except ConvertError as e:
        log.warning("conversion of %s failed: %s", ctx.name, e)
        raise ReadError("file.unreadable", _MSG_CANNOT_OPEN, f"LibreOffice conversion failed: {e}") from e
    save_converted(data, ctx)
    doc = read_docx_bytes(data, ctx)
    doc.method = "converted"
    doc.media_type = ctx.format
    return doc


# an .rtf says nothing of its pages before LibreOffice lays it out: they are checked once read
READS = ReaderSpec(formats=("rtf",), read=read_converted)
