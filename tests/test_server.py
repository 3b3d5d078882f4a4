"""margin on a PostgreSQL server: what only a server has (connection strings,
refusals, live readers on other machines, merges to and from files, many writers over
TCP). Everything else runs on both backends through the ``db_location`` fixture."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import count
from pathlib import Path

import pg_cluster
import psycopg
import pytest
from app_support import SAMPLE, app_for, go, messages, pilot_test, rows, running, sample_db
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from team_data import ARTICLE, add_text, mark
from test_merge import _apply, annotation_rows, operation

from margin.store.annotations import add_annotation, delete_annotation, query_annotations
from margin.store.database import Server, is_server, location
from margin.store.db import SCHEMA_VERSION, open_database, schema_version
from margin.store.documents import add_document, search_documents
from margin.store.errors import DatabaseRefused, PermissionRefused
from margin.store.exporting import export
from margin.store.importing import import_paths
from margin.store.merge import merge_databases
from margin.tui.cli import cli


@pytest.fixture
def server(postgres: pg_cluster.Cluster):
    url = postgres.fresh()
    yield url
    postgres.drop(url)


@pytest.fixture
def empty_server(postgres: pg_cluster.Cluster):
    """A database on the server that holds nothing yet, not even margin's schema."""
    import psycopg

    name = f"empty{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(postgres.database(), autocommit=True) as conn:
        conn.execute(f"create database {name}")
    yield postgres.database(name)
    postgres.drop(postgres.database(name))


def _dump(db) -> str:
    out = io.StringIO()
    export(db, out, format="margin")
    return out.getvalue()


def test_urls_and_keywords_name_a_server_and_anything_else_a_file(tmp_path: Path) -> None:
    assert is_server("postgresql://ana@db.example/margin") and is_server("postgres://h/db")
    assert is_server("host=db.example dbname=margin") and is_server("service=team")
    assert location("~/notes.db") == Path("~/notes.db").expanduser()
    assert not is_server(str(tmp_path / "host=x.db"))


def test_a_password_is_never_part_of_what_is_shown() -> None:
    assert str(Server("postgresql://ana:s3cret@db.example:5433/margin?sslmode=require&password=s3cret")) == (
        "postgresql://ana@db.example:5433/margin?sslmode=require"
    )
    assert "s3cret" not in str(Server("host=db.example password='s3 cret' dbname=margin"))
    assert "s3cret" not in repr(Server("postgresql://ana:s3cret@db.example/margin"))


def test_an_empty_database_gets_the_schema_and_the_default_labels(empty_server: str) -> None:
    db = open_database(empty_server)
    assert schema_version(db) == SCHEMA_VERSION
    assert [row[0] for row in db.execute("select name from labels order by position")] == ["claim", "person", "statistic"]
    db.close()
    again = open_database(empty_server)  # an up-to-date schema is left as it is
    assert schema_version(again) == SCHEMA_VERSION
    again.close()


def test_a_database_of_something_else_is_refused_and_left_untouched(empty_server: str) -> None:
    with psycopg.connect(empty_server, autocommit=True) as conn:
        conn.execute("create table invoices (id int primary key)")
    with pytest.raises(DatabaseRefused, match="not margin's; left untouched"):
        open_database(empty_server)
    with psycopg.connect(empty_server, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute("select tablename from pg_tables where schemaname = 'public'")]
    assert tables == ["invoices"]


def test_a_newer_schema_is_refused(server: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("update margin_meta set value = '99' where key = 'schema_version'")
    with pytest.raises(DatabaseRefused, match="newer margin"):
        open_database(server)


def test_the_cli_shows_and_refuses_without_printing_the_password(server: str) -> None:
    with_password = server.replace("margin@", "margin:hunter2@")
    result = CliRunner().invoke(cli, ["--db", with_password, "info", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["path"] == server  # shown without the password
    port = with_password.rpartition(":")[2].partition("/")[0]
    unreachable = with_password.replace(f":{port}/", ":1/")
    result = CliRunner().invoke(cli, ["--db", unreachable, "documents"])
    assert result.exit_code == 1 and "cannot connect" in result.output
    assert "hunter2" not in result.output and len(result.output.strip().splitlines()) == 1


def test_without_psycopg_the_message_says_what_to_install(server: str) -> None:
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from margin.tui.cli import main\n"
        f"sys.argv = ['margin', '--db', {server!r}, 'info']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "pip install 'margin[postgres]'" in done.stderr and "Traceback" not in done.stderr


def test_merge_carries_a_file_to_the_server_and_back_exactly(server: str, tmp_path: Path, corpus: Path) -> None:
    laptop = open_database(tmp_path / "laptop.db")
    report = import_paths(laptop, [corpus / "brat" / "tutorials" / "news", corpus / "prodigy-recipes" / "bio_events.jsonl"],
                          annotator="ana")
    assert report.ok and report.spans_added > 100
    team = open_database(server)
    merge_databases(team, [laptop])
    assert _dump(team) == _dump(laptop)
    again = merge_databases(team, [laptop]).to_dict()["tables"]
    assert all(counts["added"] == counts["updated"] == 0 for counts in again.values())  # idempotent
    home = open_database(tmp_path / "home.db")
    merge_databases(home, [team])
    assert _dump(home) == _dump(laptop)
    for db in (laptop, team, home):
        db.close()


def test_offline_work_merges_into_the_server_and_both_sides_agree(server: str, tmp_path: Path) -> None:
    team = open_database(server)
    doc_id = add_text(team)
    add_annotation(team, doc_id, 0, 5, "claim", annotator="ana")
    offline = open_database(tmp_path / "offline.db")
    merge_databases(offline, [team])  # the annotator takes a copy away
    add_annotation(offline, doc_id, 10, 20, "person", annotator="cy")
    add_annotation(team, doc_id, 30, 35, "statistic", annotator="ben")
    merge_databases(team, [offline])
    merge_databases(offline, [team])
    assert _dump(team) == _dump(offline)
    assert {a.annotator for a in query_annotations(team)} == {"ana", "ben", "cy"}
    team.close()
    offline.close()


def test_search_finds_prefixes_substrings_and_cjk(server: str) -> None:
    db = open_database(server)
    english, _ = add_document(db, "The harbour reopened on Monday after repairs.", title="Harbour")
    chinese, _ = add_document(db, "巴拿马同意遣返穿越达连隘口的移民。", title="达连")
    assert search_documents(db, "harb reop") == [english.id]
    assert search_documents(db, "opened") == [english.id]  # inside a word: the trigram index
    assert search_documents(db, "达连隘口") == [chinese.id]
    assert search_documents(db, "nothing like it") == []
    db.close()


WRITER = """
import sys
from margin.store.annotations import add_annotation
from margin.store.db import open_database

url, doc_id, who, count = sys.argv[1:5]
db = open_database(url)
for number in range(int(count)):
    add_annotation(db, doc_id, number % 40, number % 40 + 5, "claim", annotator=who, note=str(number))
    print(number, flush=True)
db.close()
"""


def test_eight_processes_writing_over_tcp_keep_every_row(server: str) -> None:
    db = open_database(server)
    doc_id = add_text(db)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, server, doc_id, f"w{n}", "500"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for n in range(8)
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=600)
        assert writer.returncode == 0 and stderr == "", stderr
    rows = query_annotations(db)
    assert len(rows) == 8 * 500
    for n in range(8):
        assert sorted(int(a.note) for a in rows if a.annotator == f"w{n}") == list(range(500))
    db.close()


def test_a_killed_client_loses_nothing_it_committed(server: str) -> None:
    db = open_database(server)
    doc_id = add_text(db)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, server, doc_id, "ana", "100000"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert writer.stdout is not None
    committed = -1
    for line in writer.stdout:
        committed = int(line)
        if committed >= 50:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    notes = {int(a.note) for a in query_annotations(db, annotator="ana")}
    assert set(range(committed + 1)) <= notes  # every write it reported done is there
    db.close()


def test_the_server_schema_has_the_same_migrations_in_the_same_order() -> None:
    from margin.store.compat import migration_names
    from margin.store.migrations import migrations
    from margin.store.postgres.schema import STEPS

    assert [name for name, _ in STEPS] == migration_names(migrations)
    assert len(STEPS) == SCHEMA_VERSION


def test_the_dialect_translates_sqlites_own_words_and_leaves_literals_alone() -> None:
    from margin.store.postgres.dialect import WRITE_LOCK, translate
    from margin.store.postgres.schema import PRIMARY_KEYS

    def said(sql: str) -> str:
        return " ".join(translate(sql, PRIMARY_KEYS).split())

    assert said("select id from documents where title like ? and note = '50% ?'") == (
        "select id from documents where title ilike %s and note = '50%% ?'"
    )
    assert said("insert or ignore into labels (name, key) values (?, ?)") == (
        "insert into labels (name, key) values (%s, %s) on conflict do nothing"
    )
    assert said('insert or replace into reading_state (doc_id, annotator, "offset") values (?, ?, ?)') == (
        'insert into reading_state (doc_id, annotator, "offset") values (%s, %s, %s) '
        'on conflict ("doc_id", "annotator") do update set "offset" = excluded."offset"'
    )
    assert said("select * from temp.import_documents join main.documents using (id) limit -1") == (
        "select * from pg_temp.import_documents join documents using (id) limit all"
    )
    assert said("BEGIN IMMEDIATE") == f"begin; select pg_advisory_xact_lock({WRITE_LOCK})"
    assert said("pragma busy_timeout = 250") == "set lock_timeout = 250"
    with pytest.raises(ValueError, match="SQLite's alone"):
        said("pragma integrity_check")


@pytest.fixture
def team(server: str, monkeypatch: pytest.MonkeyPatch):
    """A server set up by ``margin server init`` with two annotators, a reviewer and an
    admin (role names unique to this process: roles belong to the whole cluster)."""
    monkeypatch.delenv("MARGIN_ANNOTATOR")
    suffix = f"{os.getpid()}_{time.monotonic_ns() % 10**9}"
    names = {role: f"{role}_{suffix}" for role in ("ana", "ben", "rev", "boss")}
    runner = CliRunner()
    assert runner.invoke(cli, ["server", "init", server]).exit_code == 0
    for person, role in (("ana", "annotator"), ("ben", "annotator"), ("rev", "reviewer"), ("boss", "admin")):
        result = runner.invoke(cli, ["--db", server, "server", "add-annotator", names[person], "--role", role,
                                     "--no-password"])
        assert result.exit_code == 0, result.output
    user = server.partition("://")[2].partition("@")[0]
    urls = {person: server.replace(f"//{user}@", f"//{name}@") for person, name in names.items()}
    return names, urls


def test_an_annotator_changes_only_their_own_spans_and_a_reviewer_anyones(team) -> None:
    names, urls = team
    ana, ben, rev = (open_database(urls[person]) for person in ("ana", "ben", "rev"))
    assert (ana.role, ben.role) == (names["ana"], names["ben"])
    doc_id = add_text(ana)
    span = add_annotation(ana, doc_id, 0, 5, "claim", annotator=names["ana"])
    with pytest.raises(PermissionRefused, match="annotations: your role may change only its own rows"):
        delete_annotation(ben, span.id)
    with pytest.raises(PermissionRefused, match="your role may change only its own rows"):
        add_annotation(ben, doc_id, 0, 5, "claim", annotator=names["ana"])
    with pytest.raises(PermissionRefused, match="only a reviewer may change whose a row is"):
        ben.execute("update annotations set annotator = ? where id = ?", [names["ben"], span.id])
    with pytest.raises(PermissionRefused, match="annotations: your role may remove only its own rows"):
        ben.execute("delete from annotations where id = ?", [span.id])
    assert [a.id for a in query_annotations(ben)] == [span.id]  # refused, and nothing changed
    delete_annotation(rev, span.id)
    assert query_annotations(ana) == []
    for db in (ana, ben, rev):
        db.close()


def test_on_a_team_server_the_cli_annotates_as_the_role_and_only_an_admin_edits_labels(team, corpus: Path) -> None:
    names, urls = team
    runner = CliRunner()
    seed = str(corpus / "seed" / "darien-gap-article.txt")
    result = runner.invoke(cli, ["--db", urls["ana"], "--annotator", "somebody", "import", seed])
    assert result.exit_code == 0
    assert f"you annotate as your database role '{names['ana']}'; 'somebody' is ignored" in result.stderr
    db = open_database(urls["ben"])
    assert db.execute("select added_by from documents").fetchone()[0] == names["ana"]
    db.close()
    refused = runner.invoke(cli, ["--db", urls["ana"], "labels", "add", "place", "--key", "p"])
    assert refused.exit_code == 1
    assert refused.output.strip() == "Error: the server refused this change to labels: your role may not make it (a margin_admin may)"
    assert runner.invoke(cli, ["--db", urls["boss"], "labels", "add", "place", "--key", "p"]).exit_code == 0


def test_a_file_is_not_a_server_to_set_up(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "server", "add-annotator", "ana", "--no-password"])
    assert result.exit_code == 1 and "not a server" in result.output


@pilot_test
async def test_two_apps_on_the_server_see_each_others_spans_appear(server: str) -> None:
    doc_id = sample_db(server)
    start = SAMPLE.index("Adrienne Watson")
    ana, ben = app_for(server, "ana"), app_for(server, "ben")
    async with running(ana) as ana_keys, running(ben) as ben_keys:
        await go(ana_keys, start + 3)
        await ana_keys.press("v", "w", "2")  # ana labels a person
        await go(ben_keys, SAMPLE.index("Panama"))
        await ben_keys.press("v", "w", "1")  # ben labels a claim
        for _ in range(40):  # each shows the other's span within a second
            await ana_keys.pause(0.05)
            await ben_keys.pause(0.05)
            seen = [{(a.annotator, a.label) for a in app.main.annotation_panel.shown} for app in (ana, ben)]
            if all(len(shown) == 2 for shown in seen):
                break
        assert seen == [{("ana", "person"), ("ben", "claim")}] * 2
    assert {(a.annotator, a.label, a.doc_id) for a in rows(server)} == {("ana", "person", doc_id), ("ben", "claim", doc_id)}


def test_the_merge_command_takes_a_server_as_source_or_target(server: str, tmp_path: Path) -> None:
    runner = CliRunner()
    laptop = tmp_path / "laptop.db"
    db = open_database(laptop)
    add_annotation(db, add_text(db), 0, 5, "claim", annotator="ana")
    db.close()
    result = runner.invoke(cli, ["--db", server, "merge", str(laptop), "--json"])
    assert result.exit_code == 0, result.output
    home = tmp_path / "home.db"
    assert runner.invoke(cli, ["--db", str(home), "merge", server]).exit_code == 0
    assert [(a.start, a.end, a.annotator) for a in query_annotations(open_database(home))] == [(0, 5, "ana")]
    refused = runner.invoke(cli, ["--db", server, "merge", str(laptop), "-o", str(tmp_path / "copy.db")])
    assert refused.exit_code == 1 and "a copy is made of a file database" in refused.output
    assert not (tmp_path / "copy.db").exists()


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(history=st.lists(operation, min_size=1, max_size=20), order=st.permutations([0, 1, 2]))
def test_merges_between_files_and_a_server_agree_in_any_order(postgres, tmp_path_factory, history, order) -> None:
    """Three copies, the middle one on the server, edited apart; merged in any order
    into a file or into the server, every result holds the same rows."""
    ticks = count()

    def clock(tick: int) -> str:
        return f"2030-01-01T00:{next(ticks) // 4:02d}:{tick:02d}.000000Z"

    folder = tmp_path_factory.mktemp("mixed")
    servers: list[str] = []

    def place(name: str, on_server: bool) -> str:
        if on_server:
            servers.append(postgres.fresh())
            return servers[-1]
        return str(folder / f"{name}.db")

    base = open_database(place("base", False))
    doc_id = add_text(base)
    for quote, label in (("Alice Smith", "person"), ("40%", "statistic")):
        mark(base, doc_id, ARTICLE, quote, label, "ana")
    copies = [place(f"copy{n}", n == 1) for n in range(3)]
    for where in copies:
        copy = open_database(where)
        merge_databases(copy, [base])
        copy.close()
    dbs = [open_database(where) for where in copies]
    for op in history:
        _apply(dbs[op[0]], doc_id, op, clock)
    for db in dbs:
        db.close()
    results = []
    for on_server, sequence in ((False, [0, 1, 2]), (True, order), (False, order)):
        target = open_database(place(f"merged{len(results)}", on_server))
        merge_databases(target, [base])
        for index in sequence:
            merge_databases(target, [copies[index]])
        results.append(annotation_rows(target))
        assert not merge_databases(target, copies).changed
        target.close()
    base.close()
    assert all(rows == results[0] for rows in results)
    for url in servers:
        postgres.drop(url)


def test_a_write_lock_wait_that_runs_out_leaves_the_connection_usable(server: str) -> None:
    from margin.store.db import write
    from margin.store.postgres.dialect import WRITE_LOCK
    from margin.tui.write_queue import short_wait

    db = open_database(server)
    doc_id = add_text(db)
    holder = psycopg.connect(server, autocommit=True)
    holder.execute("begin")
    holder.execute(f"select pg_advisory_xact_lock({WRITE_LOCK})")
    with pytest.raises(sqlite3.OperationalError, match="database is locked"), short_wait(db, 50), write(db):
        pass
    holder.execute("rollback")
    holder.close()
    assert not db.conn.in_transaction
    add_annotation(db, doc_id, 0, 5, "claim", annotator="ana")  # the next write goes through
    assert len(query_annotations(db)) == 1
    db.close()


def test_links_values_and_shared_rows_follow_who_owns_them(team) -> None:
    from margin.store.attributes import set_attribute
    from margin.store.relations import add_relation

    names, urls = team
    ana, ben, rev, boss = (open_database(urls[person]) for person in ("ana", "ben", "rev", "boss"))
    doc_id = add_text(ben)
    claim = add_annotation(ben, doc_id, 0, 5, "claim", annotator=names["ben"])
    person = add_annotation(ben, doc_id, 10, 15, "person", annotator=names["ben"])
    with pytest.raises(PermissionRefused, match="attributes: your role may change only its own rows"):
        set_attribute(ana, claim.id, "verdict", "false", annotator=names["ana"])
    with pytest.raises(PermissionRefused, match="relations: your role may change only its own rows"):
        add_relation(ana, claim.id, person.id, "said_by", annotator=names["ana"])
    add_relation(ben, claim.id, person.id, "said_by", annotator=names["ben"])
    set_attribute(ben, claim.id, "verdict", "true", annotator=names["ben"])
    delete_annotation(ben, claim.id)  # its link goes with it, his own
    with pytest.raises(PermissionRefused, match="your role may change only its own rows"):
        add_annotation(rev, doc_id, 20, 25, "claim", annotator=names["ben"])  # a reviewer adds under their own name
    add_annotation(boss, doc_id, 20, 25, "claim", annotator=names["ben"])  # an admin may (a merge of ben's work)
    with pytest.raises(PermissionRefused, match="documents: your role may not make it"):
        ana.execute("update documents set text = 'changed' where id = ?", [doc_id])
    with pytest.raises(PermissionRefused):
        ana.execute("delete from document_versions")
    for db in (ana, ben, rev, boss):
        db.close()


def test_a_merge_of_a_colleagues_work_is_an_admins_and_the_refusal_says_whose(team, tmp_path: Path) -> None:
    names, urls = team
    laptop = tmp_path / "laptop.db"
    db = open_database(laptop)
    doc_id = add_text(db)
    mark(db, doc_id, ARTICLE, "Alice Smith", "person", names["ben"])
    mark(db, doc_id, ARTICLE, "40%", "statistic", "carol")
    db.close()
    before = annotation_rows(open_database(urls["boss"]))

    result = CliRunner().invoke(cli, ["--db", urls["ben"], "merge", str(laptop)])

    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.endswith("the merge brings annotations of carol; a margin_admin may merge others' work in")
    boss = open_database(urls["boss"])
    assert annotation_rows(boss) == before  # nothing of the file went in
    assert merge_databases(boss, [laptop]).tables["annotations"].added == 2
    boss.close()
    # ben's own copy of the server holds everyone's spans; only his new one goes back
    own = tmp_path / "own.db"
    assert CliRunner().invoke(cli, ["--db", str(own), "merge", urls["ben"]]).exit_code == 0
    db = open_database(own)
    mark(db, doc_id, ARTICLE, "Paris", "person", names["ben"])
    db.close()
    ben = open_database(urls["ben"])
    back = merge_databases(ben, [own]).tables["annotations"]
    ben.close()
    assert (back.added, back.updated, back.skipped) == (1, 0, 2)


def test_add_annotator_leaves_the_servers_own_roles_alone(server: str) -> None:
    result = CliRunner().invoke(cli, ["--db", server, "server", "add-annotator", "margin_admin", "--no-password"])
    assert result.exit_code == 1 and "margin's own roles" in result.output
    user = server.partition("://")[2].partition("@")[0]
    result = CliRunner().invoke(cli, ["--db", server, "server", "add-annotator", user, "--no-password"])
    assert result.exit_code == 1 and "administrator rights" in result.output


@pytest.mark.parametrize("value", [
    "2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05+02:00", "2024-01-02",
    "2024-01-02T03:04:05.1234567Z", "2024-01-02T03:04", "now", "epoch", "infinity", "Jan 2 2024",
    "10000-01-01T00:00:00Z", "", "garbage", "2024-13-40T00:00:00Z",
])
def test_the_server_compares_timestamps_as_the_store_does(server: str, value: str) -> None:
    """An import's upsert on a server lets the newer edit win by the same reading of a
    time as ``store.timestamps.comparable`` gives a file."""
    from margin.store.timestamps import comparable

    db = open_database(server)
    assert db.execute("select margin_comparable(?)", [value]).fetchone()[0] == comparable(value)
    db.close()


def test_a_text_with_more_words_than_a_tsvector_holds_is_stored_and_found(server: str) -> None:
    db = open_database(server)
    words = " ".join(f"w{n:07d}x" for n in range(200_000))  # 2 MB of distinct words
    document, _ = add_document(db, words + " harbour", title="Word list")
    assert search_documents(db, "w0000001x") == [document.id]
    assert search_documents(db, "harbour") == [document.id]  # past what the vector holds: by substring
    db.close()


@pytest.mark.parametrize("command", [["documents"], ["info"], ["export"], ["labels"], ["import", "-"]])
def test_only_server_init_makes_a_database_of_an_empty_one(empty_server: str, command: list[str]) -> None:
    result = CliRunner().invoke(cli, ["--db", empty_server, *command], input="")
    assert result.exit_code == 1 and "no margin database there yet; 'margin server init' creates one" in result.output
    with psycopg.connect(empty_server, autocommit=True) as conn:
        assert conn.execute("select count(*) from pg_tables where schemaname = 'public'").fetchone()[0] == 0


@pilot_test
async def test_the_app_carries_on_after_the_server_drops_its_connections(server: str) -> None:
    sample_db(server)
    app = app_for(server, "ana")
    async with running(app) as pilot:
        await go(pilot, SAMPLE.index("Panama"))
        with psycopg.connect(server, autocommit=True) as admin:  # as a restart or a network break would
            admin.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                          "where datname = current_database() and pid <> pg_backend_pid()")
        await pilot.press("v", "w", "1")  # the first write after the break is saved
        await pilot.pause(0.3)
        await pilot.press("w", "j", "k")  # keys that read and save the position
        await pilot.pause(1.2)
        await pilot.pause(0.3)
        assert app.is_running and not [m for m in messages(app) if "Not saved" in m]
    assert [(a.label, a.annotator) for a in rows(server)] == [("claim", "ana")]


@pilot_test
async def test_on_a_team_server_the_app_does_not_offer_to_change_anothers_span(team) -> None:
    names, urls = team
    doc_id = sample_db(urls["ana"], names["ana"])
    start = SAMPLE.index("Panama")
    db = open_database(urls["ana"])
    add_annotation(db, doc_id, start, start + 6, "claim", annotator=names["ana"])
    db.close()
    for person, allowed in (("ben", False), ("rev", True)):
        app = app_for(urls[person], names[person])
        async with running(app) as pilot:
            await go(pilot, start + 2)
            await pilot.press("r")
            picker_open = app.screen is not app.main
            await pilot.press("escape")
        assert picker_open == allowed
        said = [m for m in messages(app) if "only they or a reviewer may change it" in m]
        assert bool(said) != allowed


def test_an_import_the_server_refuses_names_the_file(team, tmp_path: Path) -> None:
    names, urls = team
    spans = tmp_path / "theirs.jsonl"
    spans.write_text(json.dumps({"text": "Ana said so.", "spans": [
        {"start": 0, "end": 3, "label": "person", "annotator": names["ana"]}]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", urls["ben"], "import", str(spans)])
    assert result.exit_code == 1
    assert f"failed: {spans}: the server refused this change to annotations" in result.output
    assert query_annotations(open_database(urls["ben"])) == []  # the file went in whole or not at all
