"""margin's command line and Textual app. Importing this package loads nothing else,
so commands that never open the app start fast."""
