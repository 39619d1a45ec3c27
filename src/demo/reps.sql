-- Sales reps: CRM-only users (they own records but never sign in), numbered 1..n_reps.
--
-- Every statement of the demo loader takes the same parameters, typed once in `p`:
-- $1 organization id, $2 anchor date, $3 reps, $4 accounts, $5 contacts, $6 deals, $7 activities.
-- `p` is inlined (NOT MATERIALIZED) so the planner sees the numbers as constants and sizes
-- generate_series and the joins correctly.
WITH p AS NOT MATERIALIZED (
    SELECT $1::uuid AS org_id, $2::date AS anchor, $3::int AS n_reps, $4::int AS n_accounts,
           $5::int AS n_contacts, $6::int AS n_deals, $7::int AS n_activities
),
names AS (
    SELECT ARRAY['James', 'Maria', 'Robert', 'Priya', 'John', 'Jennifer', 'Michael', 'Linda', 'David',
                 'Elena', 'William', 'Grace', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah',
                 'Charles', 'Karen', 'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Sandra', 'Mark',
                 'Ashley', 'Steven', 'Emily', 'Andrew', 'Michelle', 'Wei', 'Carlos', 'Sofia', 'Ahmed',
                 'Fatima', 'Hiroshi', 'Yuki', 'Olga', 'Ivan', 'Lucas', 'Camila', 'Mateo', 'Valentina', 'Noah',
                 'Emma', 'Liam', 'Olivia', 'Ethan', 'Ava', 'Raj', 'Ananya', 'Kwame', 'Amara', 'Lars',
                 'Ingrid', 'Diego', 'Lucia', 'Omar', 'Leila', 'Chen', 'Mei', 'Tom'] AS first_names,
           ARRAY['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
                 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor',
                 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez',
                 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright',
                 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall',
                 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Patel', 'Kim', 'Chen', 'Singh',
                 'Schmidt', 'Rossi', 'Dubois', 'Kowalski', 'Okafor', 'Tanaka', 'Silva', 'O''Brien',
                 'Johansson', 'Novak'] AS last_names
),
reps AS (
    SELECT n,
           -- An odd stride over exactly 64 first names is a permutation: reps 1..64 never share a
           -- first name, so their emails are unique within the organization.
           names.first_names[1 + (n * 7 + 3) % 64] AS first_name,
           names.last_names[1 + (hashtextextended('rep:' || n, 1) & 4294967295) % 64] AS last_name,
           (ARRAY['Enterprise', 'Mid-Market', 'SMB', 'Mid-Market', 'SMB'])[1 + n % 5] AS team,
           (ARRAY['NA', 'NA', 'EMEA', 'NA', 'APAC', 'EMEA'])[1 + (hashtextextended('rep:' || n, 2) & 4294967295) % 6]
               AS region,
           (hashtextextended('rep:' || n, 3) & 4294967295) % 3 = 0 AS senior
    FROM p, names, generate_series(1, p.n_reps) AS n
)
INSERT INTO users (organization_id, email, email_verified, name, role, status, source_system, source_id,
                   custom_fields, synced_at)
SELECT p.org_id,
       regexp_replace(lower(first_name || '.' || last_name), '[^a-z.]', '', 'g')
           || CASE WHEN n > 64 THEN n::text ELSE '' END || '@demo-company.example',
       true, first_name || ' ' || last_name, 'member', 'crm_only', 'demo', 'rep-' || lpad(n::text, 3, '0'),
       jsonb_build_object(
           'team', team,
           'region', region,
           'title', CASE WHEN team = 'Enterprise' THEN 'Enterprise Account Executive'
                         WHEN senior THEN 'Senior Account Executive'
                         ELSE 'Account Executive' END,
           -- Annual quota in USD, scaled to the deal volume per rep so attainment lands near 100%
           -- whatever the dataset size.
           'annual_quota', round(p.n_deals::numeric / p.n_reps
                                 * CASE team WHEN 'Enterprise' THEN 3500 WHEN 'Mid-Market' THEN 3000 ELSE 2500 END,
                                 -4)),
       now()
FROM p, reps
ON CONFLICT (organization_id, source_system, source_id) WHERE source_id IS NOT NULL DO UPDATE
SET email = EXCLUDED.email, email_verified = EXCLUDED.email_verified, name = EXCLUDED.name,
    role = EXCLUDED.role, status = EXCLUDED.status, custom_fields = EXCLUDED.custom_fields,
    synced_at = EXCLUDED.synced_at, deleted_at = NULL, updated_at = now()
-- Unchanged rows are left alone, so a rerun writes (almost) nothing.
WHERE (users.email, users.email_verified, users.name, users.role, users.status, users.custom_fields,
       users.deleted_at)
      IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.email_verified, EXCLUDED.name, EXCLUDED.role,
                        EXCLUDED.status, EXCLUDED.custom_fields, NULL::timestamptz)
