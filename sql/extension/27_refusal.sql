-- gdpr_public.refusal: how gdpr-proxy makes the server refuse a statement
-- (extension/refusal/refusal_type.cpp). The proxy replaces a refused
-- statement with  SELECT $gdpr$message\nhint$gdpr$::gdpr_public.refusal ;
-- coercing the literal raises 42501 with that message while the statement is
-- analysed.
--
-- Its own schema, because the proxy's policy roles have no USAGE on schema
-- gdpr (whose functions are EXECUTE to PUBLIC unless revoked). gdpr_public
-- holds only what every role may use.
CREATE SCHEMA gdpr_public;
COMMENT ON SCHEMA gdpr_public IS 'Objects of the gdpr extension that every role may use';
GRANT USAGE ON SCHEMA gdpr_public TO PUBLIC;
CREATE TYPE gdpr_public.refusal;
CREATE FUNCTION gdpr_public.refusal_in(cstring) RETURNS gdpr_public.refusal
  LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'gdpr_refusal_in';
CREATE FUNCTION gdpr_public.refusal_out(gdpr_public.refusal) RETURNS cstring
  LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'gdpr_refusal_out';
CREATE TYPE gdpr_public.refusal (
  INPUT = gdpr_public.refusal_in, OUTPUT = gdpr_public.refusal_out,
  INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4
);
COMMENT ON TYPE gdpr_public.refusal IS 'Raises 42501 with its literal as the message: how gdpr-proxy refuses a statement';
GRANT USAGE ON TYPE gdpr_public.refusal TO PUBLIC;
