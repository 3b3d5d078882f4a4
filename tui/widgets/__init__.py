"""The app's widgets, one per module."""

from .annotation_panel import AnnotationPanel
from .document_list import DocumentList
from .reader import Reader
from .status_line import StatusLine

__all__ = ["AnnotationPanel", "DocumentList", "Reader", "StatusLine"]
