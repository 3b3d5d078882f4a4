"""Modal screens, the main screen and the review screen, one per module.

Names are imported on first use (PEP 562), so importing one screen's module does not
load every other screen (the review screen, the note editor's text area) on the way
to the first screen.
"""

from __future__ import annotations

from ..lazy_exports import lazy_exports

_MODULES = {
    "Confirm": "confirm",
    "DocumentPicker": "document_picker",
    "HelpScreen": "help",
    "LabelPicker": "label_picker",
    "MainScreen": "main",
    "NoteEditor": "note_editor",
    "ReviewScreen": "review",
    "SearchPrompt": "search_prompt",
}

__all__ = sorted(_MODULES)

__getattr__ = lazy_exports(__name__, _MODULES)
