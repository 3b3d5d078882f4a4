"""margin's Textual app: the wiring between the database, the settings and the screen.

The app opens the database, applies the user's theme and keymap, and shows the main
screen (``tui/screens/main.py``), which owns the panes. The edits live in
``tui/editing.py`` and the change feed in ``tui/sync.py``; the keys in
``tui/keymap.py``.
"""

from __future__ import annotations

import threading
from typing import Any

from textual import actions, events
from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character
from textual.theme import Theme

from margin.store.database import Database, Location, load_sqlite_utils
from margin.store.db import open_database

from .config import MODIFIERS, Settings, remember_theme, remembered_theme
from .inert_app import InertApp
from .keymap import ACTIONS, LABEL_ID
from .memory import settle_long_lived
from .palette import DocumentCommands, MarginCommands
from .screens.main import MainScreen
from .screens.type_ahead import TypeAhead
from .screens.version_screen import VersionScreen
from .widgets.reader import Reader

SETTLE_AFTER = 1.0
"""Seconds after start, when the first screen and its document are in: importing
sqlite-utils beside that screen slowed it, and the objects it leaves are the
long-lived ones (``tui/memory.py``)."""


class MarginApp(InertApp):
    """The reader with its document list, annotation panel and status line."""

    CSS_PATH = "margin.tcss"
    TITLE = "margin"
    HELP_TITLE = MainScreen.HELP_TITLE
    """Textual's own keys (ctrl+q, the palette) are listed with the main screen's."""
    COMMANDS = InertApp.COMMANDS | {MarginCommands, DocumentCommands}

    cursor_blink = True
    """Whether text cursors blink; tests turn it off so screenshots are stable."""

    def __init__(
        self,
        db: Database,
        *,
        annotator: str,
        settings: Settings,
        open_doc_id: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.annotator = annotator
        self.settings = settings
        self.open_doc_id = open_doc_id
        self._theme_kept = ""
        """The theme applied or remembered last: the start's own theme is not a choice."""
        self.main = VersionScreen(self)

    def on_mount(self) -> None:
        for warning in self.settings.warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        self.set_keymap(self._check_keymap())
        remembered = remembered_theme(self.settings)
        if remembered in self.available_themes:
            self.theme = remembered
        elif self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.notify(
                f"{self.settings.path}: theme {self.settings.theme!r} is not a theme; using {self.theme}",
                severity="warning",
                markup=False,
            )
        self._theme_kept = self.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.push_screen(self.main)
        self.set_timer(SETTLE_AFTER, self._after_start)

    def _remember_theme(self, theme: Theme) -> None:
        """A theme chosen in the app (``ctrl+t``, the palette) is kept for the next run."""
        if theme.name == self._theme_kept:
            return
        self._theme_kept = theme.name
        try:
            remember_theme(self.settings, theme.name)
        except OSError as error:
            self.notify(f"{self.settings.state}: theme not remembered: {error.strerror or error}",
                        severity="warning", markup=False)

    def _after_start(self) -> None:
        """Once the first screen is up: what lives as long as the app is kept out of
        the garbage collector's full passes; and sqlite-utils, which imports, merges and
        label changes use, is imported in a thread. Only the import: the thread leaves
        the app's connection alone (see ``load_sqlite_utils``)."""
        settle_long_lived()
        threading.Thread(target=load_sqlite_utils, daemon=True, name="load sqlite-utils").start()

    def on_unmount(self) -> None:
        self.db.close()

    def _check_keymap(self) -> dict[str, str]:
        """The keymap without entries Textual would ignore or never fire, each named:
        ids that match no binding, and key names no key sends."""
        known = {entry.id for entry in ACTIONS} | {
            binding.id for binding in Binding.make_bindings(Reader.BINDINGS) if binding.id
        }
        unknown = [
            binding_id
            for binding_id in self.settings.keymap
            if binding_id not in known and not binding_id.startswith(LABEL_ID)
        ]
        usable = {}
        for binding_id, keys in self.settings.keymap.items():
            bad = [key.strip() for key in keys.split(",") if not _is_key(key.strip())]
            if bad:
                self.notify(
                    f"{self.settings.path}: [keymap] {binding_id!r} ignored: {bad[0]!r} is not a key name "
                    "(keys are named as in Textual, e.g. ctrl+w, f5, left_square_bracket)",
                    severity="warning",
                    markup=False,
                    timeout=10,
                )
            else:
                usable[binding_id] = keys
        if unknown:
            self.notify(
                f"{self.settings.path}: [keymap] names no binding {', '.join(map(repr, unknown))}; "
                "the help screen (?) and the README list the ids",
                severity="warning",
                markup=False,
                timeout=10,
            )
        return usable

    def on_key(self, event: events.Key) -> None:
        """A key no widget took reaches the app here, before its bindings are looked up."""
        screen = self.screen
        if isinstance(screen, TypeAhead) and screen.takes(event):
            screen.typed_below(event)

    async def run_action(
        self,
        action: str | actions.ActionParseResult,
        default_namespace: Any = None,
        namespaces: Any = None,
    ) -> bool:
        """Run an action; a key greyed out in the footer says why it does nothing
        here, rather than being silently ignored as Textual would. When an action moves
        the reader's cursor, where it went is shown with the action's own frame."""
        if isinstance(default_namespace, MainScreen) and not namespaces:
            _namespace, name, _parameters = actions.parse(action) if isinstance(action, str) else action
            reason = default_namespace.why_not(name)
            if reason is not None:
                self.notify(reason, severity="warning")
                return True
        main = self.screen if isinstance(self.screen, MainScreen) else None
        place = None if main is None else main.cursor_place
        ran = await super().run_action(action, default_namespace, namespaces)
        if main is not None and self.screen is main and main.cursor_place != place:
            main.show_cursor_now()
        return ran


KEY_NAMES = frozenset(key.value for key in Keys) | frozenset(KEY_NAME_REPLACEMENTS.values())


def _is_key(key: str) -> bool:
    """Whether Textual would ever send ``key``: a character, or a key it names,
    after any modifiers (``ctrl+shift+x``)."""
    *modifiers, name = key.split("+") if len(key) > 1 else [key]
    return all(modifier in MODIFIERS for modifier in modifiers) and (
        len(name) == 1 or name in KEY_NAMES or key_to_character(name) is not None
    )


def make_app(
    db_path: str | Location,
    annotator: str,
    settings: Settings,
    open_doc_id: str | None = None,
) -> MarginApp:
    """The app on the database at ``db_path``; shared by ``margin`` and the tests."""
    return MarginApp(open_database(db_path), annotator=annotator, settings=settings, open_doc_id=open_doc_id)
