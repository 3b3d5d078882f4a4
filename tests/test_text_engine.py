"""The text engine (`margin.tui.text`) stands without Textual."""

from __future__ import annotations

import subprocess
import sys


def test_text_engine_never_imports_textual() -> None:
    """Every module of the text engine, imported in a fresh interpreter, leaves Textual
    unloaded: wrapping, motions and span lookup run (and are tested and benchmarked)
    without a terminal, and the widgets stay the only place that knows Textual."""
    code = (
        "import pkgutil, importlib, sys, margin.tui.text as text\n"
        "names = [info.name for info in pkgutil.walk_packages(text.__path__, 'margin.tui.text.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names), sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, loaded = result.stdout.strip().split(" ", 1)
    assert int(count) >= 7
    assert loaded == "[]"


def test_importing_the_app_leaves_the_review_screen_and_note_editor_unloaded() -> None:
    """The first screen does not pay for screens it does not show."""
    code = (
        "import sys, margin.tui.app\n"
        "print(sorted(m for m in ('margin.tui.screens.review', 'margin.tui.screens.note_editor', "
        "'sqlite_utils', 'trafilatura') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
