"""Token boundaries from spaCy, for consumers that select whole tokens.

Prodigy's manual views and spaCy's training helpers work in tokens, so an export
that carries tokens must carry the ones spaCy itself makes: those of a
``spacy.blank(lang)`` pipeline, the rule-based tokeniser with no model. spaCy is an
optional, heavy dependency, so it is imported here only, on first use; without it
an export that asks for tokens stops with the command that installs it.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import MarginError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_LANG = "en"
LANG_KEYS = ("lang", "language")
# spaCy's language codes; anything else would have spacy.blank import some other
# module under spacy.lang (``punctuation``, ``en.stop_words``).
LANG_CODE = re.compile(r"[a-z]{2,3}|xx")
INSTALL = "pip install 'margin[spacy]'"


def available() -> bool:
    """Whether spaCy can be imported, found without importing it (which takes a second)."""
    try:
        return importlib.util.find_spec("spacy") is not None
    except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules
        return False


def missing(option: str) -> MarginError:
    return MarginError(f"{option} needs spaCy, which is not installed; run: {INSTALL}")


def document_lang(meta: dict[str, Any]) -> str:
    """The language a document's meta names (``lang``, as spaCy calls it, or
    ``language``), else English. Meta comes from any import, so a BCP-47 tag
    (``de-DE``) or locale (``de_DE``) is cut to its language and anything not shaped as a language code
    is English."""
    for key in LANG_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            code = re.split(r"[-_]", value.strip())[0].lower()
            return code if LANG_CODE.fullmatch(code) else DEFAULT_LANG
    return DEFAULT_LANG


@cache
def _pipeline(lang: str) -> Language:
    """A blank pipeline per language, built once. A language spaCy does not know, or
    one whose tokeniser needs a package that is not installed (Japanese needs
    SudachiPy), falls back to English rules rather than failing the export; spaCy
    raises more than one kind of error for these, so any is caught."""
    try:
        import spacy
    except ImportError:
        raise missing("tokens") from None
    try:
        return spacy.blank(lang)
    except Exception:
        if lang == DEFAULT_LANG:
            raise
        return _pipeline(DEFAULT_LANG)


def tokenise(text: str, lang: str = DEFAULT_LANG) -> Doc:
    return _pipeline(lang).tokenizer(text)  # not make_doc: its length limit guards models, not rules


def token_dicts(doc: Doc) -> list[dict[str, Any]]:
    """Tokens as Prodigy writes them: text, character start and end, index, and
    whether whitespace follows."""
    return [
        {"text": token.text, "start": token.idx, "end": token.idx + len(token.text),
         "id": token.i, "ws": bool(token.whitespace_)}
        for token in doc
    ]


def token_bounds(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The first and last token (inclusive, as Prodigy counts) of the characters
    ``start``–``end``, or None when they do not begin and end on token boundaries."""
    span = doc.char_span(start, end)
    if span is None or len(span) == 0:
        return None
    return span.start, span.end - 1
