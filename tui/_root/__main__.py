"""``python -m margin``: the same command as the ``margin`` console script."""

from margin.tui.cli import main

main()
