-- Every entity mention with the label resolution reads (spaCy's), for the ECB+ miss diagnostic
-- (python -m etl.evaluate.entity_misses); all columns, so warehouses of older releases work too.
SELECT *, coalesce(spacy_label, label) AS resolution_label
FROM entity_mentions
ORDER BY doc_id, start_char, mention_id;
