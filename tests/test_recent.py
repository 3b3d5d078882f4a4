"""The bounded dictionary behind the app's recent-document and recent-edit memory."""

from __future__ import annotations

from margin.tui.recent import Recent


def test_setting_again_replaces_the_value_and_makes_it_newest() -> None:
    recent: Recent[str, int] = Recent(2)
    recent["a"] = 1
    recent["b"] = 2
    recent["a"] = 3  # replaced, and now the newest
    recent["c"] = 4  # so "b" is the one to go
    assert dict(recent) == {"a": 3, "c": 4}
