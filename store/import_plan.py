"""What an import is asked to read and what it reports back.

Kept apart from the import itself so that the command line and the app can show
progress and summaries without pulling in the readers of every format.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import formats

if TYPE_CHECKING:
    from .version_moves import SettleReport


@dataclass(slots=True)
class FileResult:
    """What one file added, once its transaction committed."""

    path: str
    format: str
    documents_added: int = 0
    documents_present: int = 0
    spans_added: int = 0
    spans_present: int = 0
    spans_updated: int = 0
    labels_created: list[str] = field(default_factory=list)
    relations_added: int = 0
    relations_present: int = 0
    relations_updated: int = 0
    attributes_added: int = 0
    attributes_present: int = 0
    attributes_updated: int = 0
    relation_types_created: list[str] = field(default_factory=list)
    attributes_created: list[str] = field(default_factory=list)
    document_ids: list[str] = field(default_factory=list)  # in file order, new or not
    versions: list[VersionAdded] = field(default_factory=list)
    """``--update``: the documents this file made a new version of another."""
    moved: SettleReport | None = None
    """Spans the file put on an older version, moved onto the newest."""


@dataclass(slots=True)
class VersionAdded:
    """One new version an import made, and what moved onto it."""

    doc_id: str
    replaces: str
    version: int
    title: str
    report: SettleReport

@dataclass(slots=True)
class ImportProgress:
    """Sent to the progress callback after each batch and each file."""

    path: str
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    documents: int
    spans: int

@dataclass(slots=True)
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def _total(self, name: str) -> int:
        return sum(getattr(result, name) for result in self.files)

    @property
    def documents_added(self) -> int:
        return self._total("documents_added")

    @property
    def documents_present(self) -> int:
        return self._total("documents_present")

    @property
    def spans_added(self) -> int:
        return self._total("spans_added")

    @property
    def spans_present(self) -> int:
        return self._total("spans_present")

    @property
    def spans_updated(self) -> int:
        return self._total("spans_updated")

    @property
    def relations_added(self) -> int:
        return self._total("relations_added")

    @property
    def relations_present(self) -> int:
        return self._total("relations_present")

    @property
    def relations_updated(self) -> int:
        return self._total("relations_updated")

    @property
    def attributes_added(self) -> int:
        return self._total("attributes_added")

    @property
    def attributes_present(self) -> int:
        return self._total("attributes_present")

    @property
    def attributes_updated(self) -> int:
        return self._total("attributes_updated")

    @property
    def labels_created(self) -> list[str]:
        return [label for result in self.files for label in result.labels_created]

    @property
    def relation_types_created(self) -> list[str]:
        return list(dict.fromkeys(name for result in self.files for name in result.relation_types_created))

    @property
    def attributes_created(self) -> list[str]:
        return list(dict.fromkeys(name for result in self.files for name in result.attributes_created))

    def _links_summary(self) -> list[str]:
        """Relation and attribute counts, said only when the files had any, so that an
        import of plain spans reads as it always did."""
        parts = []
        for kind, added, present, updated in (
            ("relation", self.relations_added, self.relations_present, self.relations_updated),
            ("attribute value", self.attributes_added, self.attributes_present, self.attributes_updated),
        ):
            if added or present or updated:
                parts.append(
                    f"{added:,} {kind}(s) added, {present:,} already present"
                    + (f", {updated:,} updated" if updated else "")
                )
        for kind, names in (("relation types", self.relation_types_created), ("attributes", self.attributes_created)):
            if names:
                parts.append(f"new {kind}: {', '.join(names)}" if len(names) <= 8 else f"{len(names)} new {kind}")
        return parts

    def _versions_summary(self) -> list[str]:
        """A clause per new version, or one for them all when there are many; then what
        moved onto newer versions besides."""
        added = [added for result in self.files for added in result.versions]
        if len(added) <= 3:
            parts = [f"version {one.version} of {one.title!r}: {one.report.summary()}" for one in added]
        else:
            from .version_moves import SettleReport

            total = SettleReport()
            for one in added:
                total.extend(one.report)
            parts = [f"{len(added):,} new versions: {total.summary()}"]
        moved = [result.moved for result in self.files if result.moved is not None and result.moved.moved]
        if moved:
            spans = sum(len(report.moved) for report in moved)
            parts.append(f"{spans:,} span(s) given for older versions moved onto the newest")
        return parts

    def summary(self) -> str:
        """One line: what was added, what was there already, what went wrong."""
        parts = [
            f"{len(self.files):,} file(s) imported",
            f"{self.documents_added:,} document(s) added, {self.documents_present:,} already present",
            f"{self.spans_added:,} span(s) added, {self.spans_present:,} already present"
            + (f", {self.spans_updated:,} updated" if self.spans_updated else ""),
        ]
        labels = self.labels_created
        if labels:
            parts.append(
                f"new labels: {', '.join(labels)}" if len(labels) <= 8 else f"{len(labels)} new labels"
            )
        parts += self._links_summary()
        parts += self._versions_summary()
        if self.failed:
            parts.append(f"{len(self.failed):,} file(s) failed")
        if self.skipped:
            parts.append(f"{len(self.skipped):,} file(s) skipped")
        return "; ".join(parts)

@dataclass(slots=True)
class ImportUnit:
    path: Path
    format: str | None
    size: int

def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)

def _claimed(path: Path, forced: formats.Format | None) -> bool:
    if forced is not None:
        return formats.claims(forced, path)
    return any(formats.claims(formats.FORMATS[name], path) for name in formats.READABLE)

def _walk(root: Path, report: ImportReport) -> list[Path]:
    """Every file under ``root``, sorted, hidden folders left out. A folder that
    cannot be read is a failure, not a silent gap in the import."""

    def unreadable(error: OSError) -> None:
        report.failed.append(
            f"{error.filename}: cannot read this folder ({error.strerror or error}); nothing in it was imported"
        )

    found: list[Path] = []
    for folder, subfolders, files in os.walk(root, onerror=unreadable):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found.extend(Path(folder, name) for name in files)
    return sorted(found)


def plan_imports(paths: Iterable[str | os.PathLike], forced: formats.Format | None, report: ImportReport) -> list[ImportUnit]:
    """The files to import, in order; directories are walked (sorted, hidden files
    left out), brat pairs count once, and files no format claims are skipped."""
    units: list[ImportUnit] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        brat_pair = (forced is None or forced.name == "brat") and (
            path.suffix.lower() == ".ann"
            or (path.suffix.lower() == ".txt" and path.with_suffix(".ann").exists())
        )
        key = path.resolve().with_suffix("") if brat_pair else path.resolve()
        if key in seen:
            return
        if brat_pair and path.suffix.lower() == ".ann" and path.with_suffix(".txt").exists():
            path = path.with_suffix(".txt")
        seen.add(key)
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        units.append(ImportUnit(path, forced.name if forced else None, size))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in _walk(path, report):
                if not child.is_file() or _is_hidden(child, path) or formats.is_brat_config(child):
                    continue
                if _claimed(child, forced):
                    add(child)
                else:
                    report.skipped.append(str(child))
        elif path.exists():
            add(path)
        else:
            report.failed.append(f"{path}: no such file or directory")
    return units
