"""The app's widgets, one per module.

Names are imported on first use (PEP 562), so importing one widget's module does not
load the others.
"""

from __future__ import annotations

from ..lazy_exports import lazy_exports

_MODULES = {
    "AnnotationPanel": "annotation_panel",
    "DocumentList": "document_list",
    "KeyBar": "key_bar",
    "LazyList": "lazy_list",
    "Reader": "reader",
    "StatusLine": "status_line",
}

__all__ = sorted(_MODULES)

__getattr__ = lazy_exports(__name__, _MODULES)
