"""Progress of a long command on stderr: a rich bar when a person watches the terminal, plain lines
otherwise (a log file or CI reads each step once, not a redrawn bar). stdout is never touched, so
JSON and tables printed there stay clean."""
from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO


class Steps:
    """`with Steps("reading files / 读取文件", total=12) as steps: ... steps.advance("a.docx")`.

    total=None is a task of unknown length: the bar pulses and the elapsed time runs."""

    def __init__(self, description: str, total: int | None = None, *, stream: TextIO | None = None) -> None:
        self.description, self.total, self.done = description, total, 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._bar = None
        self._task = None

    def __enter__(self) -> Steps:
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                       TimeElapsedColumn)

            columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
            if self.total is not None:
                columns.append(MofNCompleteColumn())
            columns += [TimeElapsedColumn(), TextColumn("{task.fields[item]}")]
            # rich takes over stdout while the bar runs; only when stdout is that same terminal, else the
            # JSON a script reads from a redirected stdout would land on the terminal instead
            self._bar = Progress(*columns, console=Console(file=self.stream), transient=False,
                                 redirect_stdout=sys.stdout.isatty(), redirect_stderr=False)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, item="")
        else:
            self._line(self.description)
        return self

    def advance(self, item: str = "", note: str = "") -> None:
        """One step done: `item` is what it was (a file name), `note` how it went."""
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, item=item)   # type: ignore[arg-type]
            if note:
                self._bar.console.print(f"{item}: {note}", markup=False, highlight=False)
        else:
            of = f"/{self.total}" if self.total is not None else ""
            self._line(f"[{self.done}{of}] {item}" + (f": {note}" if note else ""))

    def set_total(self, total: int) -> None:
        """The number of steps, once it is known (a query counted them)."""
        if total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.update(self._task, total=total)   # type: ignore[arg-type]

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        seconds = time.monotonic() - self.started
        if self._bar is not None:
            if self.total is None and kind is None:
                self._bar.update(self._task, total=1, completed=1)   # type: ignore[arg-type]
            self._bar.stop()
        elif kind is None:
            self._line(f"done in {seconds:.1f} s / 完成，用时 {seconds:.1f} 秒")

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)
