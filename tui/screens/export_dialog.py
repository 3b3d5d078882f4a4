"""Export from inside the app: a dialog asking what, how and where, and the export
itself, run in a worker thread with the very code ``margin export`` runs.

The same checks as the command line come first (never onto the database or its
logs, a folder for brat and a file for the rest), and the same safe output: the file
is built beside its final name and moved into place only once complete, so a failed
export never leaves half a file and never replaces a good one with a broken one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from margin.store.database import Location
from margin.store.errors import MarginError
from margin.store.formats import FORMATS, WRITABLE
from margin.store.formats.csv import relations_output
from margin.store.model import Document
from margin.store.safe_output import refuse_database, safe_stem, text_file

from ..text.sanitise import sanitise, shorten
from .dialog import Dialog

if TYPE_CHECKING:
    from margin.store.exporting import ExportReport

    from .main import MainScreen

DOCUMENT, DATABASE = "document", "database"
MAX_NAME_TRIES = 100
"""Default names tried (``name-2`` …) before settling on one that exists."""


@dataclass(frozen=True, slots=True)
class ExportRequest:
    format: str
    output: Path
    doc_id: str | None
    """Only this document (the CLI's ``--doc``), or None for the whole database."""


def default_output(format_name: str, document: Document | None, folder: Path | None = None) -> Path:
    """A name in the current directory that says what it holds and is not taken yet:
    the document's title, or ``margin-export``, with the format's extension (brat: a
    folder)."""
    folder = Path.cwd() if folder is None else folder
    stem = "margin-export"
    if document is not None:
        slug = re.sub(r"[^0-9A-Za-z]+", "-", document.title).strip("-").lower()[:40].strip("-")
        stem = safe_stem(slug) if slug else "document"
    suffix = "" if format_name == "brat" else FORMATS[format_name].extensions[0]
    if format_name == "brat":
        stem += "-brat"
    elif format_name != "margin":
        stem += f"-{format_name}"
    candidate = folder / f"{stem}{suffix}"
    for number in range(2, MAX_NAME_TRIES):
        if not candidate.exists():
            break
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def check_output(format_name: str, output: Path, db_path: Location) -> None:
    """What ``margin export`` refuses before writing anything, in the same words."""
    if format_name != "brat" and output.is_dir():
        raise MarginError(f"{output} is a directory; give a file name")
    if format_name == "brat" and output.exists() and not output.is_dir():
        raise MarginError(f"{output} is a file; brat needs a directory")
    if not db_path.exists():
        raise MarginError(f"{db_path}: no such database; import something first")
    refuse_database(output, [db_path])
    # Unlike the command line, where -o names the file on purpose, a path typed in a
    # dialog is easily an earlier export or an article: the app writes only new ones.
    if (output.is_dir() and any(output.iterdir())) or output.is_file():
        raise MarginError(f"{output}: already exists; choose a new name (the app never writes over a file)")


def write_export(db_path: Location, request: ExportRequest) -> ExportReport:
    """``margin export --format F [--doc ID] -o OUTPUT`` on a connection of its own,
    so it can run in a thread while the app goes on with its own."""
    from margin.store.db import open_database
    from margin.store.exporting import export


    output, format_name = request.output, request.format
    check_output(format_name, output, db_path)
    options: dict[str, Any] = {"lines": True} if format_name == "w3c" and output.suffix == ".jsonl" else {}
    docs = (request.doc_id,) if request.doc_id is not None else ()
    db = open_database(db_path, readonly=True)
    try:
        if format_name == "brat":
            return export(db, output, format=format_name, options=options, doc=docs)
        linked_to = output if format_name == "csv" else None
        with relations_output(linked_to, databases=[db_path], overwrite=False) as linked, text_file(output) as out:
            if linked is not None:
                options["relations"] = linked
            return export(db, out, format=format_name, options=options, doc=docs)
    except OSError as error:
        # Said about the name the user gave, not the temporary file beside it.
        raise MarginError(f"{output}: {error.strerror or error}") from None
    finally:
        db.close()


def export_in_background(screen: MainScreen, request: ExportRequest) -> None:
    """Run the export in a worker thread, so a large database never freezes the
    screen; a notification says where it went and how much, or why it did not."""
    db_path = screen.db.path

    def work() -> None:
        try:
            report = write_export(db_path, request)
        except Exception as error:  # any failure is one line on screen, never a crash
            message = f"Export failed: {shorten(str(error), 200)}"
            screen.app.call_from_thread(
                screen.notify, message, title="Export", severity="error", markup=False, timeout=30
            )
            return
        message = (
            f"Exported {report.documents:,} document(s), {report.spans:,} span(s) "
            f"to {sanitise(str(request.output))}"
        )
        screen.app.call_from_thread(screen.notify, message, title="Export", markup=False)

    screen.notify(f"Exporting to {sanitise(str(request.output))}…", title="Export", markup=False)
    screen.run_worker(work, thread=True, name="export", group="export", exit_on_error=False)


class ExportDialog(Dialog[ExportRequest | None]):
    """Choose a format, this document or the whole database, and a path; enter writes.

    | key | action |
    |---|---|
    | up/down | choose a format or the scope |
    | tab, enter in a list | next field |
    | enter in the path | write the export |
    | escape | cancel |
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog OptionList { height: auto; max-height: 9; margin-bottom: 1; }
    ExportDialog #export-error { color: $error; width: 1fr; height: auto; }
    """

    def __init__(self, db_path: Location, document: Document | None) -> None:
        super().__init__()
        self.db_path = db_path
        self.document = document
        self._default: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label("Export annotations", classes="dialog-title")
            yield OptionList(
                *(Option(f"{name:<13} {shorten(FORMATS[name].summary, 56)}", id=name) for name in WRITABLE),
                id="export-format",
                markup=False,
            )
            scopes = [Option("The whole database", id=DATABASE)]
            if self.document is not None:
                title = shorten(self.document.title, 50)
                scopes.insert(0, Option(f"This document: {title}", id=DOCUMENT))
            yield OptionList(*scopes, id="export-scope", markup=False)
            yield Input(id="export-path", placeholder="where to write it")
            yield Label("", id="export-error", markup=False)
            yield Label("tab next field · enter in the path writes · escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        for options in self.query(OptionList):
            options.highlighted = 0
        self._suggest()
        self.query_one("#export-format", OptionList).focus()

    @property
    def format_name(self) -> str:
        options = self.query_one("#export-format", OptionList)
        return WRITABLE[options.highlighted or 0]

    @property
    def doc_id(self) -> str | None:
        options = self.query_one("#export-scope", OptionList)
        option = options.get_option_at_index(options.highlighted or 0)
        return self.document.id if option.id == DOCUMENT and self.document is not None else None

    def _suggest(self) -> None:
        """Follow the format and the scope with the default name, unless one was typed."""
        field = self.query_one("#export-path", Input)
        if self._default is not None and field.value != str(self._default):
            return
        document = self.document if self.doc_id is not None else None
        self._default = default_output(self.format_name, document)
        field.value = str(self._default)
        field.cursor_position = len(field.value)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.is_mounted:
            self._suggest()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#export-error", Label)
        if not event.value.strip():
            error.update("Give a path to write to")
            return
        output = Path(event.value.strip()).expanduser()
        output = output if output.is_absolute() else Path.cwd() / output
        try:
            check_output(self.format_name, output, self.db_path)
        except MarginError as refused:
            error.update(shorten(str(refused), 200))
            return
        self.dismiss(ExportRequest(self.format_name, output, self.doc_id))

    def action_cancel(self) -> None:
        self.dismiss(None)
