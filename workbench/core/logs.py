"""Logging for operators: the `workbench` loggers to stderr, configured once at an entry point.

The modules log where they catch an error (a recording that fails to draft, a file that fails
to import, an export that fails half-way), naming the file, recording or job.
`configure_logging` is called by the CLI's `main` and at the top of the Streamlit app; the level
comes from WORKBENCH_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR; INFO by default).
"""

from __future__ import annotations

import logging
import sys

from workbench.core.config import DEFAULT_LOG_LEVEL, LEVEL_VARIABLE, log_level

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Stderr(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is when a record comes (Streamlit and pytest
    replace it after start-up)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns it
        pass

    def format(self, record: logging.LogRecord) -> str:
        """The record's text, with a file name that is not UTF-8 (Python's surrogates) as
        \\xNN escapes: a stream that refuses surrogates would otherwise lose the record and
        raise from its error report."""
        text = super().format(record)
        for errors in ("strict", "surrogateescape", "surrogatepass"):
            try:
                return text.encode("utf-8", errors).decode("utf-8", "backslashreplace")
            except UnicodeEncodeError:
                continue
        return text


class _Formatter(logging.Formatter):
    """FORMAT; without `tracebacks` (the command line's users), an exception is summed up on
    its record's line unless the level is DEBUG."""

    def __init__(self) -> None:
        super().__init__(FORMAT)
        self.tracebacks = True

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or self.tracebacks or logging.getLogger("workbench").level <= logging.DEBUG:
            return super().format(record)
        short = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return f"{super().format(short)} ({type(exc).__name__}: {' '.join(str(exc).split())})"


def configure_logging(level: str | None = None, tracebacks: bool = True) -> logging.Logger:
    """Send the `workbench` loggers to stderr at `level` (default: WORKBENCH_LOG_LEVEL, else
    INFO), with the tracebacks of logged exceptions unless `tracebacks` is False (then only at
    DEBUG). Calling it again only updates these: one handler, however often it runs."""
    logger = logging.getLogger("workbench")
    handler = next((h for h in logger.handlers if isinstance(h, _Stderr)), None)
    if handler is None:
        handler = _Stderr()
        handler.setFormatter(_Formatter())
        logger.addHandler(handler)
    if isinstance(handler.formatter, _Formatter):
        handler.formatter.tracebacks = tracebacks
    name = (level or log_level() or DEFAULT_LOG_LEVEL).strip().upper()
    value = logging.getLevelName(name)
    if isinstance(value, int):
        logger.setLevel(value)
    else:
        logger.setLevel(DEFAULT_LOG_LEVEL)
        logger.warning(
            "%s=%r is not a log level; using %s", LEVEL_VARIABLE, name, DEFAULT_LOG_LEVEL
        )
    return logger
