"""Ingest stage: find input files, decode them, validate metadata, yield articles or refusals.

`discover_sources` lists the inputs under a source folder; `read_articles` turns one input into
`Article` records (or `Quarantined` ones with a precise reason) in bounded memory.
"""

from etl.stages.ingest.decode import DecodeError, decode_text
from etl.stages.ingest.discover import discover_sources
from etl.stages.ingest.metadata import MetadataError, load_metadata
from etl.stages.ingest.readers import read_articles

__all__ = [
    "DecodeError",
    "MetadataError",
    "decode_text",
    "discover_sources",
    "load_metadata",
    "read_articles",
]
