"""Every use of a private API of Textual or Rich, in one place.

Textual and Rich move their internals between releases without notice. Keeping each
private access behind a small function here, with a test for each in
``tests/test_compat.py``, means an upgrade that changes one breaks a named test and one
function, not a widget far from the cause.

This module imports Rich but never Textual at run time (Textual appears only in type
annotations), because the Textual-free text engine in `margin.tui.text` depends on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich._unicode_data import load as _load_cell_table

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode


def emoji_widened_by_vs16() -> frozenset[str]:
    """Characters that Rich draws one cell wide alone and two cells wide when followed by
    VARIATION SELECTOR-16 (emoji presentation), for the Unicode version Rich measures with.

    The layout must measure clusters exactly as Rich will draw them; Rich keeps this set
    in its private cell table (``rich._unicode_data.load("auto").narrow_to_wide``), which
    is cached, so calling this per line costs a dictionary lookup.
    """
    return _load_cell_table("auto").narrow_to_wide


def app_key_bindings(app: DOMNode) -> dict[str, list[Binding]]:
    """The app's own bindings (not its screens' or widgets'), by key.

    Textual has no public call to list or remove a binding once the app is built; the map
    is ``App._bindings.key_to_bindings``. The dictionary returned is Textual's own: read
    it, and change it only through `replace_app_bindings`.
    """
    return app._bindings.key_to_bindings


def app_bindings(app: DOMNode) -> Iterator[tuple[str, Binding]]:
    """Every ``(key, binding)`` pair the app itself binds, in Textual's order."""
    return iter(app._bindings)


def replace_app_bindings(app: DOMNode, mapping: dict[str, list[Binding]]) -> None:
    """Make `mapping` (key to bindings) the app's own bindings.

    The caller should then call ``app.refresh_bindings()`` so the footer and the help
    screen show the change.
    """
    app._bindings.key_to_bindings = mapping
