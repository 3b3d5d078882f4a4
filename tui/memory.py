"""Keeping what lives as long as the app out of the cyclic garbage collector's way.

A book's first screen leaves about 130,000 objects that live as long as the app
(Textual's widgets and styles, the reader's layout, 10,000 annotations and their
index). Python's full collection walks all of them: about 40 ms each time on a
2-core machine, several times a minute of typing, each landing on some key. Once
they are in the collector's permanent generation a full collection walks only what
was made since, a few milliseconds.
"""

from __future__ import annotations

import gc


def settle_long_lived() -> None:
    """Collect what is garbage now, then freeze everything still alive. Collecting
    first matters: a cycle frozen while garbage would never be freed."""
    gc.collect()
    gc.freeze()
