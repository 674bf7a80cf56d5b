"""The packets queue's steps: a Word original printed for its dossier, a campaign's packets built.

The work is workers/packets' (prints.print_original, build.run_build); these steps hand it the
Runtime's database, store and settings, as every other step takes them.
"""
from __future__ import annotations

from .outcomes import Outcome
from ..runtime import Runtime


def print_original(rt: Runtime, file_id: str) -> Outcome:
    """A Word original printed to PDF and kept under its sha256, with where its values lie on the
    printed pages (the desk's boxes): "printed", "kept" (already there) or "gone" (the row is gone)."""
    from workers.packets.prints import print_original as run   # LibreOffice: the packets worker only

    return Outcome(run(rt.sessions, rt.store, rt.settings, file_id))


def build_packets(rt: Runtime, build_id: str, *,
                  transient: tuple[type[BaseException], ...] = ()) -> Outcome:
    """Build (or go on building) a campaign's packets: the build's state, or "continued" when it
    stopped for time and queued the rest."""
    from workers.packets.build import run_build

    return Outcome(run_build(rt.sessions, rt.store, rt.settings, build_id, transient=transient))
