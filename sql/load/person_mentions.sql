-- Every PERSON mention: entity resolution links full person names across the whole warehouse
-- before it reads the documents chunk by chunk.
SELECT mention_id, doc_id, start_char, end_char, text, coalesce(spacy_label, label) AS label,
       antecedent_mention_id
FROM entity_mentions
WHERE coalesce(spacy_label, label) = 'PERSON' AND antecedent_mention_id IS NULL;
