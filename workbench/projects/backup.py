"""Backing up a workbench to one archive and restoring it (owners only).

An archive is a tar file (`.tar`, or `.tar.gz` / `.tgz` compressed) holding:

- `database/workbench.db`: the database as a SQLite file, whichever engine the workbench uses
  (SQLite's is copied with the online backup API, PostgreSQL's table by table), so an archive
  restores into a SQLite or a PostgreSQL workbench alike (archives of PostgreSQL made by
  earlier versions hold `database/workbench.pgdump`, `pg_dump`'s custom format, instead: those
  restore into PostgreSQL only, with `pg_restore`);
- `home/audio/...` and `home/peaks/...`: the working copies, channel copies and peaks of every
  recording in that database snapshot, `home/models/project-<id>/v<n>/...`: the folders of its
  fine-tuned model versions that are ready (a project may draft with one; a version of Whisper
  base is some 75-150 MB, one of a larger model more), and `home/profiles/*`: the owner's
  conventions profiles;
- `manifest.json`: the SHA-256 and size of every other member, the engine the database was
  copied from, its schema revision and rows per table, and the home it came from;
- `manifest.hmac`, last: the HMAC-SHA256 of the manifest under the home's backup key
  (`backup.key` in the home, made once, readable by its owner only, never in an archive).

Left out, as they can be made again or live elsewhere: the rest of `models/` (the embedded
model is joined again on first use; other models the owner put there are copied by hand),
`exports/` (corpora already handed out), `tmp/`, and imported source files outside the home
(`--sample-rate original` exports need them).

Consistency: the database snapshot is taken first, then the files it points at are copied. The
audio store only ever gains files (content-addressed names, written under a temporary name and
renamed), so while the app keeps running the snapshot's files are all there and never change.

A restore reads the whole archive into a folder beside the home and checks every checksum
(and that the snapshot opens and that every file it points at is in the archive) before
anything in the home is replaced; then files are moved in, then the database replaced in one
transaction: the SQLite file itself, or its rows copied into PostgreSQL (every table's count
and checksum compared before that transaction commits).

Trust: a restore takes only an archive whose manifest is signed with the key of the home
restoring it, or the key it is given (`key`: the file of the home that made the backup, for a
restore into a new home; a new home adopts it). Whoever edits an archive (a working path set to
a server file, an owner's password hash replaced) cannot sign it again without that key. Every
path the database names must also lie in the home's audio, peaks or model folders, and a
dry run (`inspect`) says what a restore would replace before anything is.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import re
import secrets
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import Kind, NotFound, WorkbenchError
from workbench.core.workbench import Workbench
from workbench.jobs.leftovers import TAG, owner_tag, remove_stale

log = logging.getLogger(__name__)

FORMAT = "workbench-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = "database/workbench.db"  # a SQLite file, whatever the engine backed up
PG_DUMP = "database/workbench.pgdump"  # PostgreSQL as earlier versions backed it up
SIGNATURE = "manifest.hmac"  # HMAC-SHA256 of the manifest's bytes, hex, under the backup key
KEY_FILE = "backup.key"  # in the home: 32 random bytes as hex, mode 0600, made once
HOME_PREFIX = "home/"
HOME_FOLDERS = ("audio", "peaks", "profiles")  # the folders a restore writes into, and:
MODEL_VERSION = re.compile(r"models/project-\d+/v\d+")  # a fine-tuned version's folder
CHUNK = 1 << 20
SCRATCH = re.compile(rf"(?:backup|restore)-{TAG}-[a-z0-9_]+")  # in tmp/, by the process named
PART = re.compile(rf"\..+\.part-{TAG}")  # an archive being written beside its name

Progress = Callable[[float, float, str], None]  # (bytes done, bytes in all, what)


class BackupError(WorkbenchError):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """What `backup` wrote: the archive, its size, how many home files, the database's rows
    per table and schema, and files the database points at that were not in the home."""

    path: Path
    bytes: int
    files: int
    database: str  # 'sqlite' | 'postgresql'
    schema: str | None
    rows: dict[str, int]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class RestoreResult:
    """What `restore` put in place (or, for a dry run, would): from which archive (made when,
    by whom, from which home), its rows per table, and the rows it replaces."""

    archive: Path
    made_at: str
    source_home: str
    files: int
    rows: dict[str, int]
    missing: tuple[str, ...]
    made_by: str = ""
    replaced: dict[str, int] = field(default_factory=dict)  # the home's rows before
    applied: bool = True  # False: a dry run, nothing changed


def _db_kind(wb: Workbench) -> str:
    name = wb.db.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {name} database: only SQLite and PostgreSQL")
    if name == "sqlite" and store.sqlite_file(wb.db) is None:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return name


def default_name() -> str:
    """`workbench-YYYYMMDD-HHMMSS.tar`, UTC."""
    return f"workbench-{store.now():%Y%m%d-%H%M%S}.tar"


# ---------------------------------------------------------------- backup


def backup(wb: Workbench, dest: Path, progress: Progress | None = None) -> BackupResult:
    """Write an archive of the workbench (database and audio store) to `dest`.

    `dest` may be a folder (the archive is named `default_name()` there). An existing file is
    never overwritten. The archive appears under its name only when complete.
    """
    require(wb, Action.BACKUP)
    kind = _db_kind(wb)
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / default_name()
    if dest.exists():
        raise BackupError(f"{dest} already exists: name a new archive", kind=Kind.CONFLICT)
    if not dest.parent.is_dir():
        raise BackupError(f"the folder {dest.parent} does not exist")
    remove_leftovers(wb, dest.parent)
    part = dest.with_name(f".{dest.name}.part-{owner_tag()}")
    try:
        with tempfile.TemporaryDirectory(
            dir=wb.settings.tmp_dir, prefix=f"backup-{owner_tag()}-"
        ) as scratch:
            db_file = Path(scratch) / Path(DB_MEMBER).name
            if kind == "sqlite":
                snapshot = store.snapshot_sqlite(wb.db, db_file)
            else:
                snapshot = store.copy_to_sqlite(wb.db, db_file)
            result = _write_archive(wb, part, kind, db_file, snapshot, progress)
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)
    store.log_event(
        wb.db,
        wb.actor.name,
        "backup",
        None,
        {"archive": dest.name, "files": result.files, "missing": len(result.missing)},
    )
    log.info("backup of %s written to %s (%d files)", wb.settings.home, dest, result.files)
    return BackupResult(
        dest,
        dest.stat().st_size,
        result.files,
        kind,
        snapshot.schema,
        snapshot.rows,
        result.missing,
    )


def remove_leftovers(wb: Workbench, folder: Path | None = None) -> list[Path]:
    """Remove what killed backups and restores left: their scratch folders in tmp/ (a copy
    of the database, password hashes included, or of a whole archive) and, in `folder`,
    half-written archives; only those whose process is gone (see `leftovers`)."""
    wb.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    removed = remove_stale(wb.settings.tmp_dir, SCRATCH)
    return removed + (remove_stale(folder, PART) if folder is not None else [])


def _pg(call):
    try:
        return call()
    except WorkbenchError as exc:  # a PostgreSQL tool missing or failing
        raise BackupError(exc.message, kind=exc.kind) from None


def _home_files(wb: Workbench, snapshot: store.Snapshot) -> tuple[list[str], list[str]]:
    """The home files to copy (relative paths) and those the snapshot names that are gone."""
    home = wb.settings.home
    present: list[str] = []
    missing: list[str] = []
    for rel in snapshot.files:
        (present if _safe(rel) and (home / rel).is_file() else missing).append(rel)
    for folder in snapshot.models:  # a fine-tuned version's files, for a project drafting with it
        found = (
            sorted(p for p in (home / folder).rglob("*") if p.is_file())
            if MODEL_VERSION.fullmatch(folder) and (home / folder).is_dir()
            else []
        )
        present += [rel for p in found if _safe(rel := p.relative_to(home).as_posix())]
        if not found:
            missing.append(folder)
    profiles = wb.settings.profiles_dir
    if profiles.is_dir():
        present += sorted(
            rel
            for p in profiles.iterdir()
            if p.is_file() and _safe(rel := str(p.relative_to(home)))
        )
    return present, missing


@dataclass(frozen=True)
class _Written:
    files: int
    missing: tuple[str, ...]


def _write_archive(
    wb: Workbench,
    part: Path,
    kind: str,
    db_file: Path,
    snapshot: store.Snapshot,
    progress: Progress | None,
) -> _Written:
    present, missing = _home_files(wb, snapshot)
    home = wb.settings.home
    sizes = {rel: (home / rel).stat().st_size for rel in present}
    total = db_file.stat().st_size + sum(sizes.values())
    done = 0
    entries: dict[str, dict] = {}

    def add(tar: tarfile.TarFile, path: Path, name: str) -> None:
        nonlocal done
        info = tarfile.TarInfo(name)
        info.size = path.stat().st_size
        info.mtime = int(path.stat().st_mtime)
        info.mode = 0o644
        with path.open("rb") as f:
            reader = _Hashing(f)
            tar.addfile(info, reader)
        entries[name] = {"sha256": reader.hash.hexdigest(), "size": info.size}
        done += info.size
        if progress:
            progress(done, total, name.removeprefix(HOME_PREFIX))

    mode: Literal["w:gz", "w"] = (
        "w:gz" if part.name.removesuffix(".part").endswith((".gz", ".tgz")) else "w"
    )
    with tarfile.open(part, mode, format=tarfile.PAX_FORMAT) as tar:
        add(tar, db_file, DB_MEMBER)
        for rel in present:
            add(tar, home / rel, HOME_PREFIX + rel)
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "made_at": store.now().isoformat(timespec="seconds") + "Z",
            "made_by": wb.actor.name,
            "home": str(home),
            "database": {
                "kind": kind,  # the engine it was copied from
                "member": DB_MEMBER,
                "schema": snapshot.schema,
                "rows": snapshot.rows,
            },
            "members": entries,
            "missing": missing,
        }
        raw = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
        _add_last(tar, MANIFEST, raw)
        _add_last(tar, SIGNATURE, seal(backup_key(wb), raw).encode())
    for rel in missing:
        log.warning("backup: %s is named by the database but not in %s", rel, home)
    return _Written(len(present), tuple(missing))


def _add_last(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    """A member made in memory (the manifest, its signature), stamped now."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now().timestamp()), 0o644
    tar.addfile(info, io.BytesIO(data))


class _Hashing:
    """A file wrapper that hashes what is read through it."""

    def __init__(self, f: IO[bytes]):
        self.f = f
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.hash.update(data)
        return data


def _safe(rel: str) -> bool:
    """A relative path inside one of the folders a restore writes into (HOME_FOLDERS, or a
    fine-tuned version's folder)."""
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or "\\" in rel:
        return False
    return path.parts[0] in HOME_FOLDERS or (
        len(path.parts) > 3 and MODEL_VERSION.fullmatch("/".join(path.parts[:3])) is not None
    )


# ---------------------------------------------------------------- restore


def restore(
    wb: Workbench,
    archive: Path,
    force: bool = False,
    progress: Progress | None = None,
    *,
    key: Path | None = None,
    trust_unsigned: bool = False,
    dry_run: bool = False,
) -> RestoreResult:
    """Replace the workbench's database and audio store by those in `archive`.

    Refused when the workbench already holds data (rows, or files in audio/ or peaks/) unless
    `force`. The whole archive is read and checked first (its signature under this home's
    backup key, or the key file `key`; see `check_seal`), on any mismatch nothing is replaced.
    `dry_run`: check everything, change nothing, and say what a restore would replace.
    """
    require(wb, Action.BACKUP)
    kind = _db_kind(wb)
    archive = Path(archive)
    if not archive.is_file():
        raise NotFound(f"{archive}: no such archive")
    if not (force or dry_run):
        _refuse_if_in_use(wb)
    secret = restore_key(wb, key, required=not trust_unsigned)
    remove_leftovers(wb)
    with tempfile.TemporaryDirectory(
        dir=wb.settings.tmp_dir, prefix=f"restore-{owner_tag()}-"
    ) as scratch:
        staged = Path(scratch)
        sealed: dict[str, bytes] = {}
        manifest, hashes = _unpack(archive, staged, progress, sealed)
        check_seal(archive, sealed, secret, trust_unsigned)
        _verify(archive, manifest, hashes, kind)
        db_file = staged / manifest["database"]["member"]
        if db_file.name == Path(PG_DUMP).name:
            _pg(lambda: store.pg_tool("pg_restore"))  # before anything is replaced
        else:
            _check_sqlite(archive, db_file, manifest)
        replaced = store.has_rows(wb.db)
        if dry_run:
            return _result(archive, manifest, 0, manifest["database"]["rows"], replaced, False)
        files = _put_in_place(wb, kind, staged, manifest, db_file)
    adopt_key(wb, key)
    return _restored(wb, archive, manifest, files, replaced)


def _restored(
    wb: Workbench, archive: Path, manifest: dict, files: list[str], replaced: dict[str, int]
) -> RestoreResult:
    """After the archive's files and database are in place: the schema brought up to date,
    its rows checked against the manifest, profiles moved, the restore logged."""
    store.migrate(wb.db)  # a WorkbenchError when the archive's schema is newer than this code
    rows = store.describe_store(wb.db).rows
    if diff := _count_diff(manifest["database"]["rows"], rows):
        raise BackupError(
            f"{archive}: the restored database holds other rows than the backup recorded ({diff})"
        )
    source_home = manifest.get("home", "")
    if source_home and source_home != str(wb.settings.home):
        store.move_profiles(
            wb.db, str(Path(source_home) / "profiles"), str(wb.settings.profiles_dir)
        )
    store.log_event(
        wb.db,
        wb.actor.name,
        "restore",
        None,
        {"archive": archive.name, "made_at": manifest.get("made_at", ""), "files": len(files)},
    )
    log.info("restored %s from %s (%d files)", wb.settings.home, archive, len(files))
    return _result(archive, manifest, len(files), rows, replaced, True)


def _result(
    archive: Path,
    manifest: dict,
    files: int,
    rows: dict[str, int],
    replaced: dict[str, int],
    applied: bool,
) -> RestoreResult:
    return RestoreResult(
        archive,
        str(manifest.get("made_at", "")),
        str(manifest.get("home", "")),
        files or sum(1 for name in manifest["members"] if name.startswith(HOME_PREFIX)),
        rows,
        tuple(manifest.get("missing", ())),
        str(manifest.get("made_by", "")),
        replaced,
        applied,
    )


def _put_in_place(
    wb: Workbench, kind: str, staged: Path, manifest: dict, db_file: Path
) -> list[str]:
    """Move the checked archive's home files into the home, then load its database; the
    files moved (relative to the home)."""
    files = [
        name.removeprefix(HOME_PREFIX)
        for name in manifest["members"]
        if name.startswith(HOME_PREFIX)
    ]
    home = wb.settings.home
    for rel in files:  # files first: the database never names a file that is not there
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / (HOME_PREFIX + rel), home / rel)
    if db_file.name == Path(PG_DUMP).name:
        _pg(lambda: store.load_postgres(wb.db, db_file))
    elif kind == "sqlite":
        store.load_sqlite(wb.db, db_file)
    else:
        store.load_into(wb.db, db_file)
    return files


def _refuse_if_in_use(wb: Workbench) -> None:
    rows = store.has_rows(wb.db)
    home = wb.settings.home
    stored = [
        d
        for d in (wb.settings.audio_dir, wb.settings.peaks_dir)
        if d.is_dir() and any(p.is_file() for p in d.rglob("*"))
    ]
    if rows or stored:
        held = ", ".join(f"{n} {t}" for t, n in rows.items()) or ", ".join(
            f"files in {d.name}/" for d in stored
        )
        raise BackupError(
            f"the workbench at {home} already holds data ({held}): restore into "
            "an empty home, or add --force to replace it",
            kind=Kind.CONFLICT,
        )


def _unpack(
    archive: Path, staged: Path, progress: Progress | None, sealed: dict[str, bytes]
) -> tuple[dict, dict[str, tuple[str, int]]]:
    """Copy every member into `staged`, hashing it; the manifest and (sha256, size) by name.
    `sealed` gets the manifest's bytes ('manifest') and its signature ('signature')."""
    hashes: dict[str, tuple[str, int]] = {}
    manifest: dict | None = None
    total = archive.stat().st_size
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = member.name
                if not member.isfile():
                    raise BackupError(f"{archive}: {name!r} is not a plain file")
                if name not in (MANIFEST, SIGNATURE) and not _member_ok(name):
                    raise BackupError(f"{archive}: unexpected member {name!r}")
                if name in hashes or name in sealed:
                    raise BackupError(f"{archive}: {name!r} appears twice")
                source = tar.extractfile(member)
                assert source is not None  # a plain file (checked above)
                if name in (MANIFEST, SIGNATURE):
                    sealed[name] = source.read(64 << 20)  # a manifest of a million files fits
                    if name == MANIFEST:
                        manifest = _parse_manifest(archive, sealed[name])
                    continue
                target = staged / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                hashes[name] = (digest.hexdigest(), member.size)
                if progress:
                    progress(min(tar.fileobj.tell(), total), total, name.removeprefix(HOME_PREFIX))
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError):
            raise
        raise BackupError(f"{archive}: not a readable workbench archive ({exc})") from None
    if manifest is None:
        raise BackupError(f"{archive}: no {MANIFEST}: not a complete workbench archive")
    if progress:
        progress(total, total, "read")
    return manifest, hashes


def _member_ok(name: str) -> bool:
    return name in (DB_MEMBER, PG_DUMP) or (
        name.startswith(HOME_PREFIX) and _safe(name.removeprefix(HOME_PREFIX))
    )


def _parse_manifest(archive: Path, raw: bytes) -> dict:
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupError(f"{archive}: {MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: not a workbench archive")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive}: archive format version {manifest.get('version')!r}; this "
            f"workbench reads version {FORMAT_VERSION}"
        )
    return manifest


def _verify(archive: Path, manifest: dict, hashes: dict[str, tuple[str, int]], kind: str) -> None:
    """Every member listed with its checksum and size, nothing more, nothing less."""
    members = manifest.get("members") or {}
    database = manifest.get("database") or {}
    for name, (digest, size) in hashes.items():
        entry = members.get(name)
        if entry is None:
            raise BackupError(f"{archive}: {name} is not in the manifest")
        if entry.get("size") != size or entry.get("sha256") != digest:
            raise BackupError(
                f"{archive}: {name} is damaged (its checksum does not match the "
                "manifest); nothing was restored"
            )
    absent = [name for name in members if name not in hashes]
    if absent:
        raise BackupError(
            f"{archive}: {absent[0]} is listed in the manifest but missing"
            + (f" (and {len(absent) - 1} more)" if len(absent) > 1 else "")
        )
    member = database.get("member")
    if member not in hashes or member not in (DB_MEMBER, PG_DUMP):
        raise BackupError(f"{archive}: its database ({member!r}) is not in the archive")
    if member == PG_DUMP and kind != "postgresql":
        raise BackupError(
            f"{archive}: an earlier version made it of PostgreSQL with pg_dump, and this "
            f"workbench uses {kind}: restore it into a PostgreSQL workbench (--db), then back "
            "that up: the new archive restores into either"
        )
    if not store.known_schema(database.get("schema")):
        raise BackupError(
            f"{archive}: its database is at schema version "
            f"{database.get('schema')}, newer than this workbench "
            f"({store.SCHEMA_VERSION}); upgrade the workbench first"
        )


def _check_sqlite(archive: Path, db_file: Path, manifest: dict) -> None:
    """The snapshot opens, holds the rows the manifest says, and every file it names is in
    the archive (or was already missing when the backup was made); then it is brought to this
    workbench's schema, so loading it needs nothing more."""
    engine = None
    try:
        engine = store.open_store(f"sqlite:///{db_file}")  # migrates a copy, never the home
        snapshot = store.describe_store(engine)
    except Exception as exc:  # a damaged file must not reach the home
        log.debug("restore: the snapshot in %s does not open", archive, exc_info=True)
        raise BackupError(f"{archive}: its database does not open ({exc})") from None
    finally:
        if engine is not None:
            engine.dispose()
    if diff := _count_diff(manifest["database"]["rows"], snapshot.rows):
        raise BackupError(
            f"{archive}: its database holds other rows than the manifest says ({diff})"
        )
    check_paths(archive, snapshot)
    members = set(manifest["members"])
    known_missing = set(manifest.get("missing", ()))
    absent = [
        f for f in snapshot.files if HOME_PREFIX + f not in members and f not in known_missing
    ]
    absent += [
        folder
        for folder in snapshot.models
        if folder not in known_missing
        and not any(m.startswith(f"{HOME_PREFIX}{folder}/") for m in members)
    ]
    if absent:
        more = f" (and {len(absent) - 1} more)" if len(absent) > 1 else ""
        raise BackupError(
            f"{archive}: the database names {absent[0]}, which is not in the archive" + more
        )


def _count_diff(expected: dict[str, int], found: dict[str, int]) -> str:
    """The tables whose counts differ (a table one side lacks counts as empty); '' if none."""
    diffs = [
        f"{t}: {expected.get(t, 0)} expected, {found.get(t, 0)} found"
        for t in sorted(set(expected) | set(found))
        if expected.get(t, 0) != found.get(t, 0)
    ]
    return "; ".join(diffs[:3])


# ---------------------------------------------------------------- trust: signature and paths


def backup_key(wb: Workbench) -> bytes:
    """The home's backup key (KEY_FILE), made on first use: 32 random bytes, written as hex
    to a file only its owner may read. Keep a copy apart from the archives: a restore into
    another home needs it."""
    path = wb.settings.home / KEY_FILE
    if not path.exists():
        _write_key(path, secrets.token_hex(32))
    return read_key(path)


def read_key(path: Path) -> bytes:
    """The key in a key file (64 hex digits), or BackupError."""
    try:
        text = Path(path).read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except FileNotFoundError:
        raise BackupError(f"{path}: no such key file", kind=Kind.NOT_FOUND) from None
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != 32:
        raise BackupError(f"{path} is not a workbench backup key (64 hexadecimal digits)")
    return key


def _write_key(path: Path, text: str) -> None:
    """Write a key file once, mode 0600: made under another name, then linked into place, so
    of two processes making it one wins and neither reads a half-written key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part-{owner_tag()}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
    try:
        os.link(part, path)
    except FileExistsError:
        pass  # made meanwhile: that one is the key
    finally:
        part.unlink(missing_ok=True)


def restore_key(wb: Workbench, key: Path | None, required: bool = True) -> bytes:
    """The key a restore checks the archive's signature with: the file `key` (the key of the
    home that made the backup), else this home's own; none (b"") when the home has no key and
    none is `required` (an unsigned archive, trusted: a signed one then matches no key)."""
    if key is not None:
        return read_key(Path(key))
    own = wb.settings.home / KEY_FILE
    if not own.is_file() and not required:
        return b""
    if not own.is_file():
        raise BackupError(
            f"this home has no backup key ({own}) to check the archive's signature with: "
            "name the key file of the home that made the backup (--key)"
        )
    return read_key(own)


def adopt_key(wb: Workbench, key: Path | None) -> None:
    """A home restored with another home's key, and without a key of its own, keeps that key:
    its next backups are signed as the ones it came from."""
    if key is not None and not (wb.settings.home / KEY_FILE).exists():
        _write_key(wb.settings.home / KEY_FILE, read_key(Path(key)).hex())


def seal(key: bytes, manifest: bytes) -> str:
    """The signature of a manifest's bytes: HMAC-SHA256 under `key`, hex."""
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


def check_seal(
    archive: Path, sealed: dict[str, bytes], key: bytes, trust_unsigned: bool = False
) -> None:
    """BackupError unless the manifest's signature is that of `key`. The manifest lists the
    checksum of every member, so a signed manifest vouches for the whole archive. An archive
    without a signature (made before signing) passes only with `trust_unsigned`."""
    signature = sealed.get(SIGNATURE)
    if signature is None:
        if trust_unsigned:
            log.warning("restore: %s is not signed; restored as the operator asked", archive)
            return
        raise BackupError(
            f"{archive}: not signed, so nothing shows it was made by a workbench holding the "
            "backup key; restore it only if you made it yourself (--trust-unsigned)"
        )
    expected = seal(key, sealed.get(MANIFEST, b""))
    if not hmac.compare_digest(expected.encode(), signature.strip()):
        raise BackupError(
            f"{archive}: its signature does not match the backup key: it was changed after it "
            "was made, or made by another home (name that home's key file with --key)",
            kind=Kind.FORBIDDEN,
        )


def check_paths(archive: Path, snapshot: store.Snapshot) -> None:
    """BackupError unless every file the database names lies in the home's audio or peaks
    folders and every model version in models/ (an edited database could name a server file,
    which the editor would then read and send to the browser)."""
    outside = [f for f in snapshot.files if not _safe(f) or f.split("/", 1)[0] == "profiles"]
    outside += [m for m in snapshot.models if not MODEL_VERSION.fullmatch(m)]
    if outside:
        raise BackupError(
            f"{archive}: its database names a file outside the workbench's home folders: "
            f"{outside[0]!r}",
            kind=Kind.FORBIDDEN,
        )
