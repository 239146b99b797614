-- event_details: every extracted event with participants' names and countries, its report and
-- its sentence (the rows of the event_facts() macro).
CREATE OR REPLACE VIEW event_details AS
SELECT * FROM event_facts();
