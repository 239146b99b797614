-- Mentions of one chunk of documents (doc_id in ($after, $through]), in document and text order.
-- Resolution reads spaCy's label: ``label`` holds the label of the last resolution.
SELECT mention_id, doc_id, start_char, end_char, text, coalesce(spacy_label, label) AS label,
       antecedent_mention_id
FROM entity_mentions
WHERE doc_id > $after AND doc_id <= $through
ORDER BY doc_id, start_char, end_char, mention_id;
