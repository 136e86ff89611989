-- Entry point of the demo database (make run, make test):
--   psql -X -v ON_ERROR_STOP=1 -v scale=1 -d gdpr_demo -f sql/demo/load.sql
-- Schema, deterministic data (scale defaults to 1), the personal-data tags,
-- then the demo masking policies and proxy users.
\set ON_ERROR_STOP on
\ir schema.sql
\ir generate.sql
\ir tags.sql
\ir policies.sql
