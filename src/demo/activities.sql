-- Activities: emails, meetings, calls, notes, tasks and Slack messages over the last year, denser
-- recently. A quarter of them work the open pipeline, mostly in the last two months; 60% follow
-- a random deal inside its life (or its account, for deals closed over a year ago); 15% touch an
-- account directly. About 15% of accounts ("stale") had no meeting or call in the last 30 days,
-- whatever their pipeline.
-- Parameters: see reps.sql, then the range of activities to write (numbered in date order, see
-- ordered below): $8 the first, $9 the last. Every range generates all of them, to number them,
-- so that ranges written at the same time on other connections append to the indexes at their
-- own places.
WITH p AS NOT MATERIALIZED (
    SELECT $1::uuid AS org_id, $2::date AS anchor, $3::int AS n_reps, $4::int AS n_accounts,
           $5::int AS n_contacts, $6::int AS n_deals, $7::int AS n_activities, $8::int AS first_seq,
           $9::int AS last_seq
),
-- New rows get ids <prefix><counter>: ascending, so the primary key grows at one end instead of
-- taking random writes everywhere. The prefix is per organization and table; the version nibble
-- 8 (a custom UUID) keeps them apart from gen_random_uuid()'s version-4 ids.
idp AS NOT MATERIALIZED (
    SELECT substr(h, 1, 12) || '8' || substr(h, 14, 3) || '8' AS prefix
    FROM p, md5(p.org_id::text || ':activities') AS h
),
-- Eight subjects and descriptions per type; {account}, {first} (the contact) and {rep} are filled in.
templates (type, i, subject, description) AS (
    VALUES
        ('email', 0, 'Re: Pricing for {account}',
         'Hi {first}, attaching the updated pricing we discussed. Happy to walk through the tiers on a quick call.'),
        ('email', 1, 'Sent proposal v2',
         'Hi {first}, here is v2 of the proposal with the multi-year option and revised payment terms.'),
        ('email', 2, 'Follow-up: next steps with {account}',
         'Thanks for the time today, {first}. Next steps: security review, then a pricing call with finance.'),
        ('email', 3, 'Intro: {account} <> Demo Company',
         'Hi {first}, {rep} here. We help teams like {account} see their whole pipeline in one place. '
         'Worth a 20-minute chat?'),
        ('email', 4, 'Contract redlines',
         'Hi {first}, legal reviewed the MSA. Redlines attached; the main open point is the liability cap.'),
        ('email', 5, 'Security questionnaire completed',
         'Hi {first}, we completed the security questionnaire and attached our SOC 2 report.'),
        ('email', 6, 'Recap of today''s call',
         'Hi {first}, great call. {account} wants to roll out to two teams first and expand next quarter.'),
        ('email', 7, 'Checking in',
         'Hi {first}, checking in on the timeline. Is the decision still planned for this quarter?'),
        ('meeting', 0, 'Discovery call with {account}',
         'Mapped the current process, the pain of manual forecasting and who else is involved in the decision.'),
        ('meeting', 1, 'Product demo for {account}',
         'Demoed pipeline analytics and the chat assistant to {first} and team. Strong interest in forecasting.'),
        ('meeting', 2, 'Pricing call with {account}',
         'Walked {first} through the pricing tiers. They asked for a multi-year discount.'),
        ('meeting', 3, 'QBR prep',
         'Prepared the QBR deck for {account}: adoption, outcomes and expansion opportunities.'),
        ('meeting', 4, 'Executive alignment – {account}',
         'Exec sponsor meeting with {first}. Confirmed the business case and the timeline.'),
        ('meeting', 5, 'Technical deep dive',
         'Reviewed integration requirements and data security with the {account} IT team.'),
        ('meeting', 6, 'Kickoff with {account}',
         'Agreed success criteria, owners and a 30-day rollout plan.'),
        ('meeting', 7, 'Negotiation session with {account}',
         'Discussed terms with {first} and procurement; still a gap on payment terms.'),
        ('call', 0, 'Call with {first}',
         'Quick check-in; {first} is aligning internally and will come back by Friday.'),
        ('call', 1, 'Left voicemail', 'Left {first} a voicemail about next steps.'),
        ('call', 2, 'Pricing call with {account}', 'Answered questions on seat counts and annual vs. monthly billing.'),
        ('call', 3, 'Reference call setup', 'Arranged a customer reference call for {first}.'),
        ('call', 4, 'Budget check with {first}',
         'Budget is approved for this fiscal year; procurement needs a W-9 and the MSA.'),
        ('call', 5, 'Follow-up call', 'Followed up on the proposal; {first} needs sign-off from the CFO.'),
        ('call', 6, 'Cold call', 'Reached {first}; interested in a demo next week.'),
        ('call', 7, 'Renewal check-in', 'Discussed renewal timing and usage growth at {account}.'),
        ('note', 0, 'Champion confirmed budget', '{first} confirmed budget and is championing us internally.'),
        ('note', 1, 'Competitor mentioned', '{account} is also evaluating a competitor; price is the main lever.'),
        ('note', 2, 'Procurement requires MSA review',
         'Procurement at {account} requires a full MSA review before signature.'),
        ('note', 3, 'Legal review started', 'Contract is with {account} legal; expect two weeks.'),
        ('note', 4, 'Decision pushed', 'The decision at {account} moved out; waiting on their budget cycle.'),
        ('note', 5, 'Expansion opportunity', 'Two more teams at {account} want access: potential expansion.'),
        ('note', 6, 'Risk: champion may leave',
         'Heard {first} may be changing roles; we need a second contact at {account}.'),
        ('note', 7, 'Meeting notes',
         'Key pains: manual reporting, no single view of the pipeline, slow forecast calls.'),
        ('task', 0, 'Send proposal v2', 'Send the revised proposal to {first} at {account}.'),
        ('task', 1, 'Follow up on security review', 'Chase the security review status with {first}.'),
        ('task', 2, 'Schedule QBR', 'Find a QBR slot with {first} and the {account} exec sponsor.'),
        ('task', 3, 'Update close plan', 'Update the {account} close plan with the new legal timeline.'),
        ('task', 4, 'Book demo with {account}', 'Book a product demo with {first} and the RevOps team.'),
        ('task', 5, 'Prepare order form', 'Prepare the order form for {account}.'),
        ('task', 6, 'Loop in sales engineer', 'Bring an SE into the {account} technical evaluation.'),
        ('task', 7, 'Confirm decision timeline', 'Confirm the decision date and the signers with {first}.'),
        ('message', 0, 'Redlines from legal',
         'Legal came back with redlines on the {account} MSA, mostly the liability cap. Can someone take a look?'),
        ('message', 1, 'Need an SE for the pricing call', 'Can an SE join the {account} pricing call on Thursday?'),
        ('message', 2, 'Budget approved', '{first} says budget is approved for this quarter!'),
        ('message', 3, 'Deal review', 'Added {account} to Friday''s deal review: close date at risk.'),
        ('message', 4, 'Security review done', 'Security review for {account} is done, no blockers.'),
        ('message', 5, 'Champion out next week',
         '{first} is out next week, pushing the demo to the following Tuesday.'),
        ('message', 6, 'Discount request', 'Requesting approval for a 15% multi-year discount on {account}.'),
        ('message', 7, 'Verbal yes', 'Verbal yes from {account}! Paperwork to follow. Nice work {rep}.')
),
g AS (
    SELECT n,
           (hashtextextended('activity:' || n, 1) & 4294967295)::float8 / 4294967296 AS u_segment,
           (hashtextextended('activity:' || n, 2) & 4294967295)::float8 / 4294967296 AS u_pick,
           (hashtextextended('activity:' || n, 3) & 4294967295)::float8 / 4294967296 AS u_type,
           (hashtextextended('activity:' || n, 4) & 4294967295) % 8 AS template_i,
           (hashtextextended('activity:' || n, 5) & 4294967295)::float8 / 4294967296 AS u_date,
           (hashtextextended('activity:' || n, 6) & 4294967295)::float8 / 4294967296 AS u_time,
           (hashtextextended('activity:' || n, 7) & 4294967295)::float8 / 4294967296 AS u_contact,
           (hashtextextended('activity:' || n, 8) & 4294967295)::float8 / 4294967296 AS u_duration,
           (hashtextextended('activity:' || n, 9) & 4294967295)::float8 / 4294967296 AS u_misc
    FROM p, generate_series(1, p.n_activities) AS n
    -- A fence: without it the planner copies each hash expression into every place that
    -- uses it, and recomputes it there.
    OFFSET 0
),
picked AS (
    SELECT g.*,
           CASE WHEN g.u_segment < 0.25 THEN 'pipeline' WHEN g.u_segment < 0.85 THEN 'deal' ELSE 'account' END
               AS segment,
           CASE WHEN g.u_type < 0.35 THEN 'email' WHEN g.u_type < 0.52 THEN 'meeting'
                WHEN g.u_type < 0.67 THEN 'call' WHEN g.u_type < 0.82 THEN 'message'
                WHEN g.u_type < 0.91 THEN 'note' ELSE 'task' END AS type,
           CASE
               -- Open deals are the numbers ending in 1, 2 or 3 (see deals.sql): a block of ten,
               -- then one of its three open deals (from the low digits of the same draw).
               WHEN g.u_segment < 0.25
                   THEN 10 * floor(g.u_pick * (p.n_deals / 10))::int + 1 + floor(g.u_pick * 3000)::int % 3
               WHEN g.u_segment < 0.85 THEN 1 + floor(g.u_pick * p.n_deals)::int
           END AS deal_no,
           CASE WHEN g.u_segment >= 0.85 THEN 1 + floor(g.u_pick * p.n_accounts)::int END AS account_no
    FROM p CROSS JOIN g
),
linked AS (
    SELECT x.*,
           substr(a.source_id, 6)::int AS acct_no, a.id AS account_id, a.name AS account_name, a.domain,
           a.owner_id AS account_owner_id,
           -- Deals closed over a year ago are past the activity window: talk to the account instead.
           CASE WHEN d.id IS NOT NULL AND (NOT d.is_closed OR d.close_date >= p.anchor - 365) THEN d.id END AS deal_id,
           d.owner_id AS deal_owner_id, d.is_closed, d.close_date, d.source_created_at::date AS deal_created
    FROM p
    CROSS JOIN picked AS x
    LEFT JOIN deals AS d
      ON d.organization_id = p.org_id AND d.source_system = 'demo'
     AND d.source_id = 'deal-' || lpad(x.deal_no::text, 6, '0')
    LEFT JOIN accounts AS by_number
      ON by_number.organization_id = p.org_id AND by_number.source_system = 'demo'
     AND by_number.source_id = 'acct-' || lpad(x.account_no::text, 6, '0')
    JOIN accounts AS a ON a.id = coalesce(d.account_id, by_number.id)
),
dated AS (
    SELECT l.*,
           (hashtextextended('stale:' || l.acct_no, 0) & 4294967295)::float8 / 4294967296 < 0.15 AS stale,
           CASE
               WHEN l.deal_id IS NULL THEN floor(365 * power(l.u_date, 1.3))::int
               WHEN l.segment = 'pipeline' THEN floor(120 * power(l.u_date, 1.6))::int
               -- Inside the deal's life (capped to a year), bunched towards its close or today.
               ELSE CASE WHEN l.is_closed THEN p.anchor - l.close_date ELSE 0 END
                    + floor(greatest(0, least(365, p.anchor - l.deal_created)
                                        - CASE WHEN l.is_closed THEN p.anchor - l.close_date ELSE 0 END)
                            * power(l.u_date, 1.2))::int
           END AS raw_age
    FROM p CROSS JOIN linked AS l
    OFFSET 0 -- a fence, as in g: computed once, not copied into each use
),
final AS (
    SELECT d.n, d.type, d.template_i, d.u_duration, d.u_misc, d.deal_id, d.account_id, d.account_name, d.domain, age,
           coalesce(CASE WHEN d.deal_id IS NOT NULL THEN d.deal_owner_id END, d.account_owner_id) AS owner_id,
           d.acct_no + p.n_accounts
               * floor(d.u_contact * ((p.n_contacts - d.acct_no) / p.n_accounts + 1))::int AS contact_no,
           -- Office hours, on the quarter hour.
           ((p.anchor - age) + time '08:00' + floor(d.u_time * 40) * interval '15 minutes') AT TIME ZONE 'UTC'
               AS at
    FROM p
    CROSS JOIN dated AS d
    CROSS JOIN LATERAL (
        SELECT CASE WHEN d.stale AND d.type IN ('meeting', 'call') AND d.raw_age <= 30
                    THEN 31 + floor(d.u_misc * 120)::int ELSE d.raw_age END AS age
    ) AS stale_shift
    OFFSET 0 -- a fence, as in g: computed once, not copied into each use
),
-- Rows are numbered and inserted in date order, so the primary key, the source_id index and
-- the date indexes grow at one end instead of taking writes all over: the load then stays
-- within shared_buffers. Every range numbers all the rows, but only its own meet their rep and
-- contact (names for the text, which is assembled last): the sort stays narrow and the joins
-- do half the work on two connections. No row can drop out at the joins (every owner and
-- contact number exists), so the numbering is the same as numbering after them.
ordered AS (
    SELECT x.*, row_number() OVER (ORDER BY x.at, x.n) AS seq FROM final AS x
),
people AS (
    SELECT o.*, r.name AS rep_name, r.email AS rep_email, c.id AS contact_id, c.first_name,
           c.name AS contact_name, c.email AS contact_email
    FROM p
    CROSS JOIN ordered AS o
    JOIN users AS r ON r.id = o.owner_id
    JOIN contacts AS c
      ON c.organization_id = p.org_id AND c.source_system = 'demo'
     AND c.source_id = 'contact-' || lpad(o.contact_no::text, 6, '0')
    WHERE o.seq BETWEEN p.first_seq AND p.last_seq
)
INSERT INTO activities (id, organization_id, source_system, source_id, type, subject, description, activity_date,
                        duration_seconds, participants, deal_id, account_id, contact_id, owner_id, custom_fields,
                        source_created_at, source_updated_at, synced_at)
SELECT (idp.prefix || lpad(to_hex(o.seq), 15, '0'))::uuid,
       p.org_id, 'demo', 'activity-' || lpad(o.seq::text, 7, '0'), o.type,
       replace(replace(replace(t.subject, '{account}', o.account_name), '{first}', o.first_name),
               '{rep}', split_part(o.rep_name, ' ', 1)),
       replace(replace(replace(t.description, '{account}', o.account_name), '{first}', o.first_name),
               '{rep}', split_part(o.rep_name, ' ', 1)),
       o.at,
       CASE WHEN o.type = 'meeting' THEN (ARRAY[1800, 1800, 2700, 3600])[1 + floor(o.u_duration * 4)::int]
            WHEN o.type = 'call' AND o.template_i = 1 THEN 20 + floor(o.u_duration * 60)::int
            WHEN o.type = 'call' THEN 120 + floor(o.u_duration * 2280)::int
       END,
       CASE WHEN o.type IN ('email', 'meeting', 'call')
            THEN jsonb_build_array(jsonb_build_object('email', o.rep_email, 'name', o.rep_name),
                                   jsonb_build_object('email', o.contact_email, 'name', o.contact_name))
            ELSE jsonb_build_array(jsonb_build_object('email', o.rep_email, 'name', o.rep_name))
       END,
       o.deal_id, o.account_id,
       CASE WHEN o.type IN ('email', 'meeting', 'call') OR (o.type = 'note' AND o.u_misc < 0.5) THEN o.contact_id END,
       o.owner_id,
       CASE o.type
           WHEN 'message' THEN jsonb_build_object(
               'channel', CASE WHEN o.deal_id IS NULL THEN '#acct-' ELSE '#deal-' END || split_part(o.domain, '.', 1))
           WHEN 'email' THEN jsonb_build_object(
               'direction', CASE WHEN o.u_misc < 0.6 THEN 'outbound' ELSE 'inbound' END)
           WHEN 'meeting' THEN jsonb_build_object(
               'location', (ARRAY['Zoom', 'Google Meet', 'Zoom', 'On-site'])[1 + floor(o.u_misc * 4)::int])
           WHEN 'call' THEN jsonb_build_object(
               'outcome', CASE WHEN o.template_i = 1 THEN 'voicemail' ELSE 'connected' END)
           WHEN 'task' THEN jsonb_build_object(
               'status', CASE WHEN o.age < 7 AND o.u_misc < 0.5 THEN 'open' ELSE 'completed' END,
               'due_date', to_char(p.anchor - o.age + 3, 'YYYY-MM-DD'))
           ELSE '{}'::jsonb
       END,
       o.at, o.at, now()
FROM p
CROSS JOIN idp
CROSS JOIN people AS o
JOIN templates AS t ON t.type = o.type AND t.i = o.template_i
-- The joins above need not keep the numbered order; the inserts must (see ordered).
ORDER BY o.seq
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
SET type = EXCLUDED.type, subject = EXCLUDED.subject, description = EXCLUDED.description,
    activity_date = EXCLUDED.activity_date, duration_seconds = EXCLUDED.duration_seconds,
    participants = EXCLUDED.participants, deal_id = EXCLUDED.deal_id, account_id = EXCLUDED.account_id,
    contact_id = EXCLUDED.contact_id, owner_id = EXCLUDED.owner_id, custom_fields = EXCLUDED.custom_fields,
    source_created_at = EXCLUDED.source_created_at, source_updated_at = EXCLUDED.source_updated_at,
    synced_at = EXCLUDED.synced_at, deleted_at = NULL, updated_at = now()
WHERE (activities.type, activities.subject, activities.description, activities.activity_date,
       activities.duration_seconds, activities.participants, activities.deal_id, activities.account_id,
       activities.contact_id, activities.owner_id, activities.custom_fields, activities.source_created_at,
       activities.source_updated_at, activities.deleted_at)
      IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.subject, EXCLUDED.description, EXCLUDED.activity_date,
                        EXCLUDED.duration_seconds, EXCLUDED.participants, EXCLUDED.deal_id, EXCLUDED.account_id,
                        EXCLUDED.contact_id, EXCLUDED.owner_id, EXCLUDED.custom_fields, EXCLUDED.source_created_at,
                        EXCLUDED.source_updated_at, NULL::timestamptz)
