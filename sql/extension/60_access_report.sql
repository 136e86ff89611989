-- Access report: who has seen this person's data, when, which columns.
-- Built on the two mechanisms that already exist, never a third: the subject
-- matching of gdpr_find (which rows are hers) and the audit log's row-key
-- lookup gdpr.access_events_for_rows (which events touched those rows).
--
-- One line per audit event and row of hers it read or changed. An event that
-- could not name its rows (a statement whose key list was capped, see
-- docs/dba/audit.md) may have touched hers: it is listed once per relation
-- with row_key NULL and exact = false, because an investigator must see it.
CREATE FUNCTION gdpr_access_report(identifier text)
  RETURNS TABLE (at timestamptz, actor text, operation text, relation regclass, row_key jsonb, columns text[],
                 db_role text, application text, masked boolean, outcome text, exact boolean, event_id bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  PERFORM gdpr._subject_require_dpo();
  RETURN QUERY
    SELECT DISTINCT e.at, e.actor, e.operation, e.relation,
           CASE WHEN e.row_keys IS NOT NULL THEN h.row_key END,
           e.columns, e.db_role, e.application, e.masked, e.outcome,
           e.row_keys IS NOT NULL, e.id
      FROM @extschema@.gdpr_find(identifier) h
     CROSS JOIN LATERAL gdpr.access_events_for_rows(h.relation, ARRAY[h.row_key]) e
     ORDER BY 1, 12, 5;
END
$$;
COMMENT ON FUNCTION gdpr_access_report(text) IS
  'Who accessed the person''s rows (as gdpr_find finds them): when, which operation, which columns';
