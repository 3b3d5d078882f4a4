"""A throwaway PostgreSQL cluster for the tests of margin's server backend.

``initdb`` in a temporary folder and ``pg_ctl`` on a free local port, as an
unprivileged user (PostgreSQL refuses to run as root): nothing of the machine's own
PostgreSQL is touched, and the cluster goes when the test session ends.
``MARGIN_TEST_POSTGRES`` (a libpq URL of a superuser on a server to use instead)
skips the cluster. Each test gets a database of its own, cloned from a template that
already holds margin's schema, which takes a few milliseconds.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BACKENDS = ("sqlite", "postgresql")
"""Every test that takes ``db_location`` or ``fresh_db`` runs on both."""
SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql*/bin")
_names = itertools.count()


def _binaries() -> Path:
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    for pattern in SEARCH:
        for folder in sorted(glob.glob(pattern), reverse=True):
            if (Path(folder) / "initdb").exists():
                return Path(folder)
    raise RuntimeError(
        "the PostgreSQL tests need initdb and pg_ctl (Debian: apt install postgresql), "
        "or MARGIN_TEST_POSTGRES=postgresql://... naming a server to use"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    if owner is None:
        return command
    entry = pwd.getpwnam(owner)
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups", *command]


@dataclass
class Cluster:
    url: str
    """A superuser's URL, without a database name."""
    stop: list[str] | None = None
    folder: Path | None = None
    template: str = f"margin_template_{os.getpid()}"

    def database(self, name: str = "postgres") -> str:
        return f"{self.url}/{name}"

    def fresh(self, template: str | None = None) -> str:
        """A new, empty margin database (schema included), for one test; or, with
        ``template`` (the URL of a database nobody is connected to), a copy of it."""
        import psycopg

        name = f"t{os.getpid()}_{next(_names)}"
        source = template.rpartition("/")[2] if template else self.template
        with psycopg.connect(self.database(), autocommit=True) as conn:
            conn.execute(f"create database {name} template {source}")
        return self.database(name)

    def drop(self, url: str) -> None:
        import psycopg

        name = url.rpartition("/")[2]
        with psycopg.connect(self.database(), autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")

    def close(self) -> None:
        if self.stop is None:  # a server of the user's: leave it as it was
            self.drop(self.database(self.template))
        if self.stop:
            subprocess.run(self.stop, check=False, capture_output=True, cwd=self.folder)
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)


def start(*, durable: bool = False) -> Cluster:
    """The cluster for this test process, with margin's schema in the template.
    ``durable``: the server's own defaults (fsync on), as a benchmark wants; tests
    run without fsync."""
    given = os.environ.get("MARGIN_TEST_POSTGRES")
    cluster = Cluster(given.rstrip("/")) if given else _start_local(durable)
    _make_template(cluster)
    return cluster


def _start_local(durable: bool = False) -> Cluster:
    binaries = _binaries()
    owner = "nobody" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="margin-pg-"))
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    data, port = folder / "data", _free_port()
    subprocess.run(
        _as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "margin", "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8"], owner),
        check=True, capture_output=True, cwd=folder,  # a folder the owner may enter
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off"
    subprocess.run(
        _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                   "-w", "start"], owner),
        check=True, capture_output=True, cwd=folder,  # a folder the owner may enter
    )
    stop = _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner)
    return Cluster(f"postgresql://margin@127.0.0.1:{port}", stop=stop, folder=folder)


def _make_template(cluster: Cluster) -> None:
    import psycopg

    from margin.store.db import open_database

    with psycopg.connect(cluster.database(), autocommit=True) as conn:
        conn.execute(f"drop database if exists {cluster.template} with (force)")
        conn.execute(f"create database {cluster.template}")
    open_database(cluster.database(cluster.template)).close()
