-- The one sales pipeline and its seven stages; deals copy label, probability and flags from here.
-- Parameters: see reps.sql ($1 organization id; the rest are unused but typed for uniformity).
WITH p AS NOT MATERIALIZED (
    SELECT $1::uuid AS org_id, $2::date AS anchor, $3::int AS n_reps, $4::int AS n_accounts,
           $5::int AS n_contacts, $6::int AS n_deals, $7::int AS n_activities
)
INSERT INTO pipeline_stages (organization_id, source_system, source_id, pipeline_id, pipeline_label, label,
                             display_order, probability, is_closed, is_won, custom_fields, synced_at)
SELECT p.org_id, 'demo', s.source_id, 'default', 'Sales Pipeline', s.label, s.display_order, s.probability,
       s.is_closed, s.is_won, jsonb_build_object('forecast_category', s.forecast_category), now()
FROM p,
     (VALUES ('prospecting', 'Prospecting', 1, 0.1, false, false, 'pipeline'),
             ('qualification', 'Qualification', 2, 0.2, false, false, 'pipeline'),
             ('discovery', 'Discovery', 3, 0.3, false, false, 'best_case'),
             ('proposal', 'Proposal', 4, 0.5, false, false, 'best_case'),
             ('negotiation', 'Negotiation', 5, 0.7, false, false, 'commit'),
             ('closedwon', 'Closed Won', 6, 1.0, true, true, 'closed'),
             ('closedlost', 'Closed Lost', 7, 0.0, true, false, 'omitted'))
         AS s (source_id, label, display_order, probability, is_closed, is_won, forecast_category)
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
SET pipeline_id = EXCLUDED.pipeline_id, pipeline_label = EXCLUDED.pipeline_label, label = EXCLUDED.label,
    display_order = EXCLUDED.display_order, probability = EXCLUDED.probability,
    is_closed = EXCLUDED.is_closed, is_won = EXCLUDED.is_won, custom_fields = EXCLUDED.custom_fields,
    synced_at = EXCLUDED.synced_at, deleted_at = NULL, updated_at = now()
WHERE (pipeline_stages.pipeline_id, pipeline_stages.pipeline_label, pipeline_stages.label,
       pipeline_stages.display_order, pipeline_stages.probability, pipeline_stages.is_closed,
       pipeline_stages.is_won, pipeline_stages.custom_fields, pipeline_stages.deleted_at)
      IS DISTINCT FROM (EXCLUDED.pipeline_id, EXCLUDED.pipeline_label, EXCLUDED.label, EXCLUDED.display_order,
                        EXCLUDED.probability, EXCLUDED.is_closed, EXCLUDED.is_won, EXCLUDED.custom_fields,
                        NULL::timestamptz)
