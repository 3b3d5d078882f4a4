"""The private Textual and Rich APIs that `margin.tui.compat` wraps still behave as the
app relies on: if an upgrade moves one, the test named after it fails here first."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from rich.cells import cell_len
from rich.color import ColorSystem
from textual.app import App
from textual.binding import Binding, BindingType

from margin.tui.compat import emoji_widened_by_vs16, own_bindings, replace_own_bindings


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


def test_own_bindings_maps_each_key_to_the_nodes_own_bindings() -> None:
    app = BindingsApp()
    bindings = own_bindings(app)
    assert [binding.id for binding in bindings["x"]] == ["test.x"]
    assert [binding.action for binding in bindings["y"]] == ["record('y')"]


def test_replace_own_bindings_changes_what_keys_do() -> None:
    app = BindingsApp()

    async def main() -> None:
        async with app.run_test() as pilot:
            kept = {key: bindings for key, bindings in own_bindings(app).items() if key != "x"}
            replace_own_bindings(app, {"z": [Binding("z", "record('z')", "Z")], **kept})
            app.refresh_bindings()
            await pilot.press("x", "y", "z")
            await pilot.pause()

    asyncio.run(main())
    assert app.recorded == ["y", "z"]
    assert "x" not in own_bindings(app)


def test_scrollbar_thumb_predicts_when_textual_draws_the_same_bar() -> None:
    from textual.scrollbar import ScrollBarRender

    from margin.tui.compat import scrollbar_thumb

    def drawn(size: int, virtual: int, window: int, position: float) -> list:
        return ScrollBarRender.render_bar(size, virtual, window if window < virtual else 0, position).segments

    size, window = 40, 40
    for virtual in (30_000, 30_003, 30_006, 300, 303, 120):
        for position in (0.0, 150.0, 29_000.0 if virtual > 29_040 else 60.0):
            for other in (virtual + 3, virtual - 3):
                same = scrollbar_thumb(size, virtual, window, position) == scrollbar_thumb(size, other, window, position)
                assert same == (drawn(size, virtual, window, position) == drawn(size, other, window, position)), (
                    virtual, other, position)


class ScrollingApp(App[None]):
    def compose(self):
        from textual.scroll_view import ScrollView

        yield ScrollView()


def test_resize_without_layout_sets_the_size_and_asks_for_no_layout() -> None:
    from textual.geometry import Size
    from textual.scroll_view import ScrollView
    from textual.widget import Widget

    from margin.tui.compat import resize_without_layout

    async def scenario() -> None:
        async with ScrollingApp().run_test(size=(40, 10)) as pilot:
            view = pilot.app.query_one(ScrollView)
            view.virtual_size = Size(0, 30_000)
            await pilot.pause()
            layouts: list[bool] = []
            original = Widget.refresh

            def refresh(self, *regions, **kwargs):
                layouts.append(bool(kwargs.get("layout")))
                return original(self, *regions, **kwargs)

            Widget.refresh = refresh  # type: ignore[method-assign]
            try:
                resize_without_layout(view, Size(0, 30_003))
                assert view.virtual_size == Size(0, 30_003)
                assert view.vertical_scrollbar.window_virtual_size == 30_003
                assert not any(layouts)
                resize_without_layout(view, Size(0, 5))  # the scrollbar goes: a real layout
                assert view.virtual_size == Size(0, 5) and any(layouts)
            finally:
                Widget.refresh = original  # type: ignore[method-assign]

    asyncio.run(scenario())


def test_scroll_in_place_moves_the_position_and_draws_nothing() -> None:
    from textual.geometry import Size
    from textual.scroll_view import ScrollView
    from textual.widget import Widget

    from margin.tui.compat import scroll_in_place

    async def scenario() -> None:
        async with ScrollingApp().run_test(size=(40, 10)) as pilot:
            view = pilot.app.query_one(ScrollView)
            view.virtual_size = Size(0, 30_000)
            await pilot.pause()
            refreshed: list[Widget] = []
            original = Widget.refresh

            def refresh(self, *regions, **kwargs):
                refreshed.append(self)
                return original(self, *regions, **kwargs)

            Widget.refresh = refresh  # type: ignore[method-assign]
            try:
                assert scroll_in_place(view, 21)
                assert (view.scroll_y, view.scroll_target_y, view.vertical_scrollbar.position) == (21, 21, 21)
                assert refreshed == []  # 21 rows in 30,000 move no thumb: nothing drawn
                assert scroll_in_place(view, 20_000)
                assert view.scroll_y == 20_000 and refreshed == [view.vertical_scrollbar]
                assert not scroll_in_place(view, 30_000)  # past the end of the range
                assert view.scroll_y == 20_000
            finally:
                Widget.refresh = original  # type: ignore[method-assign]

    asyncio.run(scenario())


class TitledApp(App[None]):
    CSS = "Static { border: round white; height: 5; }"

    def compose(self):
        from textual.widgets import Static

        yield Static("body")


def test_set_border_title_changes_the_title_and_repaints_only_its_line() -> None:
    from textual.widgets import Static

    from margin.tui.compat import set_border_title

    async def scenario() -> None:
        async with TitledApp().run_test(size=(30, 8)) as pilot:
            static = pilot.app.query_one(Static)
            await pilot.pause()
            set_border_title(static, "Annotations 7")
            assert static.border_title == "Annotations 7"
            assert [region.height for region in static._dirty_regions] == [1]
            from textual.geometry import Region

            [top] = static.render_lines(Region(0, 0, static.outer_size.width, 1))
            assert "Annotations 7" in top.text

    asyncio.run(scenario())


def test_standard_rgb_is_richs_standard_palette() -> None:
    from rich.color import Color as RichColor

    from margin.tui.compat import standard_rgb

    colours = [standard_rgb(number) for number in range(16)]
    assert colours[0] == (0, 0, 0) and colours[15] == (255, 255, 255)
    assert len(set(colours)) == 16
    # Rich downgrades to the standard colour nearest in this palette.
    for number, rgb in enumerate(colours):
        assert RichColor.from_rgb(*rgb).downgrade(ColorSystem.STANDARD).number == number
