-- Demo masking policies and proxy users (DESIGN.md, "the demo schema").
-- Runs after tags.sql: rules name tagged columns. Loaded once into a fresh
-- database, like the rest of the demo. Passwords equal user names: demo only.
--
-- Every tagged column a policy gives no rule gets its category's default
-- mask (docs/dba/policies.md); the rules below spell out what each job needs.

-- Call-centre agents: recognise the caller, never see full numbers, mail
-- addresses or what people wrote, never hear a recording.
SELECT gdpr_policy_create('agent');
SELECT gdpr_policy_rule('agent', column_name, rule)
FROM (VALUES ('contacts.phone', 'partial'), ('calls.caller', 'partial'), ('calls.callee', 'partial'),
             ('contacts.email', 'partial'), ('agents.email', 'partial'), ('tickets.requester_email', 'partial'),
             ('ticket_messages.author_email', 'partial'),
             ('calls.transcript', 'redact'), ('tickets.subject', 'redact'), ('ticket_messages.body', 'redact'),
             ('recordings.audio', 'null')) AS r(column_name, rule);

-- Billing: phone numbers and names as they are (invoices need them), no
-- conversation content at all.
SELECT gdpr_policy_create('billing');
SELECT gdpr_policy_rule('billing', column_name, rule)
FROM (VALUES ('contacts.phone', 'keep'), ('calls.caller', 'keep'), ('calls.callee', 'keep'),
             ('contacts.name', 'keep'), ('agents.name', 'keep'),
             ('calls.transcript', 'null'), ('tickets.subject', 'null'), ('ticket_messages.body', 'null'),
             ('recordings.audio', 'null')) AS r(column_name, rule);

-- Supervisors see everything (unmasked: the proxy passes their statements through).
SELECT gdpr_policy_create('supervisor', default_rule => 'keep');

-- The data-protection officer sees everything and may run subject requests
-- (find, export, erase, access reports): its backend role is in gdpr_dpo.
SELECT gdpr_policy_create('dpo', default_rule => 'keep', may_run_subject_requests => true);

SELECT gdpr_user_add('anna', 'agent', 'anna');
SELECT gdpr_user_add('boris', 'billing', 'boris');
SELECT gdpr_user_add('carla', 'supervisor', 'carla');
SELECT gdpr_user_add('dora', 'dpo', 'dora');
