"""newsetl: raw news articles -> queryable tables.

Stages: ingest -> normalize -> nlp -> extract -> resolve -> lake -> warehouse.
"""

__version__ = "0.1.0"
