"""The Label Studio labelling config that matches margin's Label Studio tasks.

A Label Studio project must exist, with a config naming every label, before its
tasks can be imported; written from margin's label scheme, the project shows
margin's names and colours and has the per-region note box whose results margin
reads back as notes. The control and object names are the ones the task writer
puts in ``from_name``/``to_name``, so the two always agree.

Relation types become ``<Relations>`` (so a relation result's labels name one of
them) and each span attribute a per-region control named after it: ``<Choices>``
of its values for a choice attribute, one checkbox (its own name as the only
choice) for a flag, a ``<TextArea>`` for a text attribute; one that applies to a
single label shows only on that label's regions (``whenLabelValue``). An
attribute whose name is one of the config's own controls (``label``, ``note``,
``text``) is prefixed (``attribute-note``), and read back without the prefix.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable

from ..model import AttributeDef, Label, RelationType

LABELS_NAME = "label"
NOTE_NAME = "note"
TEXT_NAME = "text"
TEXT_VALUE = "$text"
FALLBACK_COLOR = "#888888"
ATTRIBUTE_PREFIX = "attribute-"
RESERVED_NAMES = (LABELS_NAME, NOTE_NAME, TEXT_NAME)


def control_name(attribute: str) -> str:
    """The control an attribute's results name in ``from_name``."""
    if attribute in RESERVED_NAMES or attribute.startswith(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_PREFIX + attribute
    return attribute


def attribute_name(control: str) -> str:
    return control.removeprefix(ATTRIBUTE_PREFIX)


def _relations(view: ElementTree.Element, kinds: Iterable[RelationType], extra: Iterable[str]) -> None:
    seen: set[str] = set()
    element = ElementTree.Element("Relations")
    for kind in kinds:
        if kind.name not in seen:
            seen.add(kind.name)
            attributes = {"value": kind.name, "background": kind.color or FALLBACK_COLOR}
            if kind.description:
                attributes["hint"] = kind.description
            ElementTree.SubElement(element, "Relation", attributes)
    for name in sorted(set(extra) - seen):
        ElementTree.SubElement(element, "Relation", value=name, background=FALLBACK_COLOR)
    if len(element):
        view.append(element)


def _attributes(
    view: ElementTree.Element, definitions: Iterable[AttributeDef], extra: dict[str, set[str]]
) -> None:
    """One per-region control per attribute; one the spans carry without a
    definition is a choice of the values they carry."""
    known = {attribute.name: attribute for attribute in definitions}
    for name in sorted(set(extra) - set(known)):
        known[name] = AttributeDef(name, "choice", tuple(sorted(extra[name])))
    for attribute in known.values():
        common = {"name": control_name(attribute.name), "toName": TEXT_NAME, "perRegion": "true"}
        if len(attribute.labels) == 1:
            common["whenLabelValue"] = attribute.labels[0]
        if attribute.kind == "text":
            ElementTree.SubElement(view, "TextArea", {
                **common, "editable": "true", "maxSubmissions": "1", "placeholder": attribute.name,
                "displayMode": "region-list",
            })
            continue
        choices = ElementTree.SubElement(
            view, "Choices", {**common, "choice": "multiple" if attribute.kind == "flag" else "single"}
        )
        if attribute.kind == "flag":
            values: tuple[str, ...] = (attribute.name,)
        else:
            carried = extra.get(attribute.name, set()) - set(attribute.choices)
            values = (*attribute.choices, *sorted(carried))
        for value in values:
            ElementTree.SubElement(choices, "Choice", value=value)


def labelling_config(
    labels: Iterable[Label],
    extra: Iterable[str] = (),
    *,
    relation_types: Iterable[RelationType] = (),
    relation_extra: Iterable[str] = (),
    attribute_defs: Iterable[AttributeDef] = (),
    attribute_extra: dict[str, set[str]] | None = None,
) -> str:
    """The config's XML: ``labels`` in their order, then any ``extra`` name (a label
    spans carry without it being in the scheme) in grey, so no exported span names a
    label the project lacks; likewise relation types and attributes (with every
    value the spans carry)."""
    view = ElementTree.Element("View")
    _relations(view, relation_types, relation_extra)
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
    _attributes(view, attribute_defs, attribute_extra or {})
    ElementTree.indent(view)
    return ElementTree.tostring(view, encoding="unicode") + "\n"
