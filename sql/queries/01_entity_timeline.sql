-- Question: when and where was Nazarbayev (under any spelling: Nazarbaev, Nursultan Nazarbayev,
-- ...) in the news, and in what role?
-- Uses the entity_timeline(name_or_alias) macro: one row per document mentioning the entity.
SELECT report_date, publisher, doc_id, entity_name, n_mentions, mention_forms, event_types
FROM entity_timeline('Nazarbayev')
ORDER BY report_date, publisher, doc_id;
