"""The app's widgets, one per module.

Names are imported on first use (PEP 562), so importing one widget's module does not
load the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = {
    "AnnotationPanel": "annotation_panel",
    "DocumentList": "document_list",
    "LazyList": "lazy_list",
    "Reader": "reader",
    "StatusLine": "status_line",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
