"""Finding the input files under a source folder, deterministically and without escaping it.

Every ``*.txt`` and ``*.jsonl`` file (suffix matched case-insensitively) under the folder is an
input; other files (READMEs, ``.meta.json`` sidecars, images not named ``*.txt``) are ignored,
and hidden files and folders (name starting with ``.``) are skipped. Symlinks are followed only
when they resolve inside the source folder; one that points outside is refused, so a planted link
cannot make the pipeline read ``/etc/passwd``. A FIFO or device named ``*.txt`` is refused here,
before anything tries to read it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from etl.records import Quarantined, SourceFile
from etl.stages.ingest.files import file_kind, printable
from etl.stages.ingest.metadata import METADATA_SUFFIX

SourceKind = Literal["txt", "jsonl"]
OUTSIDE_REASON = "refused: symlink points outside the source folder"


@dataclass(frozen=True)
class _Found:
    """An input or a refusal, with the relative POSIX path it sorts by."""

    relative: str
    record: SourceFile | Quarantined
    via_symlink: bool = False


def source_kind(name: str) -> SourceKind | None:
    """The input kind a file name denotes, or None if the file is not an input."""
    lowered = name.lower()
    if lowered.endswith(".jsonl"):
        return "jsonl"
    if lowered.endswith(".txt"):
        return "txt"
    return None


def discover_sources(source_dir: Path) -> tuple[list[SourceFile], list[Quarantined]]:
    """All inputs under ``source_dir`` and the refused entries, both sorted by relative path.

    ``source_uri`` is the file's resolved absolute path as a ``file://`` URI. Raises
    `FileNotFoundError` / `NotADirectoryError` / `PermissionError` with a one-line message when
    the folder itself is missing, not a folder, or cannot be listed.
    """
    root = _checked_root(source_dir)
    found: list[_Found] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = [entry for entry in listing if not entry.name.startswith(".")]
        except OSError as error:
            if folder == root:
                raise PermissionError(
                    f"cannot list source folder {printable(str(root))}: {error.strerror}"
                ) from None
            reason = f"cannot list folder: {error.strerror or error}"
            found.append(_Found(_relative(root, folder), Quarantined(folder.as_uri(), reason)))
            continue
        names = {entry.name: entry for entry in entries}
        for entry in entries:
            subfolder = _visit(root, entry, names, found)
            if subfolder is not None:
                pending.append(subfolder)
    return _sorted_and_deduplicated(found)


def _checked_root(source_dir: Path) -> Path:
    shown = printable(str(source_dir))
    if not source_dir.exists():
        raise FileNotFoundError(f"source folder not found: {shown}")
    if not source_dir.is_dir():
        raise NotADirectoryError(f"source is not a folder: {shown}")
    return source_dir.resolve()


def _visit(
    root: Path, entry: os.DirEntry, siblings: dict[str, os.DirEntry], found: list[_Found]
) -> Path | None:
    """Record what one directory entry contributes; return it if it is a folder to descend."""
    path = Path(entry.path)
    relative = _relative(root, path)
    kind = source_kind(entry.name)
    if entry.is_symlink():
        _visit_symlink(root, path, relative, kind, found)
        return None
    if entry.is_dir(follow_symlinks=False):
        return path
    if kind is None:
        return None
    if not entry.is_file(follow_symlinks=False):
        reason = f"not a regular file: {file_kind(entry.stat(follow_symlinks=False).st_mode)}"
        found.append(_Found(relative, Quarantined(path.as_uri(), reason)))
        return None
    refusal = _sidecar_refusal(root, entry.name, kind, siblings)
    if refusal is not None:
        found.append(_Found(relative, Quarantined(path.as_uri(), refusal)))
        return None
    found.append(_Found(relative, SourceFile(path=path, source_uri=path.as_uri(), kind=kind)))
    return None


def _visit_symlink(
    root: Path, link: Path, relative: str, kind: SourceKind | None, found: list[_Found]
) -> None:
    """Accept a symlinked input that stays inside the root; refuse links that leave it.

    A symlinked folder inside the root is not descended: its files are reached by their real
    path, and not following folder links rules out cycles.
    """
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        if kind is not None:
            found.append(_Found(relative, Quarantined(link.as_uri(), "broken symlink")))
        return
    except (OSError, RuntimeError):
        found.append(_Found(relative, Quarantined(link.as_uri(), "refused: symlink loop")))
        return
    if not target.is_relative_to(root):
        if kind is not None or target.is_dir():
            reason = f"{OUTSIDE_REASON} (to {printable(str(target))})"
            found.append(_Found(relative, Quarantined(link.as_uri(), reason)))
        return
    if kind is None or target.is_dir():
        return
    if not target.is_file():
        reason = f"not a regular file: {file_kind(target.stat().st_mode)}"
        found.append(_Found(relative, Quarantined(link.as_uri(), reason)))
        return
    record = SourceFile(path=link, source_uri=target.as_uri(), kind=kind)
    found.append(_Found(relative, record, via_symlink=True))


def _sidecar_refusal(
    root: Path, name: str, kind: SourceKind, siblings: dict[str, os.DirEntry]
) -> str | None:
    """Refuse a ``.txt`` whose ``.meta.json`` sidecar is a symlink leading outside the root."""
    if kind != "txt":
        return None
    sidecar = siblings.get(name[: -len(".txt")] + METADATA_SUFFIX)
    if sidecar is None or not sidecar.is_symlink():
        return None
    try:
        target = Path(sidecar.path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None  # broken: reading the sidecar reports it precisely
    if target.is_relative_to(root):
        return None
    return f"refused: {printable(sidecar.name)} is a symlink pointing outside the source folder"


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _sorted_and_deduplicated(
    found: list[_Found],
) -> tuple[list[SourceFile], list[Quarantined]]:
    """Sort by relative path; a file reached both directly and via symlinks is read once."""
    found.sort(key=lambda item: (item.relative, item.via_symlink))
    sources: dict[str, SourceFile] = {}
    by_real_path_first = sorted(found, key=lambda item: item.via_symlink)
    for item in by_real_path_first:
        if isinstance(item.record, SourceFile):
            sources.setdefault(item.record.source_uri, item.record)
    kept = {id(record) for record in sources.values()}
    ordered_sources = [
        item.record
        for item in found
        if isinstance(item.record, SourceFile) and id(item.record) in kept
    ]
    quarantined = [item.record for item in found if isinstance(item.record, Quarantined)]
    return ordered_sources, quarantined
