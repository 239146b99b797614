-- Every mention in the warehouse: global entity resolution works on all of them at once.
SELECT mention_id, doc_id, sentence_idx, start_char, end_char, raw_start_char, raw_end_char, text, label
FROM entity_mentions
ORDER BY mention_id;
