"""The user's settings: one typed object, one loader.

The file is TOML in the platformdirs config directory (``MARGIN_CONFIG`` points
elsewhere, which is how tests keep their own). Every key is optional::

    annotator = "ana"
    theme = "textual-dark"        # or any Textual theme, e.g. "textual-light"
    reading_width = 88            # columns of text in the reader
    auto_advance = false          # after a label, move to the next word (ctrl+a toggles)
    spacy_model = "en_core_web_sm"  # an installed spaCy pipeline the people suggester also asks

    [keymap]                      # binding id = keys, as Textual's set_keymap takes them
    "reader.select_word" = "W,ctrl+e"

An entry that cannot be used is left out and named in ``Settings.warnings``, never
dropped silently and never fatal: a typo in the keymap must not stop ``margin export``.

The config file is the user's: margin never writes it. What the app remembers by
itself (the theme ``ctrl+t`` chose) goes to a small JSON state file in the platformdirs
state directory instead (``MARGIN_STATE`` points elsewhere).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from margin.store.errors import MarginError
from margin.store.names import name_problem

from .keys import label_keymap_problem

APP_NAME = "margin"


def config_path() -> Path:
    override = os.environ.get("MARGIN_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def state_path() -> Path:
    override = os.environ.get("MARGIN_STATE")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME)) / "state.json"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "margin.db"


@dataclass(slots=True)
class Settings:
    annotator: str | None = None
    database: str | None = None
    """The database when neither ``--db`` nor ``MARGIN_DB`` names one: a file, or a
    ``postgresql://`` URL for a team server (its password best left to ``~/.pgpass``)."""
    theme: str = "textual-dark"
    reading_width: int = 88
    auto_advance: bool = False
    """After a label the cursor moves on to the next word, so a run of words to label
    is one key each."""
    spacy_model: str | None = None
    """A spaCy pipeline, installed by the user, whose PERSON entities the people
    suggester adds to its own (``store.suggest.people``)."""
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    state: Path | None = None
    """Where the app remembers what the user chose in it; None remembers nothing
    (settings made in code, as the tests make them, unless they name a file)."""
    warnings: list[str] = field(default_factory=list)
    """One line per entry of the file that was ignored, naming the file and the key:
    shown on stderr by commands and as notifications by the app."""


KNOWN_KEYS = ("annotator", "database", "theme", "reading_width", "auto_advance", "spacy_model", "keymap")
SPACY_MODEL = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""A pipeline's package name (or a path-free name): nothing a shell or a terminal reads."""
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
    settings = Settings(path=path, state=state_path())
    if not path.exists():
        return settings
    data = _read_file(path)

    def ignore(key: str, why: str) -> None:
        settings.warnings.append(f"{path}: {key} ignored: {why}")

    for key in data:
        if key not in KNOWN_KEYS:
            ignore(key, f"not a setting (the settings are {', '.join(KNOWN_KEYS)})")
    for key in ("annotator", "database", "theme"):
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
    if "auto_advance" in data:
        advance = data["auto_advance"]
        if isinstance(advance, bool):
            settings.auto_advance = advance
        else:
            ignore("auto_advance", f"must be true or false, not {advance!r}")
    if "spacy_model" in data:
        model = data["spacy_model"]
        if isinstance(model, str) and SPACY_MODEL.fullmatch(model):
            settings.spacy_model = model
        else:
            ignore("spacy_model", f"must be a spaCy pipeline's name such as \"en_core_web_sm\", not {model!r}")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        ignore("keymap", "must be a table of binding id = keys, under a [keymap] heading")
        keymap = {}
    for binding_id, keys in keymap.items():
        problem = (
            f"must be keys in quotes, not {_type_name(keys)}"
            if not isinstance(keys, str)
            else key_problem(keys) or label_keymap_problem(binding_id, keys)
        )
        if problem:
            ignore(f"[keymap] {binding_id!r}", problem)
        else:
            settings.keymap[binding_id] = keys
    return settings


def _read_state(path: Path) -> dict:
    """The state file's entries; a missing, unreadable or foreign file is an empty
    state, since it only holds what margin can choose again."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remembered_theme(settings: Settings) -> str | None:
    """The theme last chosen in the app, while the config file's ``theme`` is still
    the one it was chosen over: whichever the user changed last wins, so editing the
    config file is never undone by an old ``ctrl+t``."""
    if settings.state is None:
        return None
    state = _read_state(settings.state)
    theme, over = state.get("theme"), state.get("over")
    return theme if isinstance(theme, str) and over == settings.theme else None


def remember_theme(settings: Settings, theme: str) -> None:
    """Keep ``theme`` for the next run, written whole to a new file then renamed, so
    a crash never leaves half a state file. Raises OSError if it cannot be written."""
    if settings.state is None:
        return
    state = _read_state(settings.state)
    state.update(theme=theme, over=settings.theme)
    settings.state.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per writer: two margins saving at once never share a file.
    handle, partial = tempfile.mkstemp(dir=settings.state.parent, prefix=f".{settings.state.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(state, indent=2) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, settings.state)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


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
