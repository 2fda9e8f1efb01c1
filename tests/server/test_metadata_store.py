"""The metadata store interface and its two implementations (SQLite, PostgreSQL).

PostgreSQL cases run against the throwaway server of `vi_server.testing.postgres` and are skipped,
with the reason, where it cannot start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vi_server.db_url import DatabaseUrl, DatabaseUrlError, hide_password, parse_database_url
from vi_server.ingest_lock import IngestionBusyError
from vi_server.storage_errors import is_disk_full, is_storage_error
from vi_server.store import MetadataStore, open_database
from vi_server.testing.backends import BACKENDS, BackendServices

Opener = Callable[[Path], MetadataStore]


# ---------------------------------------------------------------- URL parsing (pure)
def test_no_url_means_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    assert parse_database_url(None, tmp_path) == DatabaseUrl("sqlite", path=tmp_path / "vi.sqlite3")
    assert parse_database_url("  ", tmp_path) == DatabaseUrl("sqlite", path=tmp_path / "vi.sqlite3")


def test_sqlite_urls_name_relative_and_absolute_paths(tmp_path: Path) -> None:
    assert parse_database_url("sqlite:///meta.db", tmp_path).path == Path("meta.db")
    assert parse_database_url("sqlite:////var/vi/meta.db", tmp_path).path == Path("/var/vi/meta.db")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg", "PostgreSQL+psycopg"])
def test_postgres_urls_use_psycopg(tmp_path: Path, scheme: str) -> None:
    parsed = parse_database_url(f"{scheme}://vi:pw@db.example:5433/vi?sslmode=require", tmp_path)
    assert parsed == DatabaseUrl("postgres", url="postgresql+psycopg://vi:pw@db.example:5433/vi?sslmode=require")


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/db", "vi.sqlite3", "sqlite://", "sqlite:///", "postgresql://host", "postgresql:///db",
     "postgresql://host/"],
)  # fmt: skip
def test_unusable_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(DatabaseUrlError):
        parse_database_url(url, tmp_path)


def test_messages_never_show_the_password(tmp_path: Path) -> None:
    assert hide_password("postgresql+psycopg://vi:s3cret@h/db") == "postgresql+psycopg://vi:***@h/db"
    assert hide_password("postgresql+psycopg://vi@h/db") == "postgresql+psycopg://vi@h/db"
    with pytest.raises(DatabaseUrlError) as info:
        parse_database_url("mysql://vi:s3cret@h/db", tmp_path)
    assert "s3cret" not in str(info.value)


# ---------------------------------------------------------------- placeholder translation (pure)
def test_placeholders_are_translated_for_psycopg() -> None:
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    from vi_server.db_postgres import translate

    assert translate("SELECT * FROM t WHERE a=? AND b IN (?,?)") == "SELECT * FROM t WHERE a=%s AND b IN (%s,%s)"
    assert translate("SELECT '?', \"q?\" FROM t WHERE a=?") == "SELECT '?', \"q?\" FROM t WHERE a=%s"
    assert translate("SELECT 'it''s ?' WHERE a LIKE '%x' AND b=?") == "SELECT 'it''s ?' WHERE a LIKE '%%x' AND b=%s"
    assert translate("SELECT 5 % 2") == "SELECT 5 %% 2"


def test_postgres_disk_full_and_lost_connections_count_as_storage_errors() -> None:
    psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    full = psycopg.errors.DiskFull("could not extend file: No space left on device")
    assert is_disk_full(full)
    assert is_storage_error(full)
    lost = psycopg.OperationalError("server closed the connection unexpectedly")
    assert not is_disk_full(lost)
    assert is_storage_error(lost)
    assert not is_storage_error(psycopg.errors.UniqueViolation("duplicate key"))


# ---------------------------------------------------------------- both stores
@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, backend_services: BackendServices, tmp_path: Path) -> Iterator[Opener]:
    """Opens the same store again and again (as separate processes or hosts would)."""
    (tmp_path / "shared").mkdir()
    if request.param == "sqlite":
        yield lambda data_dir: open_database(None, tmp_path / "shared")
        return
    postgres = BACKENDS["postgres-local"]
    reason = backend_services.unavailable_reason(postgres)
    if reason:
        pytest.skip(reason)
    url = backend_services.server_options(postgres).args[1]
    yield lambda data_dir: open_database(url, data_dir)


def _insert_file(db: MetadataStore, state: str = "uploaded") -> None:
    with db.tx() as conn:
        conn.execute(
            "INSERT INTO session_files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ("s1", 0, "u1", "a.png", "image/png", 10, -(2**31), None, "Image", state, None, None, "/x", "{}", 1),
        )


def test_two_connections_claiming_one_file_at_once_one_wins(opener: Opener, tmp_path: Path) -> None:
    """Each claim reads 'uploaded', waits, then writes 'ingesting': only one may see 'uploaded'."""
    first, second = opener(tmp_path / "a"), opener(tmp_path / "b")
    try:
        _insert_file(first)
        wins: list[bool] = []
        start = threading.Barrier(2)

        def claim(db: MetadataStore) -> None:
            start.wait()
            with db.tx() as conn:
                row = conn.execute("SELECT state FROM session_files WHERE session_id='s1' AND idx=0").fetchone()
                if row["state"] != "uploaded":
                    wins.append(False)
                    return
                time.sleep(0.3)  # the other claim runs meanwhile, if the store lets it
                conn.execute("UPDATE session_files SET state='ingesting' WHERE session_id='s1' AND idx=0")
                wins.append(True)

        threads = [threading.Thread(target=claim, args=(db,)) for db in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(wins) == [False, True]
    finally:
        first.close()
        second.close()


def test_64_bit_values_and_bytes_round_trip(opener: Opener, tmp_path: Path) -> None:
    db = opener(tmp_path)
    try:
        big, ms = 2**40 + 3, 4_102_444_800_000  # a 1 TiB file; the year 2100 in milliseconds
        secret = bytes(range(256))
        with db.tx() as conn:
            conn.execute("INSERT INTO server (name, value) VALUES ('probe', ?)", (secret,))
            conn.execute(
                "INSERT INTO assets (asset_id, org_id, dataset_id, filename, kind, mime, file_size, width, height,"
                " frames, sha256, thumb_sha256, custom_metadata, annotations, created, updated, contents_updated,"
                " generation) VALUES ('a1','o','d','f','Image','image/png',?,1,1,1,'s','t','{}','{}',?,?,?,?)",
                (big, ms, ms, ms, 2**62),
            )
        _insert_file(db)
        with db.read() as conn:
            asset = conn.execute("SELECT * FROM assets WHERE asset_id='a1'").fetchone()
            value = conn.execute("SELECT value FROM server WHERE name='probe'").fetchone()[0]
            crc = conn.execute("SELECT crc32c FROM session_files WHERE upload_id='u1'").fetchone()["crc32c"]
        assert (asset["file_size"], asset["created"], asset["contents_updated"], asset["generation"]) == (
            big, ms, ms, 2**62)  # fmt: skip
        assert bytes(value) == secret
        assert crc == -(2**31)
    finally:
        db.close()


def test_text_sorts_and_compares_by_bytes_on_both(opener: Opener, tmp_path: Path) -> None:
    """Sorted listings and keyset page tokens must agree across stores: byte order, case-sensitive."""
    names = ["b.png", "B.png", "a.png", "_x.png", "Z/1.png", "z/1.png", "é.png", "e.png", "10.png", "9.png"]
    db = opener(tmp_path)
    try:
        with db.tx() as conn:
            for n, name in enumerate(names):
                conn.execute(
                    "INSERT INTO assets (asset_id, org_id, dataset_id, filename, kind, mime, file_size, width,"
                    " height, frames, sha256, thumb_sha256, custom_metadata, annotations, created, updated,"
                    " contents_updated, generation) VALUES (?,'o','d',?,'Image','image/png',1,1,1,1,'s','t','{}',"
                    "'{}',1,1,1,1)",
                    (f"id{n}", name),
                )
        with db.read() as conn:
            ordered = [r["filename"] for r in conn.execute("SELECT filename FROM assets ORDER BY filename")]
            after = [r[0] for r in conn.execute("SELECT filename FROM assets WHERE filename > ? ORDER BY filename",
                                                ("a.png",))]  # fmt: skip
        by_bytes = sorted(names, key=lambda s: s.encode())
        assert ordered == by_bytes
        assert after == [n for n in by_bytes if n.encode() > b"a.png"]
    finally:
        db.close()


def test_one_ingestion_role_per_store(opener: Opener, tmp_path: Path) -> None:
    """On PostgreSQL the lock is the database's (any host, any data dir); on SQLite the data dir's."""
    first, second = opener(tmp_path / "a"), opener(tmp_path / "b")
    shared = tmp_path / "shared"
    try:
        lock = first.ingest_lock(shared)
        lock.acquire()
        with pytest.raises(IngestionBusyError):
            second.ingest_lock(shared).probe()
        lock.release()
        second.ingest_lock(shared).probe()  # free again
    finally:
        first.close()
        second.close()


# ---------------------------------------------------------------- PostgreSQL only
@pytest.fixture
def postgres_url(backend_services: BackendServices) -> str:
    postgres = BACKENDS["postgres-local"]
    reason = backend_services.unavailable_reason(postgres)
    if reason:
        pytest.skip(reason)
    return backend_services.server_options(postgres).args[1]


def test_the_migration_creates_the_schema_once(postgres_url: str, tmp_path: Path) -> None:
    from vi_server.db_postgres import PostgresDatabase, migrate

    db = PostgresDatabase(postgres_url)
    try:
        with db.read() as conn:
            tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
            version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        assert tables >= {"server", "orgs", "datasets", "assets", "sessions", "session_files", "multipart_uploads",
                          "multipart_parts", "blob_garbage", "session_activity", "delete_sessions",
                          "dataset_deletions", "s3_multipart_uploads", "alembic_version"}  # fmt: skip
        assert [tuple(r) for r in version] == [("0002",)]  # the head revision
        migrate(db.engine)  # again: nothing to do
        PostgresDatabase(postgres_url).close()  # and a second start-up
        with db.read() as conn:
            assert [tuple(r) for r in conn.execute("SELECT version_num FROM alembic_version")] == [("0002",)]
    finally:
        db.close()


def test_a_failed_transaction_leaves_nothing(postgres_url: str) -> None:
    db = open_database(postgres_url, Path())
    try:

        def insert_then_fail() -> None:
            with db.tx() as conn:
                conn.execute("INSERT INTO orgs VALUES ('o', 'h', 1)")
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            insert_then_fail()
        with db.read() as conn:
            assert conn.execute("SELECT COUNT(*) FROM orgs").fetchone()[0] == 0
        with db.tx() as conn:  # the connection went back to the pool clean
            conn.execute("INSERT INTO orgs VALUES ('o', 'h', 1)")
    finally:
        db.close()


def _serve(tmp_path: Path, url: str, via_env: bool) -> subprocess.CompletedProcess[str]:
    option = [] if via_env else ["--database-url", url]
    return subprocess.run(
        [sys.executable, "-m", "vi_server", "serve", "--data-dir", str(tmp_path / "d"), "--port", "0", *option],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "VI_SERVER_DATABASE_URL": url} if via_env else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://vi:pw@127.0.0.1/vi", "unsupported scheme 'mysql'"),
        ("postgresql+psycopg://vi:pw@127.0.0.1:1/vi", "cannot use database postgresql+psycopg://vi:***@127.0.0.1:1/vi"),
    ],
)
@pytest.mark.parametrize("via_env", [False, True], ids=["option", "env"])
def test_serve_says_in_one_line_why_the_database_is_unusable(tmp_path: Path, url: str, said: str,
                                                             via_env: bool) -> None:  # fmt: skip
    out = _serve(tmp_path, url, via_env)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert said in lines[0], lines[0]
    assert "pw" not in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "d" / "credentials.json").exists()


def test_org_create_uses_the_database_url(postgres_url: str, tmp_path: Path) -> None:
    import json

    out = subprocess.run(
        [sys.executable, "-m", "vi_server", "org", "create", "--data-dir", str(tmp_path), "--database-url",
         postgres_url],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    org = json.loads(out.stdout)["organization_id"]
    db = open_database(postgres_url, tmp_path)
    try:
        with db.read() as conn:
            assert conn.execute("SELECT org_id FROM orgs WHERE org_id=?", (org,)).fetchone() is not None
    finally:
        db.close()
    assert not (tmp_path / "vi.sqlite3").exists()


def test_a_second_ingestion_role_on_the_same_database_is_refused_from_any_data_dir(
    postgres_url: str, tmp_path: Path
) -> None:
    """As another host would run it: its own data dir, the same database."""
    cmd = [sys.executable, "-m", "vi_server", "serve", "--role", "ingest", "--database-url", postgres_url]
    first = subprocess.Popen([*cmd, "--data-dir", str(tmp_path / "host-a")], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)  # fmt: skip
    try:
        assert first.stdout is not None
        assert "ingesting uploads" in first.stdout.readline()  # it holds the lock now
        again = subprocess.run([*cmd, "--data-dir", str(tmp_path / "host-b")], capture_output=True, text=True,
                               timeout=60, check=False)  # fmt: skip
        assert again.returncode == 2
        assert again.stderr.startswith("error: another process already ingests uploads of database")
        assert "Traceback" not in again.stderr
    finally:
        os.killpg(first.pid, signal.SIGTERM)
        assert first.wait(timeout=30) == 0
