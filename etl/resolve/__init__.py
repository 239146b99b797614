"""Entity resolution and event clustering: mentions -> entities, event mentions -> events."""

from etl.resolve.clusters import cluster_events
from etl.resolve.entities import EntityResolution, resolve_entities

__all__ = ["EntityResolution", "cluster_events", "resolve_entities"]
