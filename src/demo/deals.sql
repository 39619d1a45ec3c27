-- Deals: about 30% open (numbers ending in 1, 2 or 3, which lets activities.sql pick open deals
-- arithmetically), the rest closed over the eight quarters before the anchor with a win rate
-- that moves with the quarter, the rep and the deal size. About a quarter of the open deals had
-- their close date pushed out; some of those were due this quarter and now close later.
-- Parameters: see reps.sql.
WITH p AS NOT MATERIALIZED (
    SELECT $1::uuid AS org_id, $2::date AS anchor, $3::int AS n_reps, $4::int AS n_accounts,
           $5::int AS n_contacts, $6::int AS n_deals, $7::int AS n_activities
),
-- Ascending ids for new rows: see activities.sql.
idp AS NOT MATERIALIZED (
    SELECT substr(h, 1, 12) || '8' || substr(h, 14, 3) || '8' AS prefix
    FROM p, md5(p.org_id::text || ':deals') AS h
),
q AS NOT MATERIALIZED (
    SELECT date_trunc('quarter', p.anchor)::date AS cq_start,
           (date_trunc('quarter', p.anchor) + interval '3 months')::date - 1 AS cq_end,
           (date_trunc('quarter', p.anchor) + interval '6 months')::date - 1 AS nq_end,
           extract(year FROM p.anchor)::int * 4 + extract(quarter FROM p.anchor)::int AS anchor_q
    FROM p
),
-- Repeated entries weight the draw: most deals are new business.
products AS (
    SELECT (ordinality - 1)::int AS i, x.product, x.deal_type, x.size_factor
    FROM unnest(ARRAY['Platform', 'Platform', 'Platform', 'Pilot', 'Analytics Add-on', 'Seat Expansion',
                      'Enterprise Upgrade', 'Data Connectors', 'Professional Services', 'Renewal', 'Renewal',
                      'Multi-year Renewal'],
                ARRAY['New Business', 'New Business', 'New Business', 'New Business', 'Expansion', 'Expansion',
                      'Expansion', 'Expansion', 'Expansion', 'Renewal', 'Renewal', 'Renewal'],
                ARRAY[1.0, 1.0, 1.0, 0.3, 0.5, 0.5, 0.8, 0.4, 0.25, 0.9, 0.9, 1.0])
         WITH ORDINALITY AS x (product, deal_type, size_factor)
),
g AS (
    SELECT n, n % 10 IN (1, 2, 3) AS is_open,
           1 + (hashtextextended('deal:' || n, 1) & 4294967295) % p.n_accounts AS account_no,
           (hashtextextended('deal:' || n, 2) & 4294967295)::float8 / 4294967296 AS u_owner,
           (hashtextextended('deal:' || n, 3) & 4294967295)::float8 / 4294967296 AS u_amount,
           (hashtextextended('deal:' || n, 4) & 4294967295) % 12 AS product_i,
           (hashtextextended('deal:' || n, 5) & 4294967295)::float8 / 4294967296 AS u_close,
           (hashtextextended('deal:' || n, 6) & 4294967295)::float8 / 4294967296 AS u_win,
           (hashtextextended('deal:' || n, 7) & 4294967295)::float8 / 4294967296 AS u_stage,
           (hashtextextended('deal:' || n, 8) & 4294967295)::float8 / 4294967296 AS u_slip,
           (hashtextextended('deal:' || n, 9) & 4294967295)::float8 / 4294967296 AS u_slip_date,
           (hashtextextended('deal:' || n, 10) & 4294967295)::float8 / 4294967296 AS u_cycle,
           (hashtextextended('deal:' || n, 11) & 4294967295)::float8 / 4294967296 AS u_updated,
           (hashtextextended('deal:' || n, 12) & 4294967295)::float8 / 4294967296 AS u_source,
           (hashtextextended('deal:' || n, 13) & 4294967295)::float8 / 4294967296 AS u_reason
    FROM p, generate_series(1, p.n_deals) AS n
    -- A fence: without it the planner copies each hash expression into every place that
    -- uses it, and recomputes it there.
    OFFSET 0
),
-- Account, owner (85% the account owner, else any rep), size and close date.
placed AS (
    SELECT g.*, a.id AS account_id, a.name AS account_name, pr.product, pr.deal_type,
           CASE WHEN g.u_owner < 0.85 THEN ao.source_id
                ELSE 'rep-' || lpad((1 + floor((g.u_owner - 0.85) / 0.15 * p.n_reps))::int::text, 3, '0')
           END AS owner_sid,
           -- 0 for a 5-person company, 1 for 50,000 people: bigger customers buy bigger deals.
           least(1.0, greatest(0.0, ln(a.employee_count / 5.0) / ln(10000.0))) AS size_frac,
           CASE WHEN g.is_open
                -- From a month overdue to the end of next quarter.
                THEN p.anchor - 30 + floor(g.u_close * (q.nq_end - p.anchor + 31))::int
                -- Closed over the last two years, more of them recently (the business grows).
                ELSE p.anchor - floor(730 * power(g.u_close, 1.25))::int
           END AS close_date,
           pr.size_factor
    FROM p CROSS JOIN q CROSS JOIN g
    JOIN products AS pr ON pr.i = g.product_i
    JOIN accounts AS a
      ON a.organization_id = p.org_id AND a.source_system = 'demo'
     AND a.source_id = 'acct-' || lpad(g.account_no::text, 6, '0')
    JOIN users AS ao ON ao.id = a.owner_id
    OFFSET 0 -- a fence, as in g: computed once, not copied into each use
),
staged AS (
    SELECT d.*,
           -- 5k to 500k on a log scale, mostly small; add-ons and services shrink the part above 5k.
           round((5000 + (5000 * power(100, 0.65 * power(d.u_amount, 1.6) + 0.35 * d.size_frac) - 5000)
                  * d.size_factor)::numeric, -2) AS amount,
           CASE
               WHEN d.is_open THEN
                   CASE WHEN d.u_stage < 0.25 THEN 'prospecting' WHEN d.u_stage < 0.47 THEN 'qualification'
                        WHEN d.u_stage < 0.67 THEN 'discovery' WHEN d.u_stage < 0.85 THEN 'proposal'
                        ELSE 'negotiation' END
               -- Win probability around 25%: better or worse by quarter (a fixed pattern, newest
               -- quarter first), by rep (a per-rep skill of +-8 points) and lower for big deals.
               WHEN d.u_win < 0.25
                    + (ARRAY[0.04, -0.05, 0.03, 0.07, -0.03, 0.01, -0.06, 0.02, 0.0])[
                          1 + least(8, q.anchor_q - (extract(year FROM d.close_date)::int * 4
                                                     + extract(quarter FROM d.close_date)::int))]
                    + ((hashtextextended('skill:' || d.owner_sid, 0) & 4294967295)::float8 / 4294967296 - 0.5) * 0.16
                    - 0.08 * (d.size_frac - 0.3)
                   THEN 'closedwon'
               ELSE 'closedlost'
           END AS stage_key,
           -- The close date as first forecast. Pushed deals had an earlier one; for half of the
           -- open deals pushed past this quarter, it fell inside this quarter (slipped this quarter).
           CASE
               WHEN d.is_open AND d.u_slip < 0.25 AND d.close_date > q.cq_end AND d.u_slip_date < 0.5
                   THEN q.cq_start + floor(d.u_slip_date * 2 * (q.cq_end - q.cq_start + 1))::int
               WHEN d.is_open AND d.u_slip < 0.25 THEN d.close_date - 10 - floor(d.u_slip_date * 60)::int
               WHEN NOT d.is_open AND d.u_slip < 0.15 THEN d.close_date - 7 - floor(d.u_slip_date * 45)::int
               ELSE d.close_date
           END AS original_close_date
    FROM p CROSS JOIN q CROSS JOIN placed AS d
    OFFSET 0 -- a fence, as in g: computed once, not copied into each use
),
dated AS (
    SELECT s.*,
           CASE WHEN s.original_close_date < s.close_date THEN 1 + s.n % 3 ELSE 0 END AS pushes,
           -- Sales cycles of two weeks to eight months, longer for bigger customers; open deals
           -- were created before today whatever their close date.
           least(s.original_close_date - 14 - floor(180 * power(s.u_cycle, 1.3) + 60 * s.size_frac)::int,
                 CASE WHEN s.is_open THEN p.anchor - 1 - (s.n % 14) END) AS created_date
    FROM p CROSS JOIN staged AS s
    OFFSET 0 -- a fence, as in g: computed once, not copied into each use
),
stamped AS (
    SELECT d.*,
           (d.created_date + time '09:00' + (d.n % 540) * interval '1 minute') AT TIME ZONE 'UTC' AS created_at
    FROM dated AS d
)
INSERT INTO deals (id, organization_id, source_system, source_id, name, amount, currency, stage, stage_id, pipeline,
                   probability, forecast_category, is_closed, is_won, close_date, owner_id, account_id,
                   custom_fields, source_created_at, source_updated_at, synced_at)
SELECT (idp.prefix || lpad(to_hex(d.n), 15, '0'))::uuid, p.org_id, 'demo', 'deal-' || lpad(d.n::text, 6, '0'),
       d.account_name || ' – ' || d.product
           || CASE WHEN d.deal_type = 'Renewal' THEN ' ' || extract(year FROM d.close_date) ELSE '' END,
       d.amount, 'USD', ps.label, ps.source_id, 'default', ps.probability,
       ps.custom_fields ->> 'forecast_category', ps.is_closed, ps.is_won, d.close_date, o.id, d.account_id,
       jsonb_strip_nulls(jsonb_build_object(
           'original_close_date', to_char(d.original_close_date, 'YYYY-MM-DD'),
           'close_date_pushes', d.pushes,
           'deal_type', d.deal_type,
           'lead_source', CASE WHEN d.u_source < 0.35 THEN 'Inbound' WHEN d.u_source < 0.65 THEN 'Outbound'
                               WHEN d.u_source < 0.77 THEN 'Partner' WHEN d.u_source < 0.87 THEN 'Event'
                               ELSE 'Referral' END,
           'next_step', CASE d.stage_key
                            WHEN 'prospecting' THEN 'Book discovery call'
                            WHEN 'qualification' THEN 'Confirm budget and timeline'
                            WHEN 'discovery' THEN 'Schedule product demo'
                            WHEN 'proposal' THEN 'Review proposal with economic buyer'
                            WHEN 'negotiation' THEN 'Finalize redlines and order form' END,
           'loss_reason', CASE WHEN d.stage_key = 'closedlost'
                               THEN (ARRAY['Price', 'Chose competitor', 'No decision', 'Timing', 'Budget cut',
                                           'Missing feature', 'No decision'])[1 + floor(d.u_reason * 7)::int]
                          END)),
       d.created_at,
       -- Open deals were touched in the last three weeks, closed ones when they closed.
       greatest(d.created_at + interval '1 hour',
                (CASE WHEN d.is_open THEN p.anchor - floor(21 * d.u_updated)::int
                      ELSE least(p.anchor, d.close_date + floor(3 * d.u_updated)::int)
                 END + time '08:30' + (d.n % 570) * interval '1 minute') AT TIME ZONE 'UTC'),
       now()
FROM p
CROSS JOIN idp
CROSS JOIN stamped AS d
JOIN pipeline_stages AS ps
  ON ps.organization_id = p.org_id AND ps.source_system = 'demo' AND ps.source_id = d.stage_key
JOIN users AS o ON o.organization_id = p.org_id AND o.source_system = 'demo' AND o.source_id = d.owner_sid
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
SET name = EXCLUDED.name, amount = EXCLUDED.amount, currency = EXCLUDED.currency, stage = EXCLUDED.stage,
    stage_id = EXCLUDED.stage_id, pipeline = EXCLUDED.pipeline, probability = EXCLUDED.probability,
    forecast_category = EXCLUDED.forecast_category, is_closed = EXCLUDED.is_closed, is_won = EXCLUDED.is_won,
    close_date = EXCLUDED.close_date, owner_id = EXCLUDED.owner_id, account_id = EXCLUDED.account_id,
    custom_fields = EXCLUDED.custom_fields, source_created_at = EXCLUDED.source_created_at,
    source_updated_at = EXCLUDED.source_updated_at, synced_at = EXCLUDED.synced_at, deleted_at = NULL, updated_at = now()
WHERE (deals.name, deals.amount, deals.currency, deals.stage, deals.stage_id, deals.pipeline, deals.probability,
       deals.forecast_category, deals.is_closed, deals.is_won, deals.close_date, deals.owner_id, deals.account_id,
       deals.custom_fields, deals.source_created_at, deals.source_updated_at, deals.deleted_at)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.stage, EXCLUDED.stage_id,
                        EXCLUDED.pipeline, EXCLUDED.probability, EXCLUDED.forecast_category, EXCLUDED.is_closed,
                        EXCLUDED.is_won, EXCLUDED.close_date, EXCLUDED.owner_id, EXCLUDED.account_id,
                        EXCLUDED.custom_fields, EXCLUDED.source_created_at, EXCLUDED.source_updated_at,
                        NULL::timestamptz)
