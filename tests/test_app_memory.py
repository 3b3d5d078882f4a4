"""What lives as long as the app is frozen out of the collector's full passes once the
first screen is up, and garbage made before is collected, not frozen."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from app_support import app_for, pilot_test, running, sample_db

from margin.tui.app import SETTLE_AFTER


class _Cycle:
    """An object that only the cyclic collector can free."""

    def __init__(self) -> None:
        self.me = self


@pilot_test
async def test_the_app_freezes_what_is_alive_after_its_first_screen_and_frees_garbage_first(tmp_path: Path) -> None:
    path = tmp_path / "margin.db"
    sample_db(path)
    app = app_for(path)
    gc.unfreeze()
    async with running(app) as pilot:
        assert gc.get_freeze_count() == 0
        garbage = _Cycle()
        gone = weakref.ref(garbage)
        del garbage
        gc.disable()  # only the app's own collection may free it
        try:
            await pilot.pause(SETTLE_AFTER + 0.3)
        finally:
            gc.enable()
        frozen = gc.get_freeze_count()
        assert gone() is None
        reader = app.main.reader
        assert frozen > 10_000
        assert all(obj is not reader for obj in gc.get_objects())  # in the permanent generation
    gc.unfreeze()
