"""A modal choice among every document, however many: a lazy document list with its
filter, for opening a document beside the one being read."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label as TitleLabel

from margin.store.database import Database
from margin.store.model import Label

from ..text.sanitise import sanitise
from ..widgets.document_list import DocumentList
from .dialog import Dialog


class DocumentPicker(Dialog[str | None]):
    """Choose a document; dismisses with its id, or None.

    | key | action |
    |---|---|
    | type | filter by title and full text |
    | up / down | move |
    | enter | choose |
    | escape | clear the filter, then cancel |
    """

    DEFAULT_CSS = """
    DocumentPicker {
        align: center middle;
    }
    #document-picker-dialog {
        height: 80%;
    }
    #document-picker-list {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(
        self,
        title: str,
        db: Database,
        *,
        annotator: str | None = None,
        labels: Sequence[Label] = (),
        highlighted: str | None = None,
        current: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.highlighted = highlighted
        self.current = current
        self.documents = DocumentList(id="document-picker-list")
        self.documents.attach(db, annotator, labels)

    def compose(self) -> ComposeResult:
        with Vertical(id="document-picker-dialog", classes="dialog"):
            yield TitleLabel(sanitise(self.title_text), markup=False, classes="dialog-title")
            yield self.documents

    def on_mount(self) -> None:
        if self.current is not None:
            self.documents.mark_current(self.current)
        if self.highlighted is not None:
            self.documents.highlight(self.highlighted)
        self.documents.focus()

    def on_document_list_opened(self, message: DocumentList.Opened) -> None:
        message.stop()
        self.dismiss(message.doc_id)

    def on_document_list_left(self, message: DocumentList.Left) -> None:
        message.stop()
        self.dismiss(None)
