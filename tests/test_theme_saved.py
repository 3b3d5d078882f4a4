"""The theme chosen in the app is remembered in a state file of its own, never in the
user's config file, until the config file's theme is changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import app_for, pilot_test, running, sample_db

from margin.tui.config import load_settings, state_path


@pytest.fixture
def db(db_location: str) -> Path:
    path = db_location
    sample_db(path)
    return path


async def theme_of_a_run(db: Path, state: Path | None, *, press: tuple[str, ...] = (), **settings: object) -> str:
    app = app_for(db, state=state, **settings)
    async with running(app) as pilot:
        theme = app.theme
        await pilot.press(*press)
        await pilot.pause()
    return theme


@pilot_test
async def test_the_theme_survives_a_restart(db: Path, tmp_path: Path) -> None:
    state = tmp_path / "state" / "state.json"
    assert await theme_of_a_run(db, state, press=("ctrl+t",)) == "textual-dark"
    assert json.loads(state.read_text(encoding="utf-8"))["theme"] == "textual-light"
    assert await theme_of_a_run(db, state) == "textual-light"
    assert await theme_of_a_run(db, state, press=("ctrl+t",)) == "textual-light"
    assert await theme_of_a_run(db, state) == "textual-dark"


@pilot_test
async def test_a_theme_set_in_the_config_file_since_wins(db: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    await theme_of_a_run(db, state, press=("ctrl+t",))
    assert await theme_of_a_run(db, state) == "textual-light"
    assert await theme_of_a_run(db, state, theme="nord") == "nord"
    # Chosen again over the new config theme, the choice is kept again.
    await theme_of_a_run(db, state, press=("ctrl+t",), theme="nord")
    assert await theme_of_a_run(db, state, theme="nord") == "textual-light"


@pilot_test
async def test_the_config_file_is_never_written(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\ntheme = "textual-dark"  # dark please\n', encoding="utf-8")
    monkeypatch.setenv("MARGIN_STATE", str(tmp_path / "elsewhere" / "state.json"))
    settings = load_settings(config)
    assert settings.state == state_path() == tmp_path / "elsewhere" / "state.json"
    await theme_of_a_run(db, settings.state, press=("ctrl+t",), theme=settings.theme)
    assert config.read_text(encoding="utf-8") == '# mine\ntheme = "textual-dark"  # dark please\n'
    assert (tmp_path / "elsewhere" / "state.json").exists()


@pilot_test
async def test_settings_made_in_code_remember_nothing(db: Path, tmp_path: Path) -> None:
    before = set(tmp_path.rglob("*"))
    await theme_of_a_run(db, None, press=("ctrl+t",))
    assert await theme_of_a_run(db, None) == "textual-dark"
    assert {p for p in tmp_path.rglob("*") if p.suffix == ".json"} - before == set()
