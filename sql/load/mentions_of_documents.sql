-- Mentions of the documents $doc_ids, as mentions_for_resolution.sql reads them.
SELECT mention_id, doc_id, start_char, end_char, text, coalesce(spacy_label, label) AS label,
       antecedent_mention_id, demonym_use, sentence_idx
FROM entity_mentions
WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
ORDER BY doc_id, start_char, end_char, mention_id;
