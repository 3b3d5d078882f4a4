"""The annotation panel: ten thousand annotations shown lazily, changed one at a time,
with the highlight kept on its annotation and the label filter applied."""

from __future__ import annotations

from dataclasses import replace

from app_support import pilot_test
from textual.app import App, ComposeResult

from margin.store.model import Annotation, Label
from margin.tui.widgets.annotation_panel import AnnotationPanel

LABELS = [Label(name="person", color="#ff0000"), Label(name="place", color="#00ff00")]


def annotation(n: int, **changes: object) -> Annotation:
    made = Annotation(
        id=f"a{n:05d}",
        doc_id="doc",
        start=n * 10,
        end=n * 10 + 5,
        label="person" if n % 2 else "place",
        quote=f"quote {n}",
        annotator="ana",
    )
    return replace(made, **changes)


class PanelApp(App[None]):
    def __init__(self, annotations: list[Annotation]) -> None:
        super().__init__()
        self.annotations = annotations
        self.panel = AnnotationPanel(id="annotations")
        self.chosen: list[Annotation] = []

    def compose(self) -> ComposeResult:
        yield self.panel

    def on_mount(self) -> None:
        self.panel.show(self.annotations, LABELS)
        self.panel.focus()

    def on_annotation_panel_chosen(self, message: AnnotationPanel.Chosen) -> None:
        self.chosen.append(message.annotation)


def lines(app: App[None]) -> list[str]:
    rows = app.query_one("#annotation-options")
    return [
        "".join(segment.text for segment in rows.render_line(y)).rstrip()
        for y in range(rows.scrollable_content_region.height)
    ]


@pilot_test
async def test_ten_thousand_annotations_show_upsert_and_remove() -> None:
    app = PanelApp([annotation(n) for n in reversed(range(10_000))])
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        panel = app.panel
        assert panel.border_title == "Annotations 10000"
        assert lines(app)[:3] == ["■ place · ana", "“quote 0”", ""]
        await pilot.press("down", "down")
        assert panel.highlighted_annotation.id == "a00002"

        panel.upsert(annotation(10_000, start=5, end=8, note="early"))
        await pilot.pause()
        assert panel.border_title == "Annotations 10001"
        assert lines(app)[3:6] == ["■ place · ana", "“quote 10000”", "✎ early"]
        assert panel.highlighted_annotation.id == "a00002"

        panel.upsert(annotation(2, status="suggested", quote="changed"))
        await pilot.pause()
        assert lines(app)[9:11] == ["■ place · ana · suggested", "“changed”"]
        assert panel.highlighted_annotation.id == "a00002"

        panel.upsert(annotation(2, start=99_999, end=100_005))
        await pilot.pause()
        assert panel.highlighted_annotation.id == "a00002"
        assert panel.rows.highlighted == 10_000

        panel.remove_annotation("a00001")
        await pilot.pause()
        assert panel.border_title == "Annotations 10000"
        assert panel.highlighted_annotation.id == "a00002"
        assert [a.id for a in panel.shown[:3]] == ["a00000", "a10000", "a00003"]

        panel.remove_annotation("a00002")
        assert panel.highlighted_annotation.id == "a09999"

        panel.upsert(annotation(3, deleted_at="2026-01-01"))
        assert panel.total == 9998 and "a00003" not in [a.id for a in panel.shown[:5]]

        await pilot.press("up")
        assert panel.highlighted_annotation.id == "a09998"
        panel.show([annotation(n) for n in range(9990, 10_000)], LABELS)
        assert panel.highlighted_annotation.id == "a09998", "a new list keeps the highlighted annotation"
        panel.show([annotation(n) for n in range(5)], LABELS)
        assert panel.highlighted_annotation.id == "a00000"


@pilot_test
async def test_the_label_filter_narrows_and_follows_changes() -> None:
    app = PanelApp([annotation(n) for n in range(10_000)])
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        panel = app.panel
        await pilot.press("down")
        assert panel.highlighted_annotation.id == "a00001"
        await pilot.press("f")
        await pilot.pause()
        assert panel.label_filter.value == "person"
        assert panel.border_title == "Annotations 5000/10000"
        assert panel.highlighted_annotation.id == "a00001"
        assert lines(app)[:2] == ["■ person · ana", "“quote 1”"]

        panel.upsert(annotation(0, label="person"))
        await pilot.pause()
        assert panel.border_title == "Annotations 5001/10000"
        assert [a.id for a in panel.shown[:2]] == ["a00000", "a00001"]
        assert panel.highlighted_annotation.id == "a00001"

        panel.upsert(annotation(1, label="place"))
        await pilot.pause()
        assert panel.border_title == "Annotations 5000/10000"
        assert panel.highlighted_annotation.id == "a00003"

        await pilot.press("f")
        await pilot.pause()
        assert panel.label_filter.value == "place"
        assert panel.count == 5000
        await pilot.press("f")
        await pilot.pause()
        assert panel.border_title == "Annotations 10000"


@pilot_test
async def test_enter_and_click_choose_an_annotation() -> None:
    app = PanelApp([annotation(n) for n in range(20)])
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "k", "enter")
        await pilot.pause()
        assert [a.id for a in app.chosen] == ["a00001"]
        await pilot.click("#annotation-options", offset=(2, 7))
        await pilot.pause()
        assert [a.id for a in app.chosen] == ["a00001", "a00002"]
        await pilot.press("end")
        assert app.panel.highlighted_annotation.id == "a00019"
        assert lines(app)[-3:-1] == ["■ person · ana", "“quote 19”"]
