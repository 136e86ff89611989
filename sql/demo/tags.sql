-- Personal-data tags of the demo schema (SECURITY LABEL FOR gdpr ...) and the
-- table options (erase, retention): the tag list of DESIGN.md, exactly.
-- Loaded last by load.sql, after schema.sql and generate.sql, into a database
-- where CREATE EXTENSION gdpr has run. Label grammar: docs/dba/tagging.md.
-- (Demo policies and users are defined by their own rooms' scripts.)

-- contacts: the customers, the data subjects of the call centre.
SECURITY LABEL FOR gdpr ON COLUMN contacts.name    IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN contacts.email   IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN contacts.phone   IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN contacts.address IS 'address';
SECURITY LABEL FOR gdpr ON TABLE  contacts         IS 'erase=delete';

-- agents: staff are data subjects too.
SECURITY LABEL FOR gdpr ON COLUMN agents.name  IS 'name';
SECURITY LABEL FOR gdpr ON COLUMN agents.email IS 'email; subject';
SECURITY LABEL FOR gdpr ON TABLE  agents       IS 'erase=delete';

-- calls: billing keeps duration and cost, so erasure anonymises; kept 2 years.
SECURITY LABEL FOR gdpr ON COLUMN calls.caller     IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.callee     IS 'phone; subject';
SECURITY LABEL FOR gdpr ON COLUMN calls.transcript IS 'free_text';
SECURITY LABEL FOR gdpr ON TABLE  calls            IS 'erase=anonymize; retention=2 years; retention_column=started_at';

-- recordings: deleted on erasure; kept 90 days.
SECURITY LABEL FOR gdpr ON COLUMN recordings.audio IS 'recording';
SECURITY LABEL FOR gdpr ON TABLE  recordings       IS 'erase=delete; retention=90 days; retention_column=created_at';

-- tickets and their messages (helpdesk).
SECURITY LABEL FOR gdpr ON COLUMN tickets.requester_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN tickets.subject         IS 'free_text';
SECURITY LABEL FOR gdpr ON TABLE  tickets                 IS 'erase=delete';

SECURITY LABEL FOR gdpr ON COLUMN ticket_messages.author_email IS 'email; subject';
SECURITY LABEL FOR gdpr ON COLUMN ticket_messages.body         IS 'free_text';
SECURITY LABEL FOR gdpr ON TABLE  ticket_messages              IS 'erase=delete';
