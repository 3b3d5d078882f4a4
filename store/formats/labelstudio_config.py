"""The Label Studio labelling config that matches margin's Label Studio tasks.

A Label Studio project must exist, with a config naming every label, before its
tasks can be imported; written from margin's label scheme, the project shows
margin's names and colours and has the per-region note box whose results margin
reads back as notes. The control and object names are the ones the task writer
puts in ``from_name``/``to_name``, so the two always agree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable

from ..model import Label

LABELS_NAME = "label"
NOTE_NAME = "note"
TEXT_NAME = "text"
TEXT_VALUE = "$text"
FALLBACK_COLOR = "#888888"


def labelling_config(labels: Iterable[Label], extra: Iterable[str] = ()) -> str:
    """The config's XML: ``labels`` in their order, then any ``extra`` name (a label
    spans carry without it being in the scheme) in grey, so no exported span names a
    label the project lacks."""
    view = ElementTree.Element("View")
    choices = ElementTree.SubElement(view, "Labels", name=LABELS_NAME, toName=TEXT_NAME)
    seen: set[str] = set()
    for label in labels:
        if label.name in seen:
            continue
        seen.add(label.name)
        attributes = {"value": label.name, "background": label.color or FALLBACK_COLOR}
        if label.description:
            attributes["hint"] = label.description
        ElementTree.SubElement(choices, "Label", attributes)
    for name in sorted(set(extra) - seen):
        ElementTree.SubElement(choices, "Label", value=name, background=FALLBACK_COLOR)
    ElementTree.SubElement(view, "Text", name=TEXT_NAME, value=TEXT_VALUE)
    ElementTree.SubElement(
        view, "TextArea", name=NOTE_NAME, toName=TEXT_NAME, perRegion="true", editable="true",
        placeholder="Note", displayMode="region-list",
    )
    ElementTree.indent(view)
    return ElementTree.tostring(view, encoding="unicode") + "\n"
