-- entity_daily_counts: per entity and report day, how many documents mention it and how often.
CREATE OR REPLACE VIEW entity_daily_counts AS
SELECT
    coalesce(d.published_at, d.load_date) AS report_date,
    m.entity_id,
    e.name,
    e.label,
    count(DISTINCT m.doc_id) AS n_documents,
    count(*) AS n_mentions
FROM entity_mentions AS m
JOIN documents AS d ON d.doc_id = m.doc_id
JOIN entities AS e ON e.entity_id = m.entity_id
GROUP BY coalesce(d.published_at, d.load_date), m.entity_id, e.name, e.label;
