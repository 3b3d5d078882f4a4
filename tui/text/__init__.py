"""The text engine behind the reader: wrapping, reflow, cursor motions, span lookup and
sanitising, on code-point offsets into a document's text.

Nothing in this package imports Textual (a test checks it), so the engine is tested and
benchmarked without a terminal, and the widgets only turn its answers into strips and
key bindings. One concern per module:

    sanitise     control characters made visible; text fitted onto one line
    cells        which characters are plain cells; grapheme clusters and their widths
    rows         a display row, and the plain and cluster-level wrapping into rows
    reflow       soft newlines of hard-wrapped paragraphs, and paragraph blocks
    layout       the whole document's rows at one width, estimated then made exact
    motion       word, sentence and paragraph boundaries
    span_index   annotations by offset and by range
    links        a document's relations and attribute values, by annotation id
"""
