"""`python -m tests.poison_worker worker …`: a `dossier worker` whose Word reader kills its own
process (SIGKILL, as the kernel's OOM killer would) on any file named `poison*`: a file that
kills its worker every time, for tests/test_faults_pipeline.py.  Everything else is real."""
from __future__ import annotations

import os
import signal
import sys
from typing import Any

import workers.extraction as extraction
from services.cli import main

_real = extraction.extract_file


def _deadly(path: Any, campaign: Any, *, name: str | None = None, **kw: Any) -> Any:
    if (name or "").startswith("poison"):
        os.kill(os.getpid(), signal.SIGKILL)
    return _real(path, campaign, name=name, **kw)


if __name__ == "__main__":
    extraction.extract_file = _deadly
    sys.exit(main(sys.argv[1:]))
