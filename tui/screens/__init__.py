"""Modal screens, the main screen and the review screen, one per module.

Names are imported on first use (PEP 562), so importing one screen's module does not
load every other screen (the review screen, the note editor's text area) on the way
to the first screen.
"""

from __future__ import annotations

import importlib
from typing import Any

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


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
