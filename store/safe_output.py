"""Writing an output file so that neither the database nor an earlier output is lost.

An output is built under a temporary name beside its final one and renamed into
place only once it is complete, so a failure, a full disk or a kill leaves the final
name as it was. The temporary name carries the writer's process id, so the next
writer into the same folder can tell a leftover of a killed run from a file still
being written, and removes it. And no output may land on a database margin is
using, or on its ``-wal``/``-shm`` files, under any name that reaches them.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from .database import Server
from .errors import MarginError

MARK = ".margin-tmp-"
STALE_SECONDS = 3600
"""A leftover whose process still seems alive (its id reused) goes once nothing
has touched it for this long."""

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_TEMPORARY = re.compile(r"^\..*" + re.escape(MARK) + r"(\d+)-[^.]+?(?:-wal|-shm|-journal)?$")
_PLAIN_STEM = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(Path(path).expanduser()))


def same_file(one: str | Path | Server, other: str | Path | Server) -> bool:
    """Whether two names reach the same file: by inode when both exist (hard links,
    symlinks, ``./a.db``), else by the name once every symlink is followed. A server
    database is the same as another only under the same connection string."""
    if isinstance(one, Server) or isinstance(other, Server):
        return one == other
    with suppress(OSError):
        if os.path.samefile(one, other):
            return True
    return _resolved(Path(one)) == _resolved(Path(other))


def database_files(database: str | Path | Server) -> list[Path]:
    """The database and the files SQLite keeps beside it, under the name given and
    the name its symlinks lead to (SQLite puts the log beside the real file); a server
    database has no file an output could overwrite."""
    if isinstance(database, Server):
        return []
    names = {Path(database).expanduser(), _resolved(Path(database))}
    return [Path(f"{name}{suffix}") for name in names for suffix in ("", *SIDE_SUFFIXES)]


def refuse_database(output: str | Path, databases: Iterable[str | Path | Server]) -> None:
    """Raise unless ``output`` is clear of every one of ``databases`` and their logs."""
    for database in databases:
        if any(same_file(output, path) for path in database_files(database)):
            raise MarginError(
                f"{output}: would overwrite the database {database}; choose another output file"
            )


def safe_stem(name: str) -> str:
    """A file name made from data (a document id) that stays inside its folder: a
    plain name as it is, anything else (``../x``, a slash, a leading dot) as a hash."""
    if _PLAIN_STEM.fullmatch(name):
        return name
    return "doc-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _process_gone(pid: int) -> bool:
    if os.name != "posix" or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _group(path: Path) -> list[Path]:
    base = str(path)
    for suffix in SIDE_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return [Path(f"{base}{suffix}") for suffix in ("", *SIDE_SUFFIXES)]


def _last_touched(paths: Iterable[Path]) -> float:
    times = [0.0]
    for path in paths:
        with suppress(OSError):
            times.append(path.stat().st_mtime)
    return max(times)


def remove_stale(folder: str | Path) -> list[Path]:
    """Remove margin's temporary files in ``folder`` that no running writer owns: its
    process has ended, or the file (with its log) has not changed for an hour."""
    removed = []
    now = time.time()
    for path in Path(folder).glob(f".*{MARK}*"):
        match = _TEMPORARY.match(path.name)
        if match is None:
            continue
        if _process_gone(int(match.group(1))) or now - _last_touched(_group(path)) > STALE_SECONDS:
            with suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def file_mode(path: Path) -> int:
    """The mode writing ``path`` directly would give: the replaced file's, else 0666
    less the umask. A temporary file starts as 0600, which would keep an output from
    the rest of the team."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove_group(path: Path) -> None:
    for member in _group(path):
        member.unlink(missing_ok=True)


def _flush_to_disk(path: Path) -> None:
    """So that a crash just after the rename finds the new content, not an empty file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def building(final: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """A new empty file beside ``final`` to write the output to; renamed over
    ``final`` when the block ends without error, removed (with any ``-wal``/``-shm``)
    when it does not. With ``overwrite`` false an existing ``final`` is refused, also
    one that appeared while the output was being built."""
    final = Path(final)
    folder = final.parent
    remove_stale(folder)
    handle, name = tempfile.mkstemp(dir=folder, prefix=f".{final.name}{MARK}{os.getpid()}-")
    os.close(handle)
    temporary = Path(name)
    try:
        mode = file_mode(final)
        yield temporary
        log = Path(f"{temporary}-wal")
        if log.exists() and log.stat().st_size:
            raise MarginError(f"{final}: the new database was not closed cleanly; nothing written")
        _flush_to_disk(temporary)
        os.chmod(temporary, mode)
        if not overwrite and final.exists():
            raise MarginError(f"{final}: already exists; choose a new file")
        os.replace(temporary, final)
    finally:
        _remove_group(temporary)


@contextmanager
def text_file(output: Path) -> Iterator[IO[str]]:
    """A text output that appears whole or not at all (``building``); a device or a
    pipe (/dev/null, a FIFO) is written straight to, never replaced."""
    if output.exists() and not output.is_file():
        with output.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    with building(output) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
        yield handle
