"""Incremental entity resolution: re-resolve only the documents a run touches, with the ids,
rows and counts a full resolution of the whole warehouse would give.

Entity resolution (``etl.stages.resolve.entities``) has one document-local pass (a document's
mentions -> groups) and one corpus-wide input: ``PersonNames``, built from the set of full person
names of all documents. An entity's row and aliases are sums over the groups that map to it. So
the change a run makes can be computed exactly from a few documents:

* the **new** documents (added, under the new person names) and the **superseded** ones
  (subtracted, under the old person names);
* the documents whose groups map differently because the person names changed (**relinked**):
  a group's entity reads the person names only through its key (the anchor of a full name, the
  owners of a surname or of a lone given name), so the documents holding a group key whose
  answer changed are found in ``resolution_keys`` (role ``root``) and moved: subtracted under
  the old names, added under the new;
* every other document maps exactly as before (its groups and their answers are unchanged).

The state this needs lives in three warehouse tables: ``resolution_keys`` (each document's full
person names, role ``full_name``, whose union is the corpus's set; and its group keys, role
``root``), ``person_names`` (that set, each name with its anchor: linking is not redone over
every name each run, only over the names that share a block with a name the run adds or
removes, which gives the same anchors; see ``person_name_blocks``) and ``entity_tallies`` (each
entity's kind and anchor and the counts its name, label and country are chosen from; aliases
and mention counts are in ``entity_aliases`` and ``entities``). An entity's new row is its
stored counts plus and minus the run's contributions, described by the same code a full
resolution uses; an entity left with no mention is deleted.
A warehouse without this state (an older release) is resolved in full once, which fills it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice, repeat
from operator import itemgetter
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import Connection

from etl import schema
from etl.ids import stable_id
from etl.runtime.forked import map_forked_in_two_steps
from etl.settings import available_cores
from etl.stages.resolve.entities import (
    EntityResolution,
    Group,
    NameMatching,
    PersonNames,
    _build_tables,
    _documents_of_chunk,
    _EntityTally,
    _group_document,
    _link_person_names,
    document_full_person_names,
    document_names,
    document_texts,
    full_person_name_keys,
    person_name_blocks,
    table_rows,
)
from etl.storage.warehouse import load

# Group kinds whose entity never depends on the corpus's person names.
_CORPUS_FREE_KINDS = frozenset({"country", "place"})
_COUNTERS = ("surfaces", "labels", "title_countries", "group_isos")
# Mentions of several documents whose groups a run's resolution may hold at once (see
# _names_and_documents); more are streamed instead.
MAX_HELD_MENTIONS = 300_000
# Mentions a forked process groups and tallies at least (see _new_documents): a night's few
# thousand stay in one process, whose fork would set the night's memory peak for a second's
# gain; a first run's hundred thousand (2,000 documents) are split.
MIN_MENTIONS_PER_PROCESS = 30_000
EntityKey = tuple[str, str]


@dataclass
class ResolutionScope:
    """The documents one run re-resolves, and how."""

    new_doc_ids: list[str]
    removed_doc_ids: list[str]
    relinked_doc_ids: list[str] = field(default_factory=list)

    @property
    def resolved_doc_ids(self) -> list[str]:
        """Documents whose mentions get their entity from this run's resolution."""
        return sorted({*self.new_doc_ids, *self.relinked_doc_ids})


@dataclass
class ResolutionChange:
    """What a run changes: the rows of the entities it touched (absent: deleted), the entity of
    every mention of the re-resolved documents, the new documents' key rows and the rows of
    the person names it relinked (absent: no document holds the name any more)."""

    resolution: EntityResolution
    tallies: pa.Table
    touched_entity_ids: list[str]
    resolution_keys: pa.Table
    resolved_doc_ids: list[str]
    person_names: pa.Table
    relinked_names: list[str]


@dataclass
class NameLinks:
    """The corpus's person names before and after a run, and the ``person_names`` rows it
    replaces (``relinked``: the names whose row goes; ``rows``: the new rows)."""

    old: PersonNames
    new: PersonNames
    relinked: list[str]
    rows: pa.Table


def _root(group: Group) -> Group:
    while group.parent is not None:
        group = group.parent
    return group


@dataclass
class _Document:
    doc_id: str
    text: str
    groups: list[Group]
    full_names: Counter = field(default_factory=Counter)  # counted only when asked for


def _documents(
    chunks: Iterable[tuple[pa.Table, pa.Table]], with_full_names: bool = False
) -> Iterator[_Document]:
    """Every document of the chunks that has mentions, with its groups (pass 1) and, with
    ``with_full_names``, its full person names counted from the same mentions."""
    for mentions, documents in chunks:
        for doc_id, text, doc_mentions in _documents_of_chunk(mentions, documents):
            # the names as the headline reads them, read once for the groups and the full names
            names = document_names(doc_mentions, text)
            groups = _group_document(doc_id, doc_mentions, text, names)
            full_names = (
                document_full_person_names(doc_mentions, text, names) if with_full_names else None
            )
            yield _Document(doc_id, text, groups, full_names or Counter())


def _taken_one_by_one(documents: Iterable[_Document]) -> Iterator[_Document]:
    """The documents in order, each dropped from a list of them as it is taken, so that its
    groups are freed once it has been tallied."""
    if not isinstance(documents, list):
        yield from documents
        return
    documents.reverse()
    while documents:
        yield documents.pop()


def _key_rows(
    doc_id: str, groups: list[Group], full_names: Iterable[str]
) -> tuple[list[str], list[str], list[str]]:
    """A document's ``resolution_keys`` rows, as (doc_id, role, key) columns."""
    roots = {root.key for root in map(_root, groups) if root.kind not in _CORPUS_FREE_KINDS}
    full_name_keys, root_keys = sorted(full_names), sorted(roots)
    roles = ["full_name"] * len(full_name_keys) + ["root"] * len(root_keys)
    return [doc_id] * len(roles), roles, full_name_keys + root_keys


def _tally(
    document: _Document, persons: PersonNames, tallies: dict[EntityKey, _EntityTally]
) -> tuple[list[str], list[str]]:
    """Add one document's groups to ``tallies`` (as ``resolve_in_chunks`` does); returns its
    (mention ids, entity ids)."""
    mention_ids: list[str] = []
    entity_ids: list[str] = []
    for group in document.groups:
        entity_key = persons.entity_key(_root(group))
        tally = tallies.get(entity_key)
        if tally is None:
            tally = tallies[entity_key] = _EntityTally(stable_id("entity", *entity_key))
        tally.add_group(group, document.text, is_person=entity_key[0] == "person")
        mention_ids.extend([mention.mention_id for mention in group.mentions])
        entity_ids.extend(repeat(tally.entity_id, len(group.mentions)))
    return mention_ids, entity_ids


def changed_keys(old: PersonNames, new: PersonNames) -> set[str]:
    """Group keys whose entity can differ between two sets of person names: full names whose
    anchor changed (or that appeared or vanished), and single words whose surname or given-name
    owners changed."""
    keys = {
        key
        for key in old.anchors.keys() | new.anchors.keys()
        if old.anchors.get(key) != new.anchors.get(key)
    }
    for old_owners, new_owners in (
        (old.surname_owners, new.surname_owners),
        (old.given_name_owners, new.given_name_owners),
    ):
        keys.update(
            word
            for word in old_owners.keys() | new_owners.keys()
            if old_owners.get(word) != new_owners.get(word)
        )
    return keys


def _stored_tallies(conn: Connection, entity_ids: Sequence[str]) -> dict[EntityKey, _EntityTally]:
    """The stored tallies of some entities, keyed by (kind, anchor)."""
    stored: dict[EntityKey, _EntityTally] = {}
    by_id: dict[str, _EntityTally] = {}
    for row in load.entity_tallies(conn, entity_ids).to_pylist():
        tally = _EntityTally(
            row["entity_id"], n_mentions=row["n_mentions"], n_documents=row["n_documents"]
        )
        for counter in _COUNTERS:
            getattr(tally, counter).update(json.loads(row[counter]))
        stored[(row["kind"], row["anchor"])] = by_id[row["entity_id"]] = tally
    for row in load.entity_alias_counts(conn, entity_ids).to_pylist():
        by_id[row["entity_id"]].aliases[row["alias"]] = row["n_mentions"]
    return stored


def _combine(total: _EntityTally, added: _EntityTally | None, removed: _EntityTally | None) -> None:
    for part, sign in ((added, 1), (removed, -1)):
        if part is None:
            continue
        total.n_mentions += sign * part.n_mentions
        total.n_documents += sign * part.n_documents
        for counter in (*_COUNTERS, "aliases"):
            counts: Counter = getattr(total, counter)
            counts.update({value: sign * n for value, n in getattr(part, counter).items()})
    for counter in (*_COUNTERS, "aliases"):
        counts = getattr(total, counter)
        for value in [value for value, n in counts.items() if n <= 0]:
            del counts[value]


def _tally_rows(tallies: dict[EntityKey, _EntityTally]) -> pa.Table:
    rows = [
        {
            "entity_id": tally.entity_id,
            "kind": kind,
            "anchor": anchor,
            **{
                counter: json.dumps(
                    {value: n for value, n in getattr(tally, counter).items() if value is not None},
                    sort_keys=True,
                    ensure_ascii=False,
                )
                for counter in _COUNTERS
            },
        }
        for (kind, anchor), tally in sorted(tallies.items())
    ]
    return pa.Table.from_pylist(rows, schema=schema.ENTITY_TALLIES)


def _full_names_of_chunks(
    doc_ids: list[str], chunks: Iterable[tuple[pa.Table, pa.Table]]
) -> dict[str, set[str]]:
    """Each document's full person names, read from its PERSON mentions in ``chunks``."""
    names: dict[str, set[str]] = {doc_id: set() for doc_id in doc_ids}
    for mentions, documents in chunks:
        texts = document_texts(documents)
        # Streamed, a document's rows at a time (they come in document order): a 50 MB
        # document's 900,000 mention rows held as dicts took a gigabyte.
        for doc_id, rows in groupby(table_rows(mentions), key=itemgetter("doc_id")):
            names[doc_id] = full_person_name_keys(rows, texts)
    return names


def _full_names_by_document(
    conn: Connection, doc_ids: list[str], docs_per_chunk: int
) -> dict[str, set[str]]:
    """Each document's full person names, read from its PERSON mentions."""
    chunks = load.documents_for_resolution_of(conn, doc_ids, docs_per_chunk)
    return _full_names_of_chunks(doc_ids, chunks)


def _held_chunks(
    conn: Connection, doc_ids: list[str], docs_per_chunk: int
) -> list[tuple[pa.Table, pa.Table]] | None:
    """The mentions and texts of the documents ``doc_ids`` as one list of chunks, when they are
    one chunk of at most ``MAX_HELD_MENTIONS`` or one document (None otherwise: they are
    grouped as they stream by). A single document is held whatever its size: grouping it later
    would hold as much."""
    if len(doc_ids) > docs_per_chunk:
        return None
    chunks = list(load.documents_for_resolution_of(conn, doc_ids, docs_per_chunk))
    n_mentions = sum(mentions.num_rows for mentions, _ in chunks)
    if n_mentions > MAX_HELD_MENTIONS and len(doc_ids) > 1:
        return None
    return chunks


def _slices(
    chunks: list[tuple[pa.Table, pa.Table]], processes: int
) -> list[list[tuple[pa.Table, pa.Table]]]:
    """Held chunks cut into up to ``processes`` slices of whole documents, in document order,
    with about as many mentions each (at least ``MIN_MENTIONS_PER_PROCESS``)."""
    counts: Counter = Counter()
    for mentions, _ in chunks:
        counts.update(mentions.column("doc_id").to_pylist())
    total = sum(counts.values())
    n_slices = max(1, min(processes, total // MIN_MENTIONS_PER_PROCESS, len(counts)))
    if n_slices == 1:
        return [chunks]
    groups: list[list[str]] = [[] for _ in range(n_slices)]
    seen = 0
    for doc_id in sorted(counts):
        groups[min(n_slices - 1, seen * n_slices // total)].append(doc_id)
        seen += counts[doc_id]
    sliced = []
    for group in groups:
        wanted = pa.array(group, pa.string())
        sliced.append(
            [
                (
                    mentions.filter(pc.is_in(mentions.column("doc_id"), value_set=wanted)),
                    documents.filter(pc.is_in(documents.column("doc_id"), value_set=wanted)),
                )
                for mentions, documents in chunks
            ]
        )
    return sliced


class _Mapped(NamedTuple):
    """What tallying some documents gives: the entities' tallies, each mention's entity and
    the documents' ``resolution_keys`` rows."""

    tallies: dict[EntityKey, _EntityTally]
    mention_entities: list[pa.Table]
    key_rows: list[pa.Table]


def _tally_documents(
    documents: Iterable[_Document], persons: PersonNames, full_names: Mapping[str, Iterable[str]]
) -> _Mapped:
    """Tally the new documents under ``persons`` (each one's groups freed once tallied);
    ``full_names``: each one's full person names, for its key rows."""
    tallies: dict[EntityKey, _EntityTally] = {}
    mapped = _Columns(schema.MENTION_ENTITIES)
    key_rows = _Columns(schema.RESOLUTION_KEYS)
    for document in _taken_one_by_one(documents):
        mapped.extend_columns(*_tally(document, persons, tallies))
        key_rows.extend_columns(
            *_key_rows(document.doc_id, document.groups, full_names[document.doc_id])
        )
    # The last document's groups (a 50 MB article's 900,000 mentions) go before the tables
    # are built.
    document = documents = None
    return _Mapped(tallies, [mapped.table()], [key_rows.table()])


def _add_tallies(total: _Mapped, more: _Mapped) -> None:
    """Add another set of documents' tallies and rows to ``total`` (no document in both)."""
    for entity_key, tally in more.tallies.items():
        kept = total.tallies.setdefault(entity_key, tally)
        if kept is tally:
            continue
        _combine(kept, tally, None)
        # the later slice's documents come after: a document read next is counted against it
        kept.last_doc_id = tally.last_doc_id
    total.mention_entities.extend(more.mention_entities)
    total.key_rows.extend(more.key_rows)


def _new_documents(
    conn: Connection, new: list[str], removed: list[str], docs_per_chunk: int
) -> tuple[NameLinks, _Mapped]:
    """The person names after the run and the new documents' tallies and rows under them.

    Held (see ``_held_chunks``), the documents are grouped once, their full names counted as
    they are, and with enough mentions the work is split across the cores: each process groups
    a slice of the documents, the names of all are linked here, then each process tallies its
    slice under them (a first run commits after parsing, when the other cores are idle).
    Otherwise their names are read first and the documents grouped as they stream by."""
    chunks = _held_chunks(conn, new, docs_per_chunk)
    if chunks is None:
        new_full_names = _full_names_by_document(conn, new, docs_per_chunk)
        links = relink_person_names(conn, new_full_names, removed)
        streamed = _documents(load.documents_for_resolution_of(conn, new, docs_per_chunk))
        return links, _tally_documents(streamed, links.new, new_full_names)
    found: list[NameLinks] = []

    def group(slice_chunks: list[tuple[pa.Table, pa.Table]]):
        documents = list(_documents(slice_chunks, with_full_names=True))
        return documents, {document.doc_id: document.full_names for document in documents}

    def link(names_of_slices: list[dict[str, Counter]]) -> PersonNames:
        names: dict[str, Counter] = {doc_id: Counter() for doc_id in new}
        for slice_names in names_of_slices:
            names.update(slice_names)
        found.append(relink_person_names(conn, names, removed))
        return found[0].new

    def tally(documents: list[_Document], persons: PersonNames) -> _Mapped:
        full_names = {document.doc_id: document.full_names for document in documents}
        return _tally_documents(documents, persons, full_names)

    slices = _slices(chunks, available_cores())
    del chunks
    parts = map_forked_in_two_steps(group, link, tally, slices, len(slices))
    for part in parts[1:]:
        _add_tallies(parts[0], part)
    return found[0], parts[0]


class _Columns:
    """Rows gathered a document at a time, kept as Arrow tables (memory: one table per block)."""

    def __init__(self, table_schema: pa.Schema, block_rows: int = 65_536) -> None:
        self.schema, self.block_rows = table_schema, block_rows
        self.columns: list[list] = [[] for _ in table_schema.names]
        self.tables: list[pa.Table] = []

    def extend(self, rows: Iterable[dict]) -> None:
        # A block at a time: one document may bring 900,000 rows (a 50 MB article).
        rows = iter(rows)
        while block := list(islice(rows, self.block_rows)):
            self.extend_columns(*([row[name] for row in block] for name in self.schema.names))

    def extend_columns(self, *columns: Sequence) -> None:
        """Add rows given as one sequence a column (in the schema's order, of one length):
        no dict a row."""
        start, n_rows = 0, len(columns[0])
        while start < n_rows:
            end = min(n_rows, start + self.block_rows - len(self.columns[0]))
            for held, column in zip(self.columns, columns, strict=True):
                held.extend(column[start:end])
            start = end
            if len(self.columns[0]) >= self.block_rows:
                self.tables.append(self._held_table())

    def _held_table(self) -> pa.Table:
        arrays = [
            pa.array(column, type=column_type)
            for column, column_type in zip(self.columns, self.schema.types, strict=True)
        ]
        self.columns = [[] for _ in self.schema.names]
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def table(self) -> pa.Table:
        return pa.concat_tables([*self.tables, self._held_table()])


def _name_rows(keys: Iterable[str], anchors: dict[str, str], blocks: dict) -> pa.Table:
    rows = [
        {
            "key": key,
            "anchor": anchors[key],
            "name_block": blocks[key][0],
            "surname_block": blocks[key][1],
        }
        for key in sorted(keys)
    ]
    return pa.Table.from_pylist(rows, schema=schema.PERSON_NAMES)


def _sharing_a_block(seeds: Iterable[str], keys: Iterable[str], blocks: dict) -> set[str]:
    """Every key of ``keys`` reachable from the blocks of ``seeds`` through shared blocks."""
    members: dict[tuple[int, str], list[str]] = {}
    for key in keys:
        for tagged in enumerate(blocks[key]):
            members.setdefault(tagged, []).append(key)
    pending = [tagged for seed in seeds for tagged in enumerate(blocks[seed])]
    seen_blocks: set[tuple[int, str]] = set()
    reached: set[str] = set()
    while pending:
        tagged = pending.pop()
        if tagged in seen_blocks:
            continue
        seen_blocks.add(tagged)
        for key in members.get(tagged, ()):
            if key not in reached:
                reached.add(key)
                pending.extend(enumerate(blocks[key]))
    return reached


def relink_person_names(
    conn: Connection, new_full_names: dict[str, set[str]], removed: list[str]
) -> NameLinks:
    """The corpus's person names before and after a run adds the documents of
    ``new_full_names`` (each one's full person names) and removes ``removed``: the stored
    links, with only the names that share a block with an added or vanished name linked again
    (the anchors a linking of every name gives). A warehouse whose resolution state predates
    ``person_names`` has its names linked in full once."""
    matching = NameMatching.learned()
    stored = load.person_names(conn).to_pylist()
    anchors = {row["key"]: row["anchor"] for row in stored}
    blocks = {row["key"]: (row["name_block"], row["surname_block"]) for row in stored}
    rewrite_all = not anchors and bool(known := load.person_name_keys(conn, []))
    if rewrite_all:
        anchors = _link_person_names(known, matching)
        blocks = {key: person_name_blocks(key) for key in anchors}
    old = PersonNames.from_anchors(anchors, matching=matching)
    incoming = set().union(*new_full_names.values())
    added = incoming - anchors.keys()
    leaving = set(load.full_names_of_documents(conn, removed)) - incoming
    excluded = [*removed, *new_full_names]
    vanished = leaving - set(load.full_names_held(conn, sorted(leaving), excluded))
    if not added and not vanished:
        rows = _name_rows(anchors if rewrite_all else (), anchors, blocks)
        return NameLinks(old, old, sorted(anchors) if rewrite_all else [], rows)
    blocks.update((key, person_name_blocks(key)) for key in added)
    keys = (anchors.keys() - vanished) | added
    relinked = _sharing_a_block(added | vanished, keys, blocks)
    new_anchors = {key: anchor for key, anchor in anchors.items() if key not in vanished}
    new_anchors.update(_link_person_names(sorted(relinked), matching))
    new = PersonNames.from_anchors(new_anchors, matching=matching)
    written = keys if rewrite_all else relinked
    return NameLinks(old, new, sorted(written | vanished), _name_rows(written, new_anchors, blocks))


def resolve_change(
    conn: Connection, scope: ResolutionScope, docs_per_chunk: int
) -> ResolutionChange:
    """The entity change of a run on a warehouse whose resolution state is complete (``scope``:
    its new and superseded documents, all still in the warehouse); fills
    ``scope.relinked_doc_ids``."""
    removed, new = scope.removed_doc_ids, scope.new_doc_ids
    links, new_mapped = _new_documents(conn, new, removed, docs_per_chunk)
    old_persons, new_persons = links.old, links.new
    scope.relinked_doc_ids = (
        []
        if old_persons is new_persons
        else load.documents_with_keys(
            conn, sorted(changed_keys(old_persons, new_persons)), [*removed, *new]
        )
    )

    added = new_mapped.tallies
    subtracted: dict[EntityKey, _EntityTally] = {}
    mapped = _Columns(schema.MENTION_ENTITIES)
    for document in _documents(load.documents_for_resolution_of(conn, removed, docs_per_chunk)):
        _tally(document, old_persons, subtracted)
    relinked = load.documents_for_resolution_of(conn, scope.relinked_doc_ids, docs_per_chunk)
    for document in _documents(relinked):
        _tally(document, old_persons, subtracted)
        mapped.extend_columns(*_tally(document, new_persons, added))
    document = None

    touched = sorted(added.keys() | subtracted.keys())
    touched_ids = [stable_id("entity", *entity_key) for entity_key in touched]
    stored = _stored_tallies(conn, touched_ids)
    tallies: dict[EntityKey, _EntityTally] = {}
    for entity_key, entity_id in zip(touched, touched_ids, strict=True):
        total = stored.get(entity_key) or _EntityTally(entity_id)
        _combine(total, added.get(entity_key), subtracted.get(entity_key))
        if total.n_mentions > 0:
            tallies[entity_key] = total
    return ResolutionChange(
        resolution=_build_tables(tallies, [*new_mapped.mention_entities, mapped.table()]),
        tallies=_tally_rows(tallies),
        touched_entity_ids=touched_ids,
        resolution_keys=pa.concat_tables(new_mapped.key_rows),
        resolved_doc_ids=scope.resolved_doc_ids,
        person_names=links.rows,
        relinked_names=links.relinked,
    )
