"""A progress bar for the HTCDS commands: tqdm when it is installed, else a plain one."""

from __future__ import annotations

import sys


class Bar:
    """``bar(done, total)`` redraws; ``close()`` ends the line. Writes to ``stream``
    (stderr by default, so the command's output stays clean)."""

    def __init__(self, label: str, stream=None, width: int = 30):
        self.label, self.width = label, width
        self.stream = stream or sys.stderr
        self._tqdm = None
        self._last = -1
        try:
            import tqdm  # not a dependency: used when present
        except ImportError:
            tqdm = None
        self._tqdm_mod = tqdm

    def __call__(self, done: int, total: int) -> None:
        if self._tqdm_mod is not None:
            if self._tqdm is None:
                self._tqdm = self._tqdm_mod.tqdm(total=total, desc=self.label, file=self.stream)
            self._tqdm.update(done - self._tqdm.n)
            return
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        if percent == self._last:
            return
        self._last = percent
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{done}/{total} ({percent}%)")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line (once; a second call does nothing)."""
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = self._tqdm_mod = None
            self._last = -2
        elif self._last >= 0:
            self.stream.write("\n")
            self.stream.flush()
            self._last = -2
