"""A warm LibreOffice: conversions through unoserver over XML-RPC instead of a cold soffice.

A cold `soffice --headless` costs about a second of start-up per call, twice per Word file
(the .doc→.docx conversion and the packet print).  unoserver keeps one LibreOffice running and
converts bytes sent over XML-RPC, so only the conversion itself is paid.

`DOSSIER_OFFICE_SERVER` picks the mode (`warm_converter(settings)`):
- empty: no server; `convert.soffice_convert` runs the cold path as before;
- `host:port`: a unoserver elsewhere (the `office` image, Deployment or compose service);
- `local`: this worker process starts its own unoserver under the Python that has LibreOffice's
  `uno` module (Debian's python3-uno: usually not the venv's), on free loopback ports, with a
  fresh profile folder; a crashed or wedged LibreOffice is replaced by a new one, with a new
  profile, before the next conversion.

Every call has the time limit `DOSSIER_CONVERT_TIMEOUT`: the client's socket waits no longer,
and the local server is started with the same `--conversion-timeout`.  A file LibreOffice
cannot open is a ConvertError (the file's fault, reported to the unit); a server that is gone
is restarted and the conversion tried once more (local), or, for a server elsewhere, an
OfficeServerUnavailable: a ConnectionError that the tasks wait out like any outage.
"""
from __future__ import annotations

import atexit
import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from functools import lru_cache
from pathlib import Path

from dossier.settings import Settings

from .convert_error import ConvertError

log = logging.getLogger(__name__)

LOCAL = "local"
# the unoserver XML-RPC API this client speaks (unoserver 3.x: convert(inpath, indata, outpath,
# convert_to, filtername, filter_options, update_index, infiltername, password))
API_VERSION = "3"
START_TIMEOUT_S = 60.0
_SERVER_GONE = (ConnectionError, http.client.HTTPException, xmlrpc.client.ProtocolError, OSError)


class OfficeServerUnavailable(ConnectionError):
    """The configured office server does not answer: an outage, not the file's fault.  A
    ConnectionError, so the pipeline waits it out (workers/tasks.py TRANSIENT) instead of
    telling the unit its file is unreadable."""


class _TimeoutTransport(xmlrpc.client.Transport):
    """xmlrpc's transport with a socket timeout: the conversion's time limit."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: object) -> http.client.HTTPConnection:
        conn = super().make_connection(host)  # type: ignore[arg-type]
        conn.timeout = self.timeout
        return conn


def _proxy(address: str, timeout: float) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"http://{address}", allow_none=True,
                                     transport=_TimeoutTransport(timeout))


@lru_cache(maxsize=4)
def uno_python(candidates: tuple[str, ...] = ()) -> str | None:
    """A Python interpreter that can `import uno` (the venv's, else the system's), or None."""
    for exe in candidates or (sys.executable, "/usr/bin/python3", shutil.which("python3") or ""):
        if exe and os.path.exists(exe):
            ok = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=30)
            if ok.returncode == 0:
                return exe
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    # a SIGKILLed worker child must not leave LibreOffice running on a developer's machine
    # (in containers tini reaps it); Linux only, harmless elsewhere
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    os.setsid()


class LocalServer:
    """One unoserver (and its LibreOffice) owned by this process, with its own profile."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.workdir: Path | None = None
        self.address = ""
        self.starts = 0

    def start(self) -> None:
        python = uno_python()
        if python is None:
            raise ConvertError("no Python with LibreOffice's uno module (install python3-uno)")
        import unoserver   # the same, pure-Python package, run by that interpreter

        self.workdir = Path(tempfile.mkdtemp(prefix="dossier-uno-"))
        # only unoserver on the path: the venv's compiled packages are not for that Python
        pkgs = self.workdir / "pkgs"
        pkgs.mkdir()
        site = Path(unoserver.__file__).parent.parent
        for item in [site / "unoserver", *site.glob("unoserver-*.dist-info")]:
            (pkgs / item.name).symlink_to(item)   # the metadata too: it reads its own version
        port, uno_port = _free_port(), _free_port()
        self.address = f"127.0.0.1:{port}"
        cmd = [python, "-m", "unoserver.server", "--interface", "127.0.0.1", "--port", str(port),
               "--uno-interface", "127.0.0.1", "--uno-port", str(uno_port),
               "--user-installation", str(self.workdir / "profile")]
        if self.timeout >= 1:
            cmd += ["--conversion-timeout", str(int(self.timeout))]
        env = dict(os.environ, PYTHONPATH=str(pkgs), HOME=str(self.workdir), TMPDIR=str(self.workdir))
        logfile = open(self.workdir / "unoserver.log", "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logfile, stderr=logfile,
                                     env=env, cwd=self.workdir, preexec_fn=_die_with_parent)
        logfile.close()
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = (self.workdir / "unoserver.log").read_bytes()[-500:].decode("utf-8", "replace")
                self.stop()
                raise ConvertError(f"unoserver exited at start: {tail.strip()}")
            try:
                _proxy(self.address, 5).info()
                log.info("warm LibreOffice started on %s (start #%d)", self.address, self.starts)
                return
            except _SERVER_GONE:
                time.sleep(0.2)
        self.stop()
        raise ConvertError(f"unoserver did not answer within {START_TIMEOUT_S:.0f}s")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:   # the group: unoserver and the soffice it started
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            except ProcessLookupError:
                pass
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)   # helpers left in the group
            except (ProcessLookupError, PermissionError):
                pass
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)   # the profile goes with it
            self.workdir = None

    def restart(self) -> None:
        """A fresh LibreOffice with a fresh profile (after a crash or a timeout)."""
        self.stop()
        self.start()


class WarmConverter:
    """Converts through a unoserver; one conversion at a time per process and server."""

    def __init__(self, address: str, timeout: float, local: LocalServer | None = None) -> None:
        self._address = address
        self.timeout = max(float(timeout), 0.01)
        self.local = local
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        return self.local.address if self.local is not None else self._address

    def _call(self, data: bytes, convert_to: str, filtername: str | None) -> bytes:
        result = _proxy(self.address, self.timeout).convert(
            None, xmlrpc.client.Binary(data), None, convert_to, filtername, [], True, None, None)
        if result is None or not result.data:
            raise ConvertError("LibreOffice wrote no output")
        return bytes(result.data)

    def convert(self, data: bytes, target: str) -> bytes:
        """`target` as for soffice's --convert-to ("docx:MS Word 2007 XML", "pdf:writer_pdf_Export")."""
        convert_to, _, filtername = target.partition(":")
        with self._lock:
            if self.local is not None and not self.local.alive():
                self.local.restart()
            for attempt in (1, 2):
                try:
                    return self._call(data, convert_to, filtername or None)
                except TimeoutError:
                    if self.local is not None:
                        self.local.restart()   # the stuck LibreOffice goes; the next file gets a new one
                    raise ConvertError(f"LibreOffice timed out after {self.timeout:g}s") from None
                except xmlrpc.client.Fault as e:
                    if self.local is not None and not self.local.alive():
                        # LibreOffice died under this file: once more on a fresh one, then it is the file
                        self.local.restart()
                        if attempt == 1:
                            continue
                    raise ConvertError(f"LibreOffice could not convert the file: "
                                       f"{str(e.faultString)[-300:].strip()}") from None
                except _SERVER_GONE as e:
                    if self.local is None:
                        raise OfficeServerUnavailable(f"office server {self.address} unreachable: {e}") from e
                    log.warning("warm LibreOffice on %s gone (%s); starting a fresh one", self.address, e)
                    self.local.restart()
                    if attempt == 2:
                        raise ConvertError(f"warm LibreOffice failed twice: {e}") from e
        raise AssertionError("unreachable")

    def convert_file(self, path: Path, target: str) -> bytes:
        return self.convert(path.read_bytes(), target)

    def close(self) -> None:
        if self.local is not None:
            self.local.stop()


_converters: dict[tuple[int, str, float], WarmConverter] = {}
_converters_lock = threading.Lock()


def stop_local_servers(**_: object) -> None:
    """Stop this process's LibreOffice servers.  Run at a pool process's shutdown: a Celery
    child leaves through os._exit (no atexit), and unoserver, told by the kernel that its parent
    died, may wait on LibreOffice forever; stop() kills the whole group."""
    with _converters_lock:
        mine = [c for (pid, _, _), c in _converters.items() if pid == os.getpid()]
    for conv in mine:
        conv.close()


def _hook_worker_shutdown() -> None:
    from celery import signals

    signals.worker_process_shutdown.connect(stop_local_servers, weak=False)
    signals.worker_shutdown.connect(stop_local_servers, weak=False)


def warm_converter(settings: Settings) -> WarmConverter | None:
    """The converter for `settings.office_server` in this process, or None (cold soffice)."""
    address = settings.office_server.strip()
    if not address:
        return None
    # keyed by pid: a prefork child must not talk to (or stop) its parent's LibreOffice
    key = (os.getpid(), address, float(settings.convert_timeout))
    with _converters_lock:
        conv = _converters.get(key)
        if conv is None:
            local = LocalServer(settings.convert_timeout) if address == LOCAL else None
            conv = WarmConverter(address, settings.convert_timeout, local)
            if local is not None:
                atexit.register(local.stop)
                _hook_worker_shutdown()
            _converters[key] = conv
    return conv
