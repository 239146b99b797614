-- Question: what happened between Kyrgyzstan (KGZ) and Kazakhstan (KAZ) in September 2017?
-- Uses the events_between(country_a, country_b, date_from, date_to) macro: events whose actor
-- and recipient belong one to each country, in either direction.
SELECT event_day, event_type, actor_name, recipient_name, trigger_text, publisher, cluster_id
FROM events_between('KGZ', 'KAZ', '2017-09-01', '2017-09-30')
ORDER BY event_day, event_type, publisher, actor_name, trigger_text;
