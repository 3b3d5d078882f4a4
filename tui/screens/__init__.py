"""Modal screens and the review screen, one per module."""

from .confirm import Confirm
from .help import HelpScreen
from .label_picker import LabelPicker
from .note_editor import NoteEditor
from .review import ReviewScreen
from .search_prompt import SearchPrompt

__all__ = ["Confirm", "HelpScreen", "LabelPicker", "NoteEditor", "ReviewScreen", "SearchPrompt"]
