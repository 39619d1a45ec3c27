-- Accounts: companies with unique names and domains, an industry, a skewed size (many small, few
-- large) with revenue correlated to it, and an owning rep.
-- Parameters: see reps.sql.
WITH p AS NOT MATERIALIZED (
    SELECT $1::uuid AS org_id, $2::date AS anchor, $3::int AS n_reps, $4::int AS n_accounts,
           $5::int AS n_contacts, $6::int AS n_deals, $7::int AS n_activities
),
-- Ascending ids for new rows: see activities.sql.
idp AS NOT MATERIALIZED (
    SELECT substr(h, 1, 12) || '8' || substr(h, 14, 3) || '8' AS prefix
    FROM p, md5(p.org_id::text || ':accounts') AS h
),
-- Name = <prefix><root> <suffix>; the suffix decides the industry, and industries with more
-- suffixes are more common. 40 x 30 x 60 = 72,000 distinct names.
words AS (
    SELECT ARRAY['North', 'Blue', 'Silver', 'Red', 'Iron', 'Bright', 'Clear', 'Green', 'Granite', 'Sun',
                 'Copper', 'Ever', 'High', 'Pine', 'Oak', 'Cedar', 'Maple', 'Summit', 'Harbor', 'River',
                 'Lake', 'Falcon', 'Eagle', 'Fox', 'Wolf', 'Bear', 'Hawk', 'Swift', 'True', 'Prime',
                 'Nova', 'Astra', 'Terra', 'Aqua', 'Zen', 'Vertex', 'Quantum', 'Atlas', 'Orion', 'Apex']
               AS prefixes,
           ARRAY['wind', 'field', 'bridge', 'crown', 'gate', 'point', 'line', 'wave', 'ridge', 'view',
                 'crest', 'brook', 'wood', 'path', 'works', 'forge', 'light', 'core', 'peak', 'vale',
                 'haven', 'bay', 'port', 'shore', 'spring', 'grove', 'mark', 'scape', 'stack', 'well']
               AS roots
),
suffixes AS (
    SELECT (row_number() OVER (ORDER BY grp.ord, x.ord) - 1)::int AS i, x.suffix, grp.industry,
           grp.revenue_per_employee
    FROM (VALUES (1, 'Software', 220000,
                  ARRAY['Labs', 'Systems', 'Software', 'Cloud', 'AI', 'Analytics', 'Technologies', 'Data',
                        'Networks', 'Digital', 'Security', 'Apps']),
                 (2, 'Healthcare', 150000,
                  ARRAY['Health', 'Medical', 'Care', 'Clinics', 'Therapeutics', 'Diagnostics', 'Biosciences']),
                 (3, 'Financial Services', 350000,
                  ARRAY['Capital', 'Financial', 'Bank', 'Partners', 'Insurance', 'Payments', 'Wealth']),
                 (4, 'Manufacturing', 250000,
                  ARRAY['Industries', 'Manufacturing', 'Machining', 'Plastics', 'Components', 'Robotics']),
                 (5, 'Retail', 180000, ARRAY['Stores', 'Outfitters', 'Market', 'Goods', 'Apparel', 'Home']),
                 (6, 'Education', 90000, ARRAY['Learning', 'Academy', 'Education', 'Schools', 'Tutoring']),
                 (7, 'Media', 200000, ARRAY['Media', 'Studios', 'Publishing', 'Entertainment', 'Broadcasting']),
                 (8, 'Logistics', 220000, ARRAY['Logistics', 'Freight', 'Shipping', 'Transport', 'Supply']),
                 (9, 'Energy', 500000, ARRAY['Energy', 'Power', 'Solar', 'Utilities']),
                 (10, 'Real Estate', 400000, ARRAY['Properties', 'Realty', 'Estates']))
             AS grp (ord, industry, revenue_per_employee, suffixes)
    CROSS JOIN LATERAL unnest(grp.suffixes) WITH ORDINALITY AS x (suffix, ord)
),
g AS (
    SELECT n,
           -- Multiplying by a prime coprime to 72,000 permutes the name space, so consecutive
           -- accounts get unrelated names and no two accounts share one.
           ((n - 1)::bigint * 7919) % 72000 AS idx,
           (n - 1) / 72000 AS block,
           (hashtextextended('acct:' || n, 1) & 4294967295)::float8 / 4294967296 AS u_size,
           (hashtextextended('acct:' || n, 2) & 4294967295)::float8 / 4294967296 AS u_revenue,
           (hashtextextended('acct:' || n, 3) & 4294967295)::float8 / 4294967296 AS u_owner,
           (hashtextextended('acct:' || n, 4) & 4294967295)::float8 / 4294967296 AS u_region,
           (hashtextextended('acct:' || n, 5) & 4294967295)::float8 / 4294967296 AS u_tld,
           (hashtextextended('acct:' || n, 6) & 4294967295)::float8 / 4294967296 AS u_created,
           (hashtextextended('acct:' || n, 7) & 4294967295)::float8 / 4294967296 AS u_updated
    FROM p, generate_series(1, p.n_accounts) AS n
    -- A fence: without it the planner copies each hash expression into every place that
    -- uses it, and recomputes it there.
    OFFSET 0
),
named AS (
    SELECT g.*, s.suffix, s.industry, s.revenue_per_employee,
           w.prefixes[1 + (idx / 60) / 30] || w.roots[1 + (idx / 60) % 30] AS stem,
           -- Log-scale size: u^3 piles most accounts at 5-100 employees, a few reach 50,000.
           greatest(5, round(5 * exp(ln(10000) * power(u_size, 3))))::int AS employees
    FROM g
    CROSS JOIN words AS w
    -- The suffix is shifted by the stem so one stem does not always pair with one industry.
    JOIN suffixes AS s ON s.i = (g.idx % 60 + 17 * (g.idx / 60)) % 60
)
INSERT INTO accounts (id, organization_id, source_system, source_id, name, domain, industry, employee_count,
                      annual_revenue, owner_id, custom_fields, source_created_at, source_updated_at, synced_at)
SELECT (idp.prefix || lpad(to_hex(a.n), 15, '0'))::uuid, p.org_id, 'demo', 'acct-' || lpad(a.n::text, 6, '0'),
       a.stem || ' ' || a.suffix || CASE WHEN a.block > 0 THEN ' ' || (a.block + 1) ELSE '' END,
       lower(a.stem || regexp_replace(a.suffix, '[^A-Za-z]', '', 'g'))
           || CASE WHEN a.block > 0 THEN (a.block + 1)::text ELSE '' END
           || CASE WHEN a.u_tld < 0.08 THEN '.co'
                   WHEN a.u_tld < 0.30 AND a.industry = 'Software' THEN '.io'
                   ELSE '.com' END,
       a.industry, a.employees,
       round(a.employees::numeric * a.revenue_per_employee * (0.6 + 0.8 * a.u_revenue)::numeric, -3),
       rep.id,
       jsonb_build_object(
           'tier', CASE WHEN a.employees >= 1000 THEN 'Enterprise' WHEN a.employees >= 200 THEN 'Mid-Market'
                        ELSE 'SMB' END,
           'region', CASE WHEN a.u_region < 0.55 THEN 'NA' WHEN a.u_region < 0.80 THEN 'EMEA'
                          WHEN a.u_region < 0.95 THEN 'APAC' ELSE 'LATAM' END),
       ((p.anchor - (60 + floor(1400 * a.u_created))::int) + time '09:00' + (a.n % 480) * interval '1 minute')
           AT TIME ZONE 'UTC',
       ((p.anchor - floor(90 * a.u_updated)::int) + time '08:00' + (a.n % 600) * interval '1 minute')
           AT TIME ZONE 'UTC',
       now()
FROM p
CROSS JOIN idp
CROSS JOIN named AS a
CROSS JOIN LATERAL (SELECT floor(power(a.u_owner, 1.15) * (p.n_reps - p.n_reps / 5))::int AS k) AS k
-- Enterprise-tier accounts go to the Enterprise team (every fifth rep, see reps.sql), the rest
-- to the other reps; u^1.15 gives some reps bigger books than others.
JOIN users AS rep
  ON rep.organization_id = p.org_id AND rep.source_system = 'demo'
 AND rep.source_id = 'rep-' || lpad(
         CASE WHEN a.employees >= 1000 AND p.n_reps >= 5
              THEN 5 * (1 + floor(power(a.u_owner, 1.15) * (p.n_reps / 5)))::int
              -- The k-th rep whose number is not a multiple of five.
              WHEN p.n_reps >= 5
              THEN k.k + k.k / 4 + 1
              ELSE 1 + floor(power(a.u_owner, 1.15) * p.n_reps)::int
         END::text, 3, '0')
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
SET name = EXCLUDED.name, domain = EXCLUDED.domain, industry = EXCLUDED.industry,
    employee_count = EXCLUDED.employee_count, annual_revenue = EXCLUDED.annual_revenue,
    owner_id = EXCLUDED.owner_id, custom_fields = EXCLUDED.custom_fields,
    source_created_at = EXCLUDED.source_created_at, source_updated_at = EXCLUDED.source_updated_at,
    synced_at = EXCLUDED.synced_at, deleted_at = NULL, updated_at = now()
WHERE (accounts.name, accounts.domain, accounts.industry, accounts.employee_count, accounts.annual_revenue,
       accounts.owner_id, accounts.custom_fields, accounts.source_created_at, accounts.source_updated_at,
       accounts.deleted_at)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.domain, EXCLUDED.industry, EXCLUDED.employee_count,
                        EXCLUDED.annual_revenue, EXCLUDED.owner_id, EXCLUDED.custom_fields,
                        EXCLUDED.source_created_at, EXCLUDED.source_updated_at, NULL::timestamptz)
