"""The user's settings: one typed object, one loader.

The file is TOML in the platformdirs config directory (``MARGIN_CONFIG`` points
elsewhere, which is how tests keep their own). Every key is optional::

    annotator = "ana"
    theme = "textual-dark"        # or any Textual theme, e.g. "textual-light"
    reading_width = 88            # columns of text in the reader

    [keymap]                      # binding id = keys, as Textual's set_keymap takes them
    "reader.select_word" = "W,ctrl+w"
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from margin.store.errors import MarginError

APP_NAME = "margin"


def config_path() -> Path:
    override = os.environ.get("MARGIN_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "margin.db"


@dataclass(slots=True)
class Settings:
    annotator: str | None = None
    theme: str = "textual-dark"
    reading_width: int = 88
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file; a missing file gives the defaults, a broken one an error
    naming the file and what is wrong."""
    path = path or config_path()
    if not path.exists():
        return Settings(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MarginError(f"{path}: {error}") from None
    except OSError as error:
        raise MarginError(f"{path}: {error.strerror}") from None
    settings = Settings(path=path)
    if "annotator" in data:
        settings.annotator = str(data["annotator"])
    if "theme" in data:
        settings.theme = str(data["theme"])
    if "reading_width" in data:
        width = data["reading_width"]
        if not isinstance(width, int) or not 20 <= width <= 400:
            raise MarginError(f"{path}: reading_width must be a whole number from 20 to 400")
        settings.reading_width = width
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise MarginError(f"{path}: [keymap] must be a table of binding id = keys")
    settings.keymap = {str(key): str(value) for key, value in keymap.items()}
    return settings


def resolve_annotator(explicit: str | None, settings: Settings) -> str:
    """--annotator, else MARGIN_ANNOTATOR, else the config file, else the login name."""
    for candidate in (explicit, os.environ.get("MARGIN_ANNOTATOR"), settings.annotator):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "anonymous"
