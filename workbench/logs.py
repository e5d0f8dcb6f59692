"""Logging for operators: one configuration for the app and the CLI (stderr)."""

from __future__ import annotations

import logging
import os


def configure_logging() -> None:
    """Log to stderr at WORKBENCH_LOG_LEVEL (default INFO); harmless when called again."""
    root = logging.getLogger("workbench")
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(os.environ.get("WORKBENCH_LOG_LEVEL", "INFO").upper())
