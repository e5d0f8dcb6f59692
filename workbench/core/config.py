"""Where the workbench keeps its files, which database it talks to, and every environment
variable it reads.

This is the one module that reads `WORKBENCH_*` variables; the others ask it. `VARIABLES` lists
them as data (name, default, what each sets), and the README's configuration table is written
from it (`markdown_table`; tests/test_config_docs.py checks both).
"""

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


@dataclass(frozen=True)
class Variable:
    """An environment variable the workbench reads: its name, its default in words, what it
    sets, and whether only the tests read it."""

    name: str
    default: str
    sets: str
    test_only: bool = False


LEVEL_VARIABLE = "WORKBENCH_LOG_LEVEL"
DEFAULT_LOG_LEVEL = "INFO"

VARIABLES = (
    Variable(
        "WORKBENCH_HOME",
        f"`{DEFAULT_HOME}`",
        "the home folder: the SQLite database, working copies, peaks, exports, models, "
        "profiles, scratch space (`--home` on the command line wins)",
    ),
    Variable(
        "WORKBENCH_DB_URL",
        "SQLite in the home",
        "the database, any SQLAlchemy URL, e.g. `postgresql+psycopg://user@host/workbench` "
        "(`--db` on the command line wins)",
    ),
    Variable(
        LEVEL_VARIABLE,
        f"`{DEFAULT_LOG_LEVEL}`",
        "how much the app and the CLI log to stderr: `DEBUG`, `INFO`, `WARNING` or `ERROR`",
    ),
    Variable(
        "WORKBENCH_ALLOW_DOWNLOAD",
        "unset",
        "`1`: a model named but not on disk is fetched from the hub (a machine online)",
    ),
    Variable(
        "WORKBENCH_RAY_ADDRESS",
        "unset",
        "a Ray cluster (`host:6379`, or `auto` on one of its nodes) that runs the draft jobs, "
        "second opinions and held-out measures; unset: this machine runs them "
        "(`--ray` on the command line wins; see docs/operations.md)",
    ),
    Variable(
        "WORKBENCH_RETIME",
        "on",
        "`off`: saved words are not re-timed against the audio after each save (about a "
        "CPU-second a save, in the background: for a server too small to spare it)",
    ),
    Variable(
        "WORKBENCH_MAX_UPLOAD_MB",
        str(Limits.upload_file_mb),
        "one file uploaded in the browser, in MB (Streamlit's `server.maxUploadSize` in "
        "`.streamlit/config.toml` caps it too: raise both)",
    ),
    Variable(
        "WORKBENCH_MAX_UPLOAD_BATCH_MB",
        str(Limits.upload_batch_mb),
        "all files of one upload together, in MB",
    ),
    Variable(
        "WORKBENCH_MAX_ZIP_MB",
        str(Limits.zip_total_mb),
        "the members of a zip archive, unpacked, in MB",
    ),
    Variable("WORKBENCH_MAX_ZIP_MEMBERS", str(Limits.zip_members), "entries in one zip archive"),
    Variable(
        "WORKBENCH_MAX_ZIP_RATIO",
        str(Limits.zip_ratio),
        "unpacked size to packed size, for archives and entries over 16 MB unpacked",
    ),
    Variable(
        "WORKBENCH_TEST_PG",
        "unset",
        "tests only: a PostgreSQL URL; the store-level tests then run against that database "
        "too (`.ci/run` sets it after `make test`)",
        test_only=True,
    ),
)


def markdown_table() -> str:
    """The README's configuration table: one row per variable of `VARIABLES`."""
    rows = ["| variable | default | sets |", "|---|---|---|"]
    rows += [f"| `{v.name}` | {v.default} | {v.sets} |" for v in VARIABLES]
    return "\n".join(rows) + "\n"


def _read(name: str) -> str | None:
    """The value of the variable `name` (one of VARIABLES), None when it is unset."""
    return os.environ.get(name)


def named_home() -> tuple[str | None, str | None]:
    """The home folder and database URL the environment names (None where unset)."""
    return _read("WORKBENCH_HOME"), _read("WORKBENCH_DB_URL")


def log_level() -> str | None:
    """The log level the environment names (WORKBENCH_LOG_LEVEL), None when unset."""
    return _read(LEVEL_VARIABLE)


def ray_address() -> str | None:
    """The Ray cluster the environment names for long jobs (WORKBENCH_RAY_ADDRESS), or None."""
    return (_read("WORKBENCH_RAY_ADDRESS") or "").strip() or None


def retime_enabled() -> bool:
    """Re-timing saved words after each save is on unless WORKBENCH_RETIME=off."""
    return (_read("WORKBENCH_RETIME") or "on").strip().lower() != "off"


def downloads_allowed() -> bool:
    """Fetching a named model from the hub is opt-in: WORKBENCH_ALLOW_DOWNLOAD=1."""
    return _read("WORKBENCH_ALLOW_DOWNLOAD") == "1"


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
        raw = (_read(variable) or "").strip()
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise WorkbenchError(f"{variable}={raw!r} is not a positive whole number")
        values[field] = int(raw)
    return Limits(**values)


@dataclass(frozen=True)
class Settings:
    """The workbench home folder and database URL, and the Ray cluster for long jobs.

    The home holds the embedded SQLite database (unless `db_url` names another), the working
    audio copies, the peaks, exports and the model cache. `ray_address`: the cluster that
    hears the audio of draft jobs, second opinions and held-out measures (None: this process).
    """

    home: Path
    db_url: str
    limits: Limits = Limits()
    ray_address: str | None = None

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
    """Settings from arguments, else `WORKBENCH_HOME` / `WORKBENCH_DB_URL`, else `data/`; the
    Ray cluster from `WORKBENCH_RAY_ADDRESS`."""
    named, named_url = named_home()
    home_path = Path(home or named or DEFAULT_HOME).resolve()
    url = db_url or named_url or f"sqlite:///{home_path / 'workbench.db'}"
    return Settings(home=home_path, db_url=url, limits=load_limits(), ray_address=ray_address())
