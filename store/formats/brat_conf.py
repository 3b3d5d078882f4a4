"""The ``annotation.conf`` written beside a brat export, in the grammar brat's
``projectconfig`` reads: one type a line, arguments as ``Key:Type|Type`` separated by
commas, ``<ENTITY>`` for any text-bound type.

``[relations]`` lists each relation type the export uses with the labels its ends
may carry (``Arg1:claim, Arg2:person``, or ``<ENTITY>`` when any), an undirected
type marked ``<REL-TYPE>:symmetric-transitive`` so that brat reads its ``*`` lines;
``[attributes]`` lists each attribute used, ``Arg:`` the labels it applies to and,
unless it is a flag (brat's binary attribute), ``Value:`` its values: a choice's
own, or for free text the values the export holds that brat's configuration can
name (one word, without ``|`` ``,`` ``<`` ``>``). An ``<OVERLAP>`` line lets spans
nest and cross, as margin's do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import FLAG_VALUE, AttributeDef, RelationType

ANY = "<ENTITY>"
EQUIVALENCE = "<REL-TYPE>:symmetric-transitive"
OVERLAP = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"
"""margin's spans nest and cross; without this brat flags every such pair as an error."""
_NAMEABLE = re.compile(r"[^\s|,<>]+")


def _types(wanted: Sequence[str], labels: Sequence[str]) -> str:
    """``wanted`` among the exported labels, as a brat argument's types; any when
    the scheme allows any (or names none that is exported)."""
    present = [label for label in wanted if label in labels]
    return "|".join(present) if wanted and present else ANY


def _relation(name: str, kind: RelationType | None, labels: Sequence[str]) -> str:
    if kind is None:
        return f"{name}\tArg1:{ANY}, Arg2:{ANY}"
    if not kind.directed:
        ends = _types([*kind.head_labels, *kind.child_labels], labels) if kind.head_labels and kind.child_labels else ANY
        return f"{name}\tArg1:{ends}, Arg2:{ends}, {EQUIVALENCE}"
    return f"{name}\tArg1:{_types(kind.head_labels, labels)}, Arg2:{_types(kind.child_labels, labels)}"


def _attribute(name: str, used: Sequence[str], definition: AttributeDef | None, labels: Sequence[str]) -> str:
    target = f"Arg:{_types(definition.labels, labels) if definition else ANY}"
    if (definition.kind == "flag") if definition else list(used) == [FLAG_VALUE]:
        return f"{name}\t{target}"
    values = definition.choices if definition and definition.kind == "choice" else used
    nameable = [value for value in values if _NAMEABLE.fullmatch(value)]
    return f"{name}\t{target}, Value:{'|'.join(nameable)}" if nameable else f"{name}\t{target}"


def annotation_conf(
    labels: Sequence[str],
    relation_types: Sequence[str],
    values: dict[str, dict[str, None]],
    types: dict[str, RelationType],
    attributes: dict[str, AttributeDef],
) -> str:
    """The four sections brat expects, for the labels, relation types and attribute
    values (name → values used) an export holds."""
    relations = "".join(f"{_relation(name, types.get(name), labels)}\n" for name in relation_types) + f"{OVERLAP}\n"
    attribute_lines = "".join(
        f"{_attribute(name, list(used), attributes.get(name), labels)}\n" for name, used in values.items()
    )
    return (
        "[entities]\n" + "".join(f"{label}\n" for label in labels)
        + f"\n[relations]\n{relations}\n[events]\n\n[attributes]\n{attribute_lines}"
    )
