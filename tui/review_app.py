"""The small app behind ``margin review``: just the review screen."""

from __future__ import annotations

from textual.screen import Screen

from margin.store.database import Database

from .inert_app import InertApp
from .screens.review import ReviewScreen, ReviewSummary


class ReviewApp(InertApp):
    """Opens on the first disagreement nobody settled yet; ``q`` quits, leaving
    :attr:`summary` for the command to print."""

    TITLE = "margin review"
    CSS_PATH = "margin.tcss"  # the main app's stylesheet, for the shared dialogs

    def __init__(
        self,
        db: Database,
        reviewer: str,
        *,
        doc_ids: list[str] | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.reviewer = reviewer
        self.doc_ids = doc_ids
        self._theme_name = theme
        self._screen: ReviewScreen | None = None

    def on_mount(self) -> None:
        if self._theme_name in self.available_themes:
            self.theme = self._theme_name

    def get_default_screen(self) -> Screen:
        self._screen = ReviewScreen(db=self.db, reviewer=self.reviewer, doc_ids=self.doc_ids)
        return self._screen

    @property
    def summary(self) -> ReviewSummary | None:
        """Where the review stands (also after the app has ended); None before it loaded."""
        screen = self._screen
        return screen.summary() if screen is not None and screen.places else None
