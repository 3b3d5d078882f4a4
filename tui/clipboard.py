"""Copying text: the system clipboard where there is one, the terminal's otherwise.

pyperclip needs a clipboard program (pbcopy, xclip, wl-copy...), which an SSH session
or a container lacks; there the text goes to the terminal as an OSC 52 sequence, which
most terminals put on the clipboard of the machine the user sits at. Copying never
raises: a failure is a notification.
"""

from __future__ import annotations

import pyperclip
from textual.app import App

from .text.sanitise import shorten


def copy_text(app: App, text: str, what: str) -> None:
    """Copy ``text`` and tell the user what was copied (``what``: "selection", "citation"...)."""
    preview = shorten(text, 40)
    try:
        pyperclip.copy(text)
    except Exception:  # PyperclipException when no clipboard program; anything else too
        try:
            app.copy_to_clipboard(text)
        except Exception as error:
            app.notify(f"Could not copy: {error}", severity="error", markup=False)
            return
        app.notify(f"Copied {what} (terminal clipboard): {preview}", markup=False)
        return
    app.notify(f"Copied {what}: {preview}", markup=False)
