"""Backup and restore: a round trip keeps every row and byte, a damaged archive changes nothing,
a snapshot taken while another connection writes is consistent, and a home with data is only
replaced on purpose."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, as_user, stereo_call, tone
from tests.helpers.every_table import all_rows as every_row
from tests.helpers.every_table import drop_everything, fill_every_table
from tests.helpers.killed import killed_while
from workbench import store
from workbench.asr import TranscribeOptions
from workbench.audio.peaks import load_peaks
from workbench.audio.working import read_all
from workbench.cli import main
from workbench.core.access import Forbidden
from workbench.core.errors import WorkbenchError
from workbench.core.records import Edit, QueueFilter
from workbench.drafts.draft_job import run_draft_job, start_draft_job
from workbench.intake.audio_files import import_paths
from workbench.labelling.history import history
from workbench.labelling.labeller_edits import save_segment
from workbench.labelling.queue import open_segment
from workbench.projects import people
from workbench.projects.backup import BackupError, backup, read_key, restore, seal
from workbench.projects.settings import ensure_project, open_workbench
from workbench.review.verdicts import DEFAULT_REASONS, approve, reject

PROFILE = Path(__file__).resolve().parents[2] / "workbench" / "conventions" / "plain.yaml"


def sqlite_bench(home: Path):
    return open_workbench(home, f"sqlite:///{home / 'workbench.db'}")


def populate(wb, sources: list[Path], engine) -> dict:
    """Two projects (one on a profile file of the home), recordings drafted by the fake
    engine, saves by a labeller, an approval and a rejection by a reviewer, accounts."""
    wb.settings.profiles_dir.mkdir(parents=True, exist_ok=True)
    profile = shutil.copy(PROFILE, wb.settings.profiles_dir / "team.yaml")
    project = ensure_project(wb, "demo", "en")
    store.update_project(wb.db, project.id, asr_engine="fake", asr_model="fake-1")
    ensure_project(wb, "own profile", "en", conventions=str(profile))
    import_paths(wb, project, sources)
    run_draft_job(wb, start_draft_job(wb, project, {}), engine, TranscribeOptions(language="en"))
    people.create_first_owner(wb, "olga", "owner-pass-1")
    lena, rita = as_user(wb, "lena"), as_user(wb, "rita", "reviewer")
    ids = [q["id"] for q in store.segment_queue(wb.db, project.id)]
    for i in ids[:3]:
        save_segment(lena, i, 1, f"lena wrote {i}", *_bounds(wb, i))
    approve(rita, ids[0], 2)
    reject(rita, ids[1], 2, DEFAULT_REASONS[0], "listen again")
    return {"project": project, "ids": ids}


def _key(bench) -> Path:
    """The backup key of `bench`'s home, which signs its archives (a restore elsewhere needs it)."""
    return bench.settings.home / "backup.key"


def _bounds(wb, segment_id: int) -> tuple[float, float]:
    seg = store.get_segment(wb.db, segment_id)
    return seg.start, seg.end


def all_rows(wb, skip_actions: tuple[str, ...] = ("backup", "restore")) -> dict[str, list]:
    """Every row of every table, ordered; audit lines of backups and restores left out."""
    found = {}
    with wb.db.connect() as conn:
        for table in store.metadata.sorted_tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            if table.name == "events":
                rows = [r for r in rows if r.action not in skip_actions]
            found[table.name] = [tuple(r) for r in rows]
    return found


def _but_projects(rows: dict[str, list]) -> dict[str, list]:
    """All rows but the projects' (whose profile files move with the home)."""
    return {t: r for t, r in rows.items() if t != "projects"}


def _files(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for folder in ("audio", "peaks", "profiles")
        for p in (home / folder).rglob("*")
        if p.is_file()
    }


@pytest.fixture
def source(tmp_path, fake_engine):
    """A SQLite workbench with data, and its contents."""
    bench = sqlite_bench(tmp_path / "source")
    sources = [tone(tmp_path / "src" / "a.wav", 3.0), stereo_call(tmp_path / "src" / "b.flac")]
    info = populate(bench, sources, fake_engine)
    return bench, info


def test_round_trip_keeps_every_row_and_byte(source, tmp_path):
    bench, info = source
    before = all_rows(bench)
    made = backup(bench, tmp_path)  # a folder: named by the date
    assert made.path.parent == tmp_path and made.path.name.startswith("workbench-")
    assert not list(tmp_path.glob("*.part*"))
    # files: 2 + 3 (stereo: the channels copy) + profile
    assert made.missing == () and made.rows["reviews"] == 2 and made.files == 6

    target = sqlite_bench(tmp_path / "target")
    done = restore(target, made.path, key=_key(bench))
    assert done.files == made.files
    assert _but_projects(all_rows(target)) == _but_projects(before)  # profile paths: below
    assert _files(target.settings.home) == _files(bench.settings.home)

    # the project on a profile file now names the restored home's copy of it
    own = store.find_project(target.db, "own profile")
    assert own.conventions == str(target.settings.profiles_dir / "team.yaml")
    assert [p.name for p in store.list_projects(target.db)] == [
        p.name for p in store.list_projects(bench.db)
    ]

    for rec in store.list_recordings(target.db, info["project"].id):  # the audio opens
        assert len(read_all(target.path(rec.working_path))) == rec.num_samples
        assert load_peaks(target.path(rec.peaks_path), 0.0, rec.duration) is not None
    assert store.segment_view(target.db, info["ids"][2]).text == f"lena wrote {info['ids'][2]}"
    state = open_segment(as_user(target, "lena"), info["project"].id, None, QueueFilter())
    assert state.view.segment.id == info["ids"][1]  # her rejected segment comes first
    assert [e["action"] for e in store.list_events(target.db, limit=1)] == ["restore"]
    assert people.sign_in(target, "olga", "owner-pass-1").user.name == "olga"


def test_restore_refuses_a_damaged_archive_and_changes_nothing(source, tmp_path):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar").path
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("home/audio/"))
    with archive.open("r+b") as f:  # one byte of one FLAC file
        f.seek(member.offset_data + member.size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))

    target = sqlite_bench(tmp_path / "target")
    ensure_project(target, "kept")
    kept_rows, kept_files = all_rows(target), _files(target.settings.home)
    with pytest.raises(BackupError, match=f"{member.name} is damaged"):
        restore(target, archive, force=True, key=_key(bench))
    assert all_rows(target) == kept_rows and _files(target.settings.home) == kept_files
    assert not list(target.settings.tmp_dir.iterdir())  # the unpacked copy is gone

    fresh = sqlite_bench(tmp_path / "fresh")
    with pytest.raises(BackupError, match="damaged"):
        restore(fresh, archive, key=_key(bench))
    assert store.has_rows(fresh.db) == {} and _files(fresh.settings.home) == {}


def test_restore_refuses_a_truncated_archive(source, tmp_path):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar").path
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    fresh = sqlite_bench(tmp_path / "fresh")
    with pytest.raises(BackupError, match=r"cut\.tar"):
        restore(fresh, cut, key=_key(bench))
    assert store.has_rows(fresh.db) == {}


def test_restore_onto_data_needs_force(source, tmp_path):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar.gz").path  # compressed too
    target = sqlite_bench(tmp_path / "target")
    ensure_project(target, "will go")
    with pytest.raises(BackupError, match=r"already holds data.*--force"):
        restore(target, archive, key=_key(bench))
    assert store.find_project(target.db, "will go") is not None
    restore(target, archive, force=True, key=_key(bench))
    assert store.find_project(target.db, "will go") is None
    assert _but_projects(all_rows(target)) == _but_projects(all_rows(bench))


def test_backup_never_overwrites_and_only_owners_back_up(source, tmp_path):
    bench, _ = source
    taken = tmp_path / "taken.tar"
    taken.write_text("keep me")
    with pytest.raises(BackupError):
        backup(bench, taken)
    assert taken.read_text() == "keep me"
    with pytest.raises(Forbidden):
        backup(as_user(bench, "rita", "reviewer"), tmp_path / "x.tar")
    archive = backup(bench, tmp_path / "ok.tar").path
    with pytest.raises(Forbidden):
        restore(as_user(bench, "lena"), archive, force=True)


def test_a_killed_backup_leaves_what_the_next_backup_removes(source, tmp_path):
    """Its copy of the database (password hashes included) in tmp/ and its half-written
    archive: once its process is gone, the next backup removes both, never a live one's."""
    from workbench.jobs.leftovers import owner_tag

    bench, _ = source
    home, out = bench.settings.home, tmp_path / "backups"
    out.mkdir()
    scratch, part = map(
        Path,
        killed_while(
            f"""
        from pathlib import Path
        from workbench.projects import backup as backing_up
        real = backing_up._write_archive
        def stuck(wb, part, *args):
            real(wb, part, *args)
            print(next(wb.settings.tmp_dir.glob("backup-*")), part, flush=True)
            time.sleep(60)
        backing_up._write_archive = stuck
        backing_up.backup(wb, Path({str(out)!r}))
    """,
            home,
        ).split(),
    )
    assert (scratch / "workbench.db").is_file() and scratch.parent == home / "tmp"
    assert part.is_file() and part.parent == out
    live = [home / "tmp" / f"backup-{owner_tag()}-alive123", out / f".x.tar.part-{owner_tag()}"]
    live[0].mkdir()
    live[1].write_bytes(b"being written")

    made = backup(bench, out)

    assert not scratch.exists() and not part.exists()
    assert all(p.exists() for p in live)
    assert sorted(p.name for p in out.iterdir()) == sorted([made.path.name, live[1].name])


def test_a_fine_tuned_model_comes_back_with_the_project_drafting_with_it(source, tmp_path):
    from workbench.projects.settings import model_path
    from workbench.tuning.registry import version_model

    bench, info = source
    project = info["project"]

    def version(state: str):
        return store.add_model(
            bench.db,
            project.id,
            engine="faster-whisper",
            path=f"models/project-{project.id}/v{{n}}",
            base="base",
            method="lora",
            params={},
            state=state,
            job_id=None,
            created_by="olga",
        )

    ready = version("ready")
    folder = bench.path(ready.path)
    folder.mkdir(parents=True)
    written = {
        "model.bin": bytes(range(256)) * 40,
        "config.json": b"{}",
        "vocabulary.json": b'["a"]',
    }
    for name, data in written.items():
        (folder / name).write_bytes(data)
    version("failed")  # no folder: nothing to keep, nothing missing
    store.update_project(bench.db, project.id, asr_model=version_model(ready))

    made = backup(bench, tmp_path / "b.tar")
    assert made.missing == () and made.files == 6 + len(written)
    target = sqlite_bench(tmp_path / "target")
    restore(target, made.path, key=_key(bench))

    drafting = store.get_project(target.db, project.id).asr_model
    assert model_path(target, drafting) == str(target.path(ready.path))  # found, not a name
    assert {p.name: p.read_bytes() for p in target.path(ready.path).iterdir()} == written


def test_a_snapshot_taken_while_another_connection_writes_is_consistent(source, tmp_path):
    bench, info = source
    ids = info["ids"]
    # the saves before the backup sit in the WAL file (a plain file copy would miss them)
    for i in ids:
        seg = store.get_segment(bench.db, i)
        store.apply_edit(bench.db, i, seg.version, Edit("before", seg.start, seg.end), "lena")
    stop, saved = threading.Event(), []
    other = sa.create_engine(bench.settings.db_url, connect_args={"timeout": 30})

    def write():
        n = 0
        while not stop.is_set():
            i = ids[n % len(ids)]
            seg = store.get_segment(other, i)
            store.apply_edit(other, i, seg.version, Edit(f"during {n}", seg.start, seg.end), "x")
            saved.append(n)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(saved) < 5 and writer.is_alive():
            threading.Event().wait(0.01)
        archive = backup(bench, tmp_path / "live.tar").path
        while len(saved) < 10 and writer.is_alive():  # still writing after the backup
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join()
        other.dispose()
    assert len(saved) >= 10  # the writer never failed

    with tarfile.open(archive) as tar:
        tar.extract("database/workbench.db", tmp_path / "x", filter="data")
    db = sqlite3.connect(tmp_path / "x" / "database" / "workbench.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for seg_id, version, latest in db.execute(
        "SELECT id, version, latest_revision_id FROM segments"
    ).fetchall():
        count, top = db.execute(
            "SELECT count(*), max(id) FROM revisions WHERE segment_id = ?", (seg_id,)
        ).fetchone()
        reviews = db.execute(
            "SELECT count(*) FROM reviews WHERE segment_id = ?", (seg_id,)
        ).fetchone()[0]
        assert latest == top  # each save: one revision and one version, a review one version
        assert version == count + reviews
        if seg_id in ids:
            assert db.execute(
                "SELECT count(*) FROM revisions WHERE segment_id = ? AND text = 'before'", (seg_id,)
            ).fetchone() == (1,)
    db.close()
    restore(
        sqlite_bench(tmp_path / "target"), archive, key=_key(bench)
    )  # and its manifest agrees with it


def test_cli_backup_and_restore(source, tmp_path, capsys):
    bench, _ = source
    home = str(bench.settings.home)
    archive = tmp_path / "cli.tar"
    assert main(["backup", str(archive), "--home", home]) == 0
    out, err = capsys.readouterr()
    assert f"wrote {archive}" in out and "2 recordings" in out and "backup [" in err

    assert main(["restore", str(archive), "--home", home]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and "--force" in err and "Traceback" not in err

    target = str(tmp_path / "target")
    assert (
        main(["restore", str(archive), "--home", target, "--key", str(Path(home) / "backup.key")])
        == 0
    )
    out, _ = capsys.readouterr()
    assert "restored cli.tar" in out and "2 recordings" in out
    assert (
        main(
            [
                "restore",
                str(archive),
                "--home",
                target,
                "--key",
                str(Path(home) / "backup.key"),
                "--force",
                "--user",
                "olga",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["backup", str(tmp_path / "l.tar"), "--home", target, "--user", "lena"]) == 2
    assert "may not back up" in capsys.readouterr().err


needs_pg = pytest.mark.skipif(not PG_URL, reason="needs WORKBENCH_TEST_PG (a PostgreSQL)")


@needs_pg
def test_an_archive_restores_into_the_other_engine(tmp_path, fake_engine):
    """SQLite to PostgreSQL and back, on a workbench with rows in every table."""
    sqlite = sqlite_bench(tmp_path / "sqlite")
    sources = [tone(tmp_path / "src" / "a.wav", 3.0), stereo_call(tmp_path / "src" / "b.flac")]
    _, ids = fill_every_table(sqlite, sources, fake_engine)
    before = every_row(sqlite, skip_actions=("backup", "restore"))
    archive = backup(sqlite, tmp_path / "sqlite.tar").path

    drop_everything(PG_URL)
    pg = open_workbench(tmp_path / "pg", PG_URL)
    restore(pg, archive, key=_key(sqlite))  # an empty PostgreSQL workbench: no --force needed
    assert every_row(pg, skip_actions=("backup", "restore")) == before
    assert _files(pg.settings.home) == _files(sqlite.settings.home)
    assert history(pg, ids[(0, 1)]) == history(sqlite, ids[(0, 1)])
    seg = store.get_segment(pg.db, ids[(1, 1)])
    otto = as_user(pg, "otto")
    saved = save_segment(otto, seg.id, seg.version, "after the restore", seg.start, seg.end)
    assert saved.id == len(before["revisions"]) + 1  # PostgreSQL's ids go on after the restored

    archive = backup(pg, tmp_path / "pg.tar").path
    with tarfile.open(archive) as tar:
        assert "database/workbench.db" in tar.getnames()  # a SQLite file, from PostgreSQL
    again = sqlite_bench(tmp_path / "sqlite-again")
    restore(again, archive, key=_key(pg))
    assert every_row(again, skip_actions=("backup", "restore")) == every_row(
        pg, skip_actions=("backup", "restore")
    )
    assert store.segment_view(again.db, seg.id).text == "after the restore"
    assert _files(again.settings.home) == _files(sqlite.settings.home)
    drop_everything(PG_URL)


@needs_pg
def test_postgresql_round_trip(wb, tmp_path, fake_engine):
    sources = [tone(tmp_path / "src" / "a.wav", 3.0)]
    info = populate(wb, sources, fake_engine)
    before, files = all_rows(wb), _files(wb.settings.home)
    archive = backup(wb, tmp_path / "pg.tar").path

    i = info["ids"][-1]  # a change after the backup, that the restore takes back
    version = store.get_segment(wb.db, i).version
    save_segment(as_user(wb, "lena"), i, version, "after the backup", *_bounds(wb, i))
    target = open_workbench(tmp_path / "pg-target", PG_URL)  # the same database, a new home
    with pytest.raises(BackupError, match="--force"):
        restore(target, archive, key=_key(wb))
    restore(target, archive, force=True, key=_key(wb))
    assert _but_projects(all_rows(target)) == _but_projects(before)
    assert _files(target.settings.home) == files
    assert store.get_segment(target.db, i).version == version


def _pg_dump_archive(wb, path: Path, dump: bytes, files: dict[str, bytes] | None = None) -> Path:
    """An archive as earlier versions wrote of PostgreSQL: `pg_dump`'s file (`dump`) as
    database/workbench.pgdump, and `files` (by their path in the home)."""
    snapshot = store.describe_store(wb.db)
    members = {"database/workbench.pgdump": dump}
    members |= {f"home/{rel}": data for rel, data in (files or {}).items()}
    manifest = {
        "format": "workbench-backup",
        "version": 1,
        "made_at": "2025-03-01T12:00:00Z",
        "made_by": "olga",
        "home": str(wb.settings.home),
        "database": {
            "kind": "postgresql",
            "member": "database/workbench.pgdump",
            "schema": snapshot.schema,
            "rows": snapshot.rows,
        },
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        },
        "missing": [],
    }
    with tarfile.open(path, "w") as tar:
        for name, data in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.skipif(
    not PG_URL or not shutil.which("pg_dump"), reason="needs WORKBENCH_TEST_PG and pg_dump on PATH"
)
def test_an_archive_made_with_pg_dump_restores_into_postgresql_only(wb, tmp_path):
    people.create_first_owner(wb, "olga", "owner-pass-1")
    ensure_project(wb, "demo", "en")
    before = all_rows(wb)
    dump = tmp_path / "db.pgdump"
    url = wb.db.url.set(drivername="postgresql")
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", url.render_as_string(False)],
        check=True,
    )
    archive = _pg_dump_archive(wb, tmp_path / "old.tar", dump.read_bytes())

    with pytest.raises(BackupError, match="an earlier version made it of PostgreSQL with pg_dump"):
        restore(sqlite_bench(tmp_path / "sqlite"), archive, trust_unsigned=True)
    ensure_project(wb, "after the backup", "en")
    restore(
        open_workbench(tmp_path / "pg-target", PG_URL), archive, force=True, trust_unsigned=True
    )
    assert all_rows(wb) == before


def test_an_archive_made_with_pg_dump_needs_pg_restore(tmp_path, monkeypatch):
    from workbench.core.config import load_settings
    from workbench.core.workbench import Workbench

    made = sqlite_bench(tmp_path / "made")
    audio = {"audio/ab/abcd.flac": b"fLaC not played here"}
    archive = _pg_dump_archive(made, tmp_path / "old.tar", b"PGDMP not restored here", audio)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    url = "postgresql+psycopg://nobody@localhost/never_connected"
    bench = Workbench(load_settings(tmp_path / "pg", url), sa.create_engine(url))
    with pytest.raises(BackupError, match=r"pg_restore was not found on PATH.*client tools"):
        restore(bench, archive, force=True, trust_unsigned=True)  # refused before any change
    assert not (tmp_path / "pg" / "audio").exists()


def test_a_file_gone_from_the_home_is_reported_and_the_rest_restores(source, tmp_path, capsys):
    bench, info = source
    recording = store.list_recordings(bench.db, info["project"].id)[0]
    bench.path(recording.peaks_path).unlink()
    archive = tmp_path / "gap.tar"
    assert main(["backup", str(archive), "--home", str(bench.settings.home)]) == 1
    out, _ = capsys.readouterr()
    assert f"missing: {recording.peaks_path}" in out and archive.is_file()

    target = sqlite_bench(tmp_path / "target")
    done = restore(target, archive, key=_key(bench))
    assert done.missing == (recording.peaks_path,)
    assert (
        target.path(recording.working_path).read_bytes()
        == bench.path(recording.working_path).read_bytes()
    )
    assert not target.path(recording.peaks_path).exists()


def test_an_archive_lacking_a_file_its_database_names_is_refused(source, tmp_path):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar").path
    forged = tmp_path / "forged.tar"  # one FLAC left out, and out of the manifest too
    with tarfile.open(archive) as tar, tarfile.open(forged, "w") as out:
        dropped = next(m.name for m in tar if m.name.endswith(".flac"))
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == dropped:
                continue
            if member.name == "manifest.json":
                manifest = json.loads(data)
                del manifest["members"][dropped]
                data = json.dumps(manifest).encode()
                signed = seal(read_key(_key(bench)), data)  # as the key's holder would
            if member.name == "manifest.hmac":
                data = signed.encode()
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    fresh = sqlite_bench(tmp_path / "fresh")
    with pytest.raises(
        BackupError, match=r"the database names .*flac, which is not in the archive"
    ):
        restore(fresh, forged, key=_key(bench))
    assert store.has_rows(fresh.db) == {} and _files(fresh.settings.home) == {}


# ---------------------------------------------------------------- trust: signature and paths


def _forge(archive: Path, out: Path, tmp: Path, *, key: bytes | None, sign: str = "copy") -> Path:
    """`archive` with its database edited as an attacker would (a working copy pointing at a
    server file, the owner's password hash replaced) and every checksum recomputed; its
    signature copied as it was (`sign="copy"`), left out ("none"), or made with `key`."""
    import hashlib

    with tarfile.open(archive) as tar:
        members = {m.name: (m, tar.extractfile(m).read()) for m in tar.getmembers()}
    db = tmp / "forged.db"
    db.write_bytes(members["database/workbench.db"][1])
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE recordings SET working_path = '/etc/passwd'")
        conn.execute("UPDATE users SET password_hash = 'forged' WHERE name = 'olga'")
    data = db.read_bytes()
    manifest = json.loads(members["manifest.json"][1])
    manifest["members"]["database/workbench.db"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    raw = json.dumps(manifest).encode()
    payload = {"database/workbench.db": data, "manifest.json": raw}
    if sign == "key":
        payload["manifest.hmac"] = seal(key, raw).encode()
    with tarfile.open(out, "w") as tar:
        for name, (member, original) in members.items():
            if name == "manifest.hmac" and sign == "none":
                continue
            body = payload.get(name, original)
            member.size = len(body)
            tar.addfile(member, io.BytesIO(body))
    return out


def test_a_forged_archive_is_refused_and_changes_nothing(source, tmp_path):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar").path
    before, files = all_rows(bench), _files(bench.settings.home)
    copied = _forge(archive, tmp_path / "copied.tar", tmp_path, key=None, sign="copy")
    with pytest.raises(BackupError, match="signature does not match"):
        restore(bench, copied, force=True)
    unsigned = _forge(archive, tmp_path / "unsigned.tar", tmp_path, key=None, sign="none")
    with pytest.raises(BackupError, match="not signed"):
        restore(bench, unsigned, force=True)
    other_key = bytes(range(32))  # a key that is not this home's
    resigned = _forge(archive, tmp_path / "other.tar", tmp_path, key=other_key, sign="key")
    with pytest.raises(BackupError, match="signature does not match"):
        restore(bench, resigned, force=True)
    assert all_rows(bench) == before and _files(bench.settings.home) == files
    assert people.sign_in(bench, "olga", "owner-pass-1").user.name == "olga"


def test_even_a_signed_archive_may_not_name_a_server_file(source, tmp_path):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar").path
    own_key = read_key(_key(bench))  # its holder's mistake, or a stolen key
    forged = _forge(archive, tmp_path / "signed.tar", tmp_path, key=own_key, sign="key")
    before = all_rows(bench)
    with pytest.raises(BackupError, match="names a file outside the workbench's home"):
        restore(bench, forged, force=True)
    assert all_rows(bench) == before
    with pytest.raises(WorkbenchError, match="outside the workbench's home"):
        bench.path("/etc/passwd")  # and a database edited in place is refused where it is read
    with pytest.raises(WorkbenchError, match="outside the workbench's home"):
        bench.path("audio/../../secret.flac")


def test_the_backup_key_is_made_once_readable_by_its_owner_only_and_never_archived(
    source, tmp_path
):
    import os
    import stat

    bench, _ = source
    first = backup(bench, tmp_path / "one.tar").path
    key = _key(bench)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    made = key.read_text()
    backup(bench, tmp_path / "two.tar")
    assert key.read_text() == made  # the same key signs every backup
    with tarfile.open(first) as tar:
        assert "manifest.hmac" in tar.getnames()
        assert not any(name.endswith("backup.key") for name in tar.getnames())
    fresh = sqlite_bench(tmp_path / "fresh")
    with pytest.raises(BackupError, match=r"has no backup key .*\(--key\)"):
        restore(fresh, first)
    restore(fresh, first, key=key)
    assert _key(fresh).read_text() == made  # the new home signs as the old one did


def test_an_unsigned_archive_restores_only_when_trusted(source, tmp_path):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar").path
    old = tmp_path / "old.tar"  # as made before archives were signed
    with tarfile.open(archive) as tar, tarfile.open(old, "w") as out:
        for member in tar.getmembers():
            if member.name != "manifest.hmac":
                out.addfile(member, tar.extractfile(member))
    fresh = sqlite_bench(tmp_path / "fresh")
    with pytest.raises(BackupError, match="not signed"):
        restore(fresh, old, key=_key(bench))
    assert restore(fresh, old, key=_key(bench), trust_unsigned=True).applied


def test_a_dry_run_says_what_a_restore_would_replace(source, tmp_path, capsys):
    bench, _ = source
    archive = backup(bench, tmp_path / "b.tar").path
    before = all_rows(bench)
    plan = restore(bench, archive, dry_run=True)
    assert not plan.applied and plan.made_by == "local"
    assert plan.rows["segments"] == plan.replaced["segments"] == len(before["segments"])
    assert all_rows(bench) == before
    home = str(bench.settings.home)
    assert main(["restore", str(archive), "--home", home, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("would restore b.tar") and "would replace: 2 projects" in out
    assert all_rows(bench) == before
