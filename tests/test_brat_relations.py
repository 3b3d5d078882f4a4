"""brat's relations, equivalences, attributes and events through margin and back.

The corpus's own files are compared with margin's export of them as normalised
sets, read here without margin's reader: text-bound spans by label, offsets and
text; relations by type and their two arguments' spans; attributes by name, span
and value; ``*`` groups as the spans they join (connected across lines, as brat's
equivalences are transitive); notes by what they are on. Ids may be renumbered,
nothing else may differ. ``Annotator`` comments, which margin adds, are left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from margin.store.db import open_database
from margin.store.errors import FormatError
from margin.store.exporting import export
from margin.store.formats import brat
from margin.store.importing import import_paths
from margin.store.schemes import add_attribute_def, get_relation_type

Span = tuple[str, int, int, str]
RELATIONS, ATTRIBUTES = 1615, 421
"""MeasEval train: its 1,655 R lines hold 1,615 distinct relations (a paragraph's pairs
repeat some), and its 421 A lines as many values."""


def _components(pairs: list[tuple[Span, Span]]) -> set[frozenset[Span]]:
    groups: list[set[Span]] = []
    for a, b in pairs:
        joined = [group for group in groups if a in group or b in group]
        merged = {a, b}.union(*joined)
        groups = [group for group in groups if group not in joined] + [merged]
    return {frozenset(group) for group in groups}


def normalise(text: str, ann: str, *, flatten_events: bool = False) -> dict[str, set]:
    """The .ann's content with ids replaced by what they point at."""
    spans: dict[str, Span] = {}
    lines = [line.rstrip("\r") for line in ann.split("\n") if line.strip()]
    for line in lines:
        if line.startswith("T"):
            ident, head, quote = line.split("\t")
            label, offsets = head.split(" ", 1)
            pieces = [tuple(map(int, piece.split())) for piece in offsets.split(";")]
            start, end = pieces[0][0], pieces[-1][1]
            assert quote == " ".join(text[a:b] for a, b in pieces)
            spans[ident] = (label, start, end, text[start:end])
    triggers = {line.split("\t")[0]: line.split("\t")[1].split()[0].split(":")[1]
                for line in lines if line.startswith("E")}
    out: dict[str, set] = defaultdict(set)
    out["T"] = set(spans.values())
    equivalences: dict[str, list[tuple[Span, Span]]] = defaultdict(list)
    relations: dict[str, tuple] = {}

    def span(ident: str) -> Span:
        return spans[triggers.get(ident, ident)]

    for line in lines:
        ident, data, *_ = line.split("\t") + [""]
        if ident.startswith("R"):
            kind, arg1, arg2 = data.split()
            relations[ident] = (kind, span(arg1.split(":")[1]), span(arg2.split(":")[1]))
            out["R"].add(relations[ident])
        elif ident == "*":
            kind, *members = data.split()
            equivalences[kind] += [(span(a), span(b)) for a, b in zip(members, members[1:])]
        elif ident[:1] in "AM":
            name, target, *value = data.split(" ", 2)
            if target in spans:
                out["A"].add((name, spans[target], value[0] if value else None))
        elif ident.startswith("E") and flatten_events:
            _, *arguments = data.split()
            for argument in arguments:
                role, target = argument.split(":")
                role = re.sub(r"(?<=.)\d+$", "", role)
                if span(target) != span(ident):
                    out["R"].add((role, span(ident), span(target)))
    for line in lines:
        ident, data, *rest = line.split("\t") + [""]
        if ident.startswith("#") and data.split()[0] == "AnnotatorNotes":
            target = data.split()[1]
            if target in spans:
                out["#"].add((spans[target], rest[0]))
            elif target in relations:
                out["#"].add((relations[target], rest[0]))
    for kind, pairs in equivalences.items():
        out["*"] |= {(kind, group) for group in _components(pairs)}
    return out


def _merged(folder: Path, *, flatten_events: bool = False) -> dict[str, dict[str, set]]:
    """Text → normalised content, the files that share a text taken together (margin
    keeps one document per text: MeasEval has a pair per quantity of a paragraph)."""
    by_text: dict[str, dict[str, set]] = {}
    for ann in sorted(folder.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        content = normalise(text, ann.read_text(encoding="utf-8"), flatten_events=flatten_events)
        into = by_text.setdefault(text, defaultdict(set))
        for key, values in content.items():
            into[key] |= values
    for content in by_text.values():
        # Groups that share a member are one group once the files are taken together.
        stars = content.pop("*", set())
        for kind in {kind for kind, _ in stars}:
            pairs = [(a, b) for k, group in stars if k == kind for a in group for b in group if a < b]
            content["*"] |= {(kind, group) for group in _components(pairs)}
    return {text: dict(content) for text, content in by_text.items() if any(content.values())}


def round_trip(folder: Path, where: str, tmp_path: Path) -> tuple[object, Path]:
    db = open_database(where)
    report = import_paths(db, [folder], annotator="ana")
    assert report.ok, report.failed[:3]
    again = import_paths(db, [folder], annotator="ana")
    assert (again.spans_added, again.relations_added, again.attributes_added) == (0, 0, 0)
    assert again.relations_present == report.relations_added + report.relations_present
    export(db, tmp_path / "out", format="brat")
    return report, tmp_path / "out"


@pytest.mark.parametrize("folder", [
    "measeval/train/brat",
    "brat/corpora/BioNLP-ST_2011/BioNLP-ST_2011_REL",
    "brat/tutorials/news",
    "brat/corpora/TDT",
    "brat/corpora/NCBI-disease",
])
def test_corpus_goes_through_margin_and_back_identically(corpus, db_location, tmp_path, folder):
    source = corpus / folder
    report, out = round_trip(source, db_location, tmp_path)
    events = folder.endswith("news")
    expected = _merged(source, flatten_events=events)
    exported = _merged(out)
    assert exported.keys() == expected.keys()
    for text in expected:
        for key in ("T", "R", "A", "*", "#"):
            assert exported[text].get(key, set()) == expected[text].get(key, set()), (key, text[:40])
    assert sum(len(content.get("R", ())) + len(content.get("A", ())) for content in expected.values()) > 0
    if folder.startswith("measeval"):
        assert report.relations_added == sum(len(c.get("R", ())) for c in expected.values()) == RELATIONS
        assert report.attributes_added == sum(len(c.get("A", ())) for c in expected.values()) == ATTRIBUTES


def test_measeval_attributes_become_flags_and_choices(corpus, db_location):
    from margin.store.schemes import get_attribute_def

    db = open_database(db_location)
    report = import_paths(db, [corpus / "measeval" / "train" / "brat"], annotator="ana")
    assert report.ok
    assert {"IsCount", "IsApproximate", "QuantityQualifier"} <= set(report.attributes_created)
    assert get_attribute_def(db, "IsCount").kind == "flag"
    qualifier = get_attribute_def(db, "QuantityQualifier")
    assert qualifier.kind == "choice" and {"IsRange", "IsMean", "IsMeanIsRange"} <= set(qualifier.choices)
    assert "HasQuantity" in report.relation_types_created
    assert "A1\tIsCount T" in "".join(p.read_text() for p in (corpus / "measeval/train/brat").glob("*.ann"))


def test_equivalences_make_an_undirected_type_written_back_as_star_lines(corpus, db_location, tmp_path):
    source = corpus / "brat" / "corpora" / "BioNLP-ST_2011" / "BioNLP-ST_2011_REL"
    _, out = round_trip(source, db_location, tmp_path)
    db = open_database(db_location)
    kind = get_relation_type(db, "Equiv")
    assert kind is not None and not kind.directed
    assert get_relation_type(db, "Protein-Component").directed  # from R lines
    written = "".join(path.read_text() for path in out.glob("*.ann"))
    assert written.count("*\tEquiv ") == 13 and "\tEquiv Arg1:" not in written
    conf = (out / "annotation.conf").read_text()
    assert "Equiv\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive\n" in conf


@pytest.mark.parametrize("task", ["EPI", "GE", "ID"])
def test_events_are_flattened_with_one_warning_per_file(corpus, db_location, tmp_path, task):
    """What differs for event corpora: the E lines come back as R lines from the
    trigger to each argument (role without its number as the type), an argument
    that is an event as that event's trigger; attributes (M lines) and notes on
    events are dropped, counted in a warning."""
    source = corpus / "brat" / "corpora" / "BioNLP-ST_2011" / f"BioNLP-ST_2011_{task}"
    db = open_database(db_location)
    report = import_paths(db, [source], annotator="ana")
    assert report.ok, report.failed[:3]
    flattened = [w for w in report.warnings if "event(s) flattened" in w]
    with_events = [p for p in source.glob("*.ann") if re.search(r"^E", p.read_text(), re.M)]
    assert len(flattened) == len(with_events) > 0
    assert len({w.split(":")[0] for w in flattened}) == len(flattened)
    if task == "GE":  # M lines: Negation and Speculation of events
        assert any("attribute on an event or relation" in w for w in report.warnings)
    export(db, tmp_path / "out", format="brat")
    expected = _merged(source, flatten_events=True)
    exported = _merged(tmp_path / "out")
    for text in expected:
        for key in ("T", "R", "*"):
            assert exported[text].get(key, set()) == expected[text].get(key, set()), (key, text[:40])
    assert "Theme" in {kind for content in exported.values() for kind, *_ in content.get("R", ())}
    assert not {kind for content in exported.values() for kind, *_ in content.get("R", ())} & {"Theme2", "Site2"}


def write_pair(folder: Path, text: str, ann: str, name: str = "doc") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8")
    return folder / f"{name}.txt"


TEXT = "Ana said 40% rose."
SPANS = "T1\tperson 0 3\tAna\nT2\tclaim 4 17\tsaid 40% rose\nT3\tstatistic 9 12\t40%\n"


@pytest.mark.parametrize(("ann", "message"), [
    ("R1\tsaid_by Arg1:T2 Arg2:T9\n", r"doc.ann:4: T9 is not an annotation of this file"),
    ("A1\tverdict T7 true\n", r"doc.ann:4: T7 is not an annotation of this file"),
    ("*\tEquiv T1 T8\n", r"doc.ann:4: T8 is not an annotation"),
    ("E1\tSay:T2 Theme:T5\n", r"doc.ann:4: T5 is not an annotation"),
    ("#1\tAnnotatorNotes R4\tnote\n", r"doc.ann:4: R4 is not an annotation"),
    ("R1\tsaid_by Arg1:T2\n", r"doc.ann:4: malformed relation line"),
    ("R1\tsaid_by Arg1:T2 Arg1:T1\n", r"doc.ann:4: malformed relation line"),
    ("R1\tsaid_by Arg1:T1 Arg2:T2\n", r"doc.ann:4: .*said_by' links a claim to a person, not a person to a claim"),
    ("A1\tverdict T2 bogus words\n", r"doc.ann:4: claim span 'said 40% rose', attribute 'verdict'"),
    ("A1\tverdict T1 true\n", r"doc.ann:4: .*verdict applies to claim spans, not to a person"),
    ("A1\tchecked T2 yes\n", r"doc.ann:4: .*'checked' is a flag: its only value is 'true'"),
    ("R1\tsaid_by Arg1:T2 Arg2:T1\nR1\tcites Arg1:T2 Arg2:T3\n", r"doc.ann:5: duplicate id R1"),
    ("R1\tsaid_by Arg1:T2 Arg2:T1\nR2\tcites Arg1:R1 Arg2:T3\n", r"doc.ann:5: R1 is a relation or attribute, not a span"),
    ("E1\t\n", r"doc.ann:4: malformed event line"),
    ("A1\tverdict\n", r"doc.ann:4: malformed attribute line"),
])
def test_bad_lines_name_the_file_and_line_and_import_nothing(db_location, tmp_path, ann, message):
    db = open_database(db_location)
    add_attribute_def(db, "checked", kind="flag")
    path = write_pair(tmp_path / "in", TEXT, SPANS + ann)
    report = import_paths(db, [path], annotator="ana")
    assert not report.ok and len(report.failed) == 1
    assert re.search(message, report.failed[0]), report.failed[0]
    for table in ("documents", "annotations", "relations", "attributes"):
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_relation_and_attribute_lines_round_trip_with_notes_and_annotators(places, tmp_path):
    ann = SPANS + (
        "R1\tsaid_by Arg1:T2 Arg2:T1\t\n#1\tAnnotatorNotes R1\ton the record\n#2\tAnnotator R1\tben\n"
        "R2\tcites Arg1:T2 Arg2:T3\nA1\tverdict T2 misleading\nM2\tchecked T3\nN1\tReference T1 Wiki:1\tAna\n"
        "A3\tchecked R2\n"
    )
    db = open_database(places("r"))
    add_attribute_def(db, "checked", kind="flag")
    report = import_paths(db, [write_pair(tmp_path / "in", TEXT, ann)], annotator="ana")
    assert report.ok and report.relations_added == 2 and report.attributes_added == 2
    assert any("skipped 1 attribute on an event or relation, 1 normalisation line(s)" in w for w in report.warnings)
    rows = db.execute("select type, note, annotator from relations order by type").fetchall()
    assert rows == [("cites", "", "ana"), ("said_by", "on the record", "ben")]
    export(db, tmp_path / "out", format="brat")
    [written] = (tmp_path / "out").glob("*.ann")
    lines = written.read_text().splitlines()
    assert "R1\tsaid_by Arg1:T2 Arg2:T1\t" in lines and "R2\tcites Arg1:T2 Arg2:T3\t" in lines
    assert "A1\tverdict T2 misleading" in lines and "A2\tchecked T3" in lines
    assert any(re.fullmatch(r"#\d+\tAnnotatorNotes R1\ton the record", line) for line in lines)
    assert any(re.fullmatch(r"#\d+\tAnnotator R1\tben", line) for line in lines)
    conf = (tmp_path / "out" / "annotation.conf").read_text()
    assert "said_by\tArg1:claim, Arg2:person\n" in conf and "cites\tArg1:claim, Arg2:statistic\n" in conf
    assert "checked\tArg:<ENTITY>\n" in conf
    assert "verdict\tArg:claim, Value:true|false|misleading|unverifiable|unchecked\n" in conf
    again = open_database(places("again"))
    back = import_paths(again, [tmp_path / "out"], annotator="nobody")
    assert back.ok and back.relations_added == 2 and back.attributes_added == 2
    assert again.execute("select type, note, annotator from relations order by type").fetchall() == rows


def test_written_conf_follows_brats_grammar(corpus, db_location, tmp_path):
    """brat's projectconfig reads a line as ``Type<space>Key:Type|Type, …``: the type
    a storage-form word, each argument ``(\\S*?):(\\S*)``, and no ``<…>`` but its
    reserved strings; a relation's keys are Arg1 and Arg2, an attribute's Arg and Value."""
    _, out = round_trip(corpus / "brat" / "tutorials" / "news", db_location, tmp_path)
    sections: dict[str, list[str]] = defaultdict(list)
    section = ""
    for line in (out / "annotation.conf").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.fullmatch(r"\[(\w+)\]", line):
            section = line[1:-1]
            continue
        sections[section].append(line)
    assert set(sections) <= {"entities", "relations", "events", "attributes"}
    reserved = {"<ENTITY>", "<REL-TYPE>", "<OVERLAP>", "<OVL-TYPE>", "<ANY>"}
    assert "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in sections["relations"]
    for name in ("relations", "attributes"):
        assert sections[name]
        for line in sections[name]:
            match = re.fullmatch(r"(\S+)(?:\s+(.*))?", line)
            assert match and re.fullmatch(r"[a-zA-Z0-9_-]+|<OVERLAP>", match.group(1)), line
            arguments = [a.strip() for a in (match.group(2) or "").split(",") if a.strip()]
            keys = []
            for argument in arguments:
                key, types = re.fullmatch(r"(\S*?):(\S*)", argument).groups()
                keys.append(key)
                assert all(t.strip() for t in types.split("|")), line
            assert all(macro in reserved for macro in re.findall(r"<.*?>", line)), line
            expected = {"relations": [["Arg1", "Arg2"], ["Arg1", "Arg2", "<REL-TYPE>"], ["Arg1", "Arg2", "<OVL-TYPE>"]],
                        "attributes": [["Arg"], ["Arg", "Value"]]}[name]
            assert keys in expected, line
    assert "Mention\tArg:<ENTITY>, Value:Name|Nominal" in sections["attributes"]
    assert "Alias\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive" in sections["relations"]


def test_reader_keeps_attributes_per_annotator(tmp_path):
    ann = SPANS + "#1\tAnnotator T2\tana\n#2\tAnnotator T2\tben\nA1\tverdict T2 false\nR1\tsaid_by Arg1:T2 Arg2:T1\n"
    [record] = brat.read(write_pair(tmp_path, TEXT, ann))
    claims = [span for span in record.spans if span.label == "claim"]
    assert [(s.annotator, s.attributes) for s in claims] == [("ana", {"verdict": "false"}), ("ben", {"verdict": "false"})]
    [relation] = record.relations
    assert record.spans[relation.head].label == "claim" and record.spans[relation.child].label == "person"


def test_a_relation_to_an_unknown_id_is_refused_by_the_reader(tmp_path):
    with pytest.raises(FormatError, match=r"doc.ann:4: T4 is not an annotation of this file"):
        list(brat.read(write_pair(tmp_path, TEXT, SPANS + "R1\tcites Arg1:T2 Arg2:T4\n")))
