"""The private Textual and Rich APIs that `margin.tui.compat` wraps still behave as the
app relies on: if an upgrade moves one, the test named after it fails here first."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.cells import cell_len
from textual.app import App
from textual.binding import Binding, BindingType

from margin.tui.compat import app_bindings, app_key_bindings, emoji_widened_by_vs16, replace_app_bindings


def test_emoji_widened_by_vs16_lists_characters_rich_widens_after_vs16() -> None:
    widened = emoji_widened_by_vs16()
    assert isinstance(widened, frozenset)
    assert "\u2764" in widened  # HEAVY BLACK HEART: text style alone, emoji with VS16
    for character in widened:
        assert cell_len(character) == 1, hex(ord(character))
        assert cell_len(character + "\ufe0f") == 2, hex(ord(character))
    assert cell_len("a\ufe0f") == 1


class BindingsApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "record('x')", "X", id="test.x"), Binding("y", "record('y')", "Y")]

    def __init__(self) -> None:
        super().__init__()
        self.recorded: list[str] = []

    def action_record(self, name: str) -> None:
        self.recorded.append(name)


def test_app_key_bindings_maps_each_key_to_the_apps_own_bindings() -> None:
    app = BindingsApp()
    bindings = app_key_bindings(app)
    assert [binding.id for binding in bindings["x"]] == ["test.x"]
    assert [binding.action for binding in bindings["y"]] == ["record('y')"]


def test_app_bindings_yields_key_and_binding_pairs() -> None:
    pairs = list(app_bindings(BindingsApp()))
    assert [key for key, _binding in pairs if key in "xy"] == ["x", "y"]
    assert all(isinstance(binding, Binding) for _key, binding in pairs)


def test_replace_app_bindings_changes_what_keys_do() -> None:
    app = BindingsApp()

    async def main() -> None:
        async with app.run_test() as pilot:
            kept = {key: bindings for key, bindings in app_key_bindings(app).items() if key != "x"}
            replace_app_bindings(app, {"z": [Binding("z", "record('z')", "Z")], **kept})
            app.refresh_bindings()
            await pilot.press("x", "y", "z")
            await pilot.pause()

    asyncio.run(main())
    assert app.recorded == ["y", "z"]
    assert "x" not in app_key_bindings(app)
