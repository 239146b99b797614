"""Entity resolution and event clustering: mentions -> entities, event mentions -> events."""

from etl.stages.resolve.clusters import cluster_events
from etl.stages.resolve.entities import (
    EntityResolution,
    full_person_name_keys,
    resolve_entities,
    resolve_in_chunks,
    table_rows,
)

__all__ = [
    "EntityResolution",
    "cluster_events",
    "full_person_name_keys",
    "resolve_entities",
    "resolve_in_chunks",
    "table_rows",
]
