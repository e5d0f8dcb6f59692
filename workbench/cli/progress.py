"""The commands' progress bar."""

from __future__ import annotations

import sys
import time

from workbench.text.clean import shown


class Progress:
    """A one-line progress bar on stderr (redrawn on a terminal, a line per 10% otherwise)."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.started = time.monotonic()

    def show(self, done: float, total: float, note: str = "") -> None:
        share = 1.0 if total <= 0 else min(1.0, done / total)
        elapsed = time.monotonic() - self.started
        eta = f" ETA {elapsed / share - elapsed:.0f}s" if 0 < share < 1 else ""
        bar = "#" * int(share * 30)
        line = f"{self.label} [{bar:<30}] {share:6.1%}{eta} {shown(note)}"[:120]
        if self.tty:
            print("\r" + line.ljust(120), end="", file=sys.stderr, flush=True)
        elif int(share * 10) != self.last_decile:
            self.last_decile = int(share * 10)
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr)
