"""margin: a keyboard-driven terminal reader and annotator for articles.

The distribution installs one import namespace: ``margin.store`` (the database, no
Textual) and ``margin.tui`` (the app and the command line). A regular package, not a
namespace package, so no other ``margin`` folder on ``sys.path`` can merge into it.
"""

__version__ = "0.1.0"
