"""The pure pipeline stages, in the order a document passes through them.

ingest (files -> articles) -> normalize (degraded wire copy -> restored text) -> nlp (spaCy) ->
extract (sentences, mentions, dates, events) -> resolve (entities and event clusters across
documents). ``document.extract_document`` runs normalize -> nlp -> extract for one article; the
pipeline, the evaluation commands and the benchmarks all call it. No stage touches storage.
"""
