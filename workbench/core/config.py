"""Where the workbench keeps its files, and which database it talks to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import WorkbenchError

DEFAULT_HOME = "data"
MB = 1024 * 1024  # a megabyte as Streamlit's server.maxUploadSize counts it


@dataclass(frozen=True)
class Limits:
    """How much an import may bring in, checked before anything is written.

    Each can be set by an environment variable (in brackets). The per-file upload limit is also
    given to the browser's upload widget; Streamlit's own `server.maxUploadSize` (in
    .streamlit/config.toml, 4000 MB) caps it, so raise both together.
    """

    upload_file_mb: int = 4000  # one uploaded file (WORKBENCH_MAX_UPLOAD_MB)
    upload_batch_mb: int = 20000  # all files of one upload (WORKBENCH_MAX_UPLOAD_BATCH_MB)
    zip_total_mb: int = 20000  # the members of a zip archive, unpacked (WORKBENCH_MAX_ZIP_MB)
    zip_members: int = 100_000  # entries in one zip archive (WORKBENCH_MAX_ZIP_MEMBERS)
    zip_ratio: int = 200  # unpacked size : packed size (WORKBENCH_MAX_ZIP_RATIO)


_LIMIT_VARIABLES = {
    "upload_file_mb": "WORKBENCH_MAX_UPLOAD_MB",
    "upload_batch_mb": "WORKBENCH_MAX_UPLOAD_BATCH_MB",
    "zip_total_mb": "WORKBENCH_MAX_ZIP_MB",
    "zip_members": "WORKBENCH_MAX_ZIP_MEMBERS",
    "zip_ratio": "WORKBENCH_MAX_ZIP_RATIO",
}


def describe_size(n: int) -> str:
    """A byte count in words, in the units of the limits: '512 KB', '3.2 MB', '20.0 GB'."""
    for unit, size in (("GB", MB * 1024), ("MB", MB)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{max(1, round(n / 1024))} KB" if n else "0 KB"


def load_limits() -> Limits:
    """Limits from the environment, the defaults where a variable is unset; WorkbenchError names a
    variable that is not a positive whole number."""
    values = {}
    for field, variable in _LIMIT_VARIABLES.items():
        raw = os.environ.get(variable, "").strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise WorkbenchError(f"{variable}={raw!r} is not a positive whole number")
        values[field] = int(raw)
    return Limits(**values)


@dataclass(frozen=True)
class Settings:
    """The workbench home folder and database URL.

    The home holds the embedded SQLite database (unless `db_url` names another), the working
    audio copies, the peaks, exports and the model cache.
    """

    home: Path
    db_url: str
    limits: Limits = Limits()

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
        """Scratch space: unpacked archives and uploads, each in a folder of its own process."""
        return self.home / "tmp"


def load_settings(home: str | os.PathLike | None = None, db_url: str | None = None) -> Settings:
    """Settings from arguments, else `WORKBENCH_HOME` / `WORKBENCH_DB_URL`, else `data/`."""
    home_path = Path(home or os.environ.get("WORKBENCH_HOME") or DEFAULT_HOME).resolve()
    url = db_url or os.environ.get("WORKBENCH_DB_URL") or f"sqlite:///{home_path / 'workbench.db'}"
    return Settings(home=home_path, db_url=url, limits=load_limits())
