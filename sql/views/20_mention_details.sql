-- mention_details: every entity mention with its resolved entity, the report that carries it
-- and the sentence it occurs in.
CREATE OR REPLACE VIEW mention_details AS
SELECT
    m.mention_id,
    m.entity_id,
    e.name AS entity_name,
    e.label AS entity_label,
    e.country_code AS entity_country_code,
    m.text AS mention_text,
    m.label AS mention_label,
    m.doc_id,
    d.publisher,
    coalesce(d.published_at, d.load_date) AS report_date,
    d.title,
    m.sentence_idx,
    s.text AS sentence_text,
    m.start_char,
    m.end_char
FROM entity_mentions AS m
JOIN documents AS d ON d.doc_id = m.doc_id
LEFT JOIN entities AS e ON e.entity_id = m.entity_id
LEFT JOIN sentences AS s ON s.doc_id = m.doc_id AND s.sentence_idx = m.sentence_idx;
