"""The user's settings: one typed object, one loader.

The file is TOML in the platformdirs config directory (``MARGIN_CONFIG`` points
elsewhere, which is how tests keep their own). Every key is optional::

    annotator = "ana"
    theme = "textual-dark"        # or any Textual theme, e.g. "textual-light"
    reading_width = 88            # columns of text in the reader

    [keymap]                      # binding id = keys, as Textual's set_keymap takes them
    "reader.select_word" = "W,ctrl+w"

An entry that cannot be used is left out and named in ``Settings.warnings``, never
dropped silently and never fatal: a typo in the keymap must not stop ``margin export``.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from margin.store.errors import MarginError
from margin.store.names import name_problem

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
    warnings: list[str] = field(default_factory=list)
    """One line per entry of the file that was ignored, naming the file and the key:
    shown on stderr by commands and as notifications by the app."""


KNOWN_KEYS = ("annotator", "theme", "reading_width", "keymap")
READING_WIDTHS = range(20, 401)
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def key_problem(keys: str) -> str | None:
    """Why a ``[keymap]`` value is not a comma-separated list of keys, or None.

    Only the form is checked here, without Textual; the app also checks each key's
    name against the keys Textual knows."""
    for key in keys.split(","):
        key = key.strip()
        *modifiers, name = key.split("+") if len(key) > 1 else [key]
        if not key or not name or name in MODIFIERS:
            return f"{keys!r} is not a list of keys (such as \"W,ctrl+w\")"
        unknown = [modifier for modifier in modifiers if modifier not in MODIFIERS]
        if unknown:
            return f"{unknown[0]!r} in {keys!r} is not a modifier ({', '.join(sorted(MODIFIERS))})"
    return None


def _type_name(value: object) -> str:
    return {bool: "true/false", int: "a number", float: "a number", dict: "a table", list: "a list"}.get(
        type(value), type(value).__name__
    )


def _read_file(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MarginError(f"{path}: {error}") from None
    except OSError as error:
        raise MarginError(f"{path}: {error.strerror}") from None


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file. A missing file gives the defaults and one that is not
    TOML an error naming the file; an entry margin cannot use is left out, with a
    warning naming the file and the key, so a typo never goes unnoticed and never
    stops a command."""
    path = path or config_path()
    settings = Settings(path=path)
    if not path.exists():
        return settings
    data = _read_file(path)

    def ignore(key: str, why: str) -> None:
        settings.warnings.append(f"{path}: {key} ignored: {why}")

    for key in data:
        if key not in KNOWN_KEYS:
            ignore(key, f"not a setting (the settings are {', '.join(KNOWN_KEYS)})")
    for key in ("annotator", "theme"):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            ignore(key, f"must be text in quotes, not {_type_name(value)}")
        elif key == "annotator" and (problem := name_problem("annotator", value.strip())):
            ignore(key, problem)
        else:
            setattr(settings, key, value)
    if "reading_width" in data:
        width = data["reading_width"]
        if isinstance(width, int) and not isinstance(width, bool) and width in READING_WIDTHS:
            settings.reading_width = width
        else:
            ignore("reading_width", f"must be a whole number from 20 to 400, not {width!r}")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        ignore("keymap", "must be a table of binding id = keys, under a [keymap] heading")
        keymap = {}
    for binding_id, keys in keymap.items():
        problem = (
            f"must be keys in quotes, not {_type_name(keys)}" if not isinstance(keys, str) else key_problem(keys)
        )
        if problem:
            ignore(f"[keymap] {binding_id!r}", problem)
        else:
            settings.keymap[binding_id] = keys
    return settings


ANNOTATOR_SOURCES = ("--annotator", "MARGIN_ANNOTATOR")


def resolve_annotator(explicit: str | None, settings: Settings) -> str:
    """--annotator, else MARGIN_ANNOTATOR, else the config file, else the login name.

    A name that could not be shown safely is refused, naming where it came from."""
    for source, candidate in zip(
        (*ANNOTATOR_SOURCES, str(settings.path)),
        (explicit, os.environ.get("MARGIN_ANNOTATOR"), settings.annotator),
        strict=True,
    ):
        if candidate and candidate.strip():
            problem = name_problem("annotator", candidate.strip())
            if problem:
                raise MarginError(f"{source}: {problem}")
            return candidate.strip()
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "anonymous"
