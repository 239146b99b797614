"""Extraction stage: sentences, entity mentions and events from a parsed spaCy Doc."""
