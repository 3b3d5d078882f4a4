"""margin's SQLite store: documents, labels, annotations and reading state.

Nothing here imports Textual; the app and the command line reach the database only
through this package.
"""
