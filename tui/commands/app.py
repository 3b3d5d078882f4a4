"""``margin`` with no command, and ``margin open FILE...``: start the reader.

Files given to ``open`` are imported first (an article already in the database is
found by its content id, not added twice); an argument that is not a file is taken
as a document id, id prefix or title. An empty database gets the bundled sample
article, so a new user has something to read.
"""

from __future__ import annotations

import codecs
import os
from importlib.resources import files as package_files
from pathlib import Path

import click

from margin.store.database import Database
from margin.store.documents import (
    add_document,
    count_documents,
    resolve_document,
)
from margin.store.errors import MarginError
from margin.store.formats.common import decode_text
from margin.store.model import Document, document_id, document_id_of_bytes, normalise_newlines

from .context import Context, pass_context

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SAMPLE_FILE = "darien-gap-article.txt"
SAMPLE_TITLE = "US agrees to pay for flights, help Panama deport migrants to stop illegal border crossings"
SAMPLE_SOURCE = "The Christian Post — Samantha Kamman"


def add_sample(db: Database, annotator: str) -> str:
    """Add the bundled sample article (if it is not there yet); returns its id."""
    text = package_files("margin.tui.sample").joinpath(SAMPLE_FILE).read_text(encoding="utf-8")
    document, _new = add_document(
        db, text, title=SAMPLE_TITLE, source=SAMPLE_SOURCE, added_by=annotator
    )
    return document.id


def _already_stored(db: Database, path: Path) -> str | None:
    """The id of a plain-text or Markdown file's document when the database already
    holds it: found by hashing the file, so reopening a book never re-imports it."""
    if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None  # the import names the problem
    if b"\r" not in data:
        # A stored text's id hashes its UTF-8 bytes, so a file without carriage returns
        # that is stored has exactly those bytes (after a byte-order mark): no decoding.
        doc_id = document_id_of_bytes(data.removeprefix(codecs.BOM_UTF8))
        if _stored(db, doc_id):
            return doc_id
    try:
        text = normalise_newlines(decode_text(data, str(path)))
    except MarginError:
        return None
    doc_id = document_id(text)
    return doc_id if _stored(db, doc_id) else None


def _stored(db: Database, doc_id: str) -> bool:
    return db.execute("select 1 from documents where id = ?", [doc_id]).fetchone() is not None


def _looks_like_a_path(target: str) -> bool:
    return os.sep in target or "/" in target or target.startswith("~") or bool(Path(target).suffix)


def _resolve(db: Database, target: str) -> Document:
    """A stored document by id, id prefix or title. A target that reads as a file name
    is said to be neither a file nor a document: the file was most likely mistyped."""
    try:
        return resolve_document(db, target)
    except MarginError:
        if _looks_like_a_path(target) and not db.execute(
            "select 1 from documents where title = ? limit 1", [target]
        ).fetchone():
            raise MarginError(f"no such file or document: {target}") from None
        raise


def _documents_to_open(ctx_obj: Context, db: Database, targets: list[str]) -> list[str]:
    """Import the targets that are files (a folder opens its first document); look the
    others up as documents by id, id prefix or title. A file that fails to import
    stops the command before the app starts, so its error is not hidden."""
    paths = [target for target in targets if Path(target).exists()]
    imported: dict[str, list[str]] = {}
    to_import = []
    for path in paths:
        known = _already_stored(db, Path(path))
        if known is None:
            to_import.append(path)
        else:
            imported[os.path.abspath(path)] = [known]
    if to_import:
        from margin.store.importing import import_paths

        # A file whose text changed since it was opened last is its document's next version.
        report = import_paths(db, to_import, annotator=ctx_obj.annotator, update=True)
        if report.failed:
            more = f" (and {len(report.failed) - 1} more)" if len(report.failed) > 1 else ""
            raise MarginError(report.failed[0] + more)
        for result in report.files:
            imported.setdefault(os.path.abspath(result.path), []).extend(result.document_ids)
    doc_ids: list[str] = []
    for target in targets:
        if target in paths:
            absolute = os.path.abspath(target)
            doc_ids.extend(
                doc_id
                for path, ids in imported.items()
                if path == absolute or path.startswith(absolute.rstrip(os.sep) + os.sep)
                for doc_id in ids
            )
        else:
            doc_ids.append(_resolve(db, target).id)
    if not doc_ids:
        raise MarginError(f"{targets[0]}: no document to open")
    return doc_ids


def run_app(ctx_obj: Context, files: list[str]) -> None:
    """Open the reader on ``ctx_obj``'s database, at the first of ``files`` if any."""
    from ..app import make_app

    db = ctx_obj.open_db()
    open_doc_id: str | None = None
    if files:
        to_import = [target for target in files if Path(target).exists()]
        if to_import and db.readonly:
            raise MarginError(f"{ctx_obj.db_path}: read-only; cannot import {to_import[0]}")
        doc_ids = _documents_to_open(ctx_obj, db, files)
        open_doc_id = doc_ids[0] if doc_ids else None
    elif count_documents(db) == 0 and not db.readonly:
        open_doc_id = add_sample(db, ctx_obj.annotator)
    make_app(
        ctx_obj.db_path,
        annotator=ctx_obj.annotator,
        settings=ctx_obj.settings,
        open_doc_id=open_doc_id,
    ).run()


@click.command("open")
@click.argument("targets", nargs=-1, required=True)
@pass_context
def open_command(ctx: Context, targets: tuple[str, ...]) -> None:
    """Import files if needed and open the first in the reader.

    TARGETS are files or directories to import (any format `margin import` reads),
    or documents already in the database by id, id prefix or title.

    \b
    Examples:
      margin open article.html
      margin open notes.md report.txt
      margin open 3f2a9c
    """
    run_app(ctx, list(targets))
