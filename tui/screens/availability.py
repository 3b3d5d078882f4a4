"""Which of the main screen's actions apply where the cursor is, from the keymap's
table of needs: greyed out in the key bar, and said why when pressed anyway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from margin.store.model import Annotation

from ..keymap import NEEDS, WHY_NOT, Need

if TYPE_CHECKING:
    from ..undo import History
    from ..widgets.reader import Reader


class ActionAvailability(Screen[None]):
    """Mixed into the pane screen, which provides the reader, the history and
    ``_under_cursor``."""

    _binding_state: tuple[bool, ...] = ()

    if TYPE_CHECKING:
        @property
        def reader(self) -> Reader: ...

        @property
        def history(self) -> History: ...

        def _under_cursor(self, suggested_only: bool = False) -> list[Annotation]: ...

    def _applies(self, need: Need) -> bool:
        if need == "document":
            return self.reader.document is not None
        if need == "annotation":
            return bool(self._under_cursor())
        if need == "suggestion":
            selection = self.reader.selection
            if selection is not None:
                return self.reader.has_suggestion_within(*selection)
            return bool(self._under_cursor(suggested_only=True))
        if need == "suggestions":
            return self.reader.suggestion_count > 0
        if need == "undo":
            return self.history.can_undo
        return self.history.can_redo

    def _refresh_binding_state(self) -> None:
        """Refresh the footer only when what applies has changed, not on every move."""
        state = tuple(self._applies(need) for need in WHY_NOT)
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply where the cursor is."""
        need = NEEDS.get(action)
        return True if need is None or self._applies(need) else None

    def why_not(self, action: str) -> str | None:
        """Why a greyed-out action does nothing here (said when its key is pressed)."""
        need = NEEDS.get(action)
        return WHY_NOT[need] if need is not None and not self._applies(need) else None
