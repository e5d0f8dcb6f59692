"""Where the workbench keeps its files, and which database it talks to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "data"


@dataclass(frozen=True)
class Settings:
    """The workbench home folder and database URL.

    The home holds the embedded SQLite database (unless `db_url` names another), the working
    audio copies, the peaks, exports and the model cache.
    """

    home: Path
    db_url: str

    @property
    def audio_dir(self) -> Path:
        return self.home / "audio"

    @property
    def peaks_dir(self) -> Path:
        return self.home / "peaks"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def profiles_dir(self) -> Path:
        """The owner's own conventions profiles (YAML files), offered in the browser."""
        return self.home / "profiles"

    @property
    def tmp_dir(self) -> Path:
        return self.home / "tmp"


def load_settings(home: str | os.PathLike | None = None, db_url: str | None = None) -> Settings:
    """Settings from arguments, else `WORKBENCH_HOME` / `WORKBENCH_DB_URL`, else `data/`."""
    home_path = Path(home or os.environ.get("WORKBENCH_HOME") or DEFAULT_HOME).resolve()
    url = db_url or os.environ.get("WORKBENCH_DB_URL") or f"sqlite:///{home_path / 'workbench.db'}"
    return Settings(home=home_path, db_url=url)
