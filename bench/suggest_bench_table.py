"""Printing for the suggestion bench's sections: a Rich table on a terminal, plain
aligned text otherwise (``NO_COLOR``, a pipe), as bench/app_bench.py prints."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from margin.tui.text.sanitise import sanitise


def figure(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], note: str = "") -> None:
    """Every cell goes through ``sanitise``: corpus text is data, never markup."""
    cells = [[sanitise(str(cell)) for cell in row] for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=sanitise(title), title_justify="left")
        for index, column in enumerate(columns):
            table.add_column(column, justify="left" if index == 0 else "right")
        for row in cells:
            table.add_row(*row)
        console = Console(markup=False, highlight=False)
        console.print(table)
        if note:
            console.print(note)
        return
    widths = [max(len(str(c)) for c in column) for column in zip(columns, *cells)]
    print(f"\n{sanitise(title)}")
    for row in [list(columns), *cells]:
        print("  ".join(str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
                        for i, (cell, width) in enumerate(zip(row, widths))))
    if note:
        print(note)
