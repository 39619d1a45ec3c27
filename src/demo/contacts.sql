-- Contacts: people at the accounts, emailed at the account's domain, with a title and a phone.
-- Contact c works at account 1 + (c - 1) % n_accounts, so every account has at least one contact
-- and activities can find an account's contacts arithmetically instead of with a lookup.
-- Parameters: see reps.sql.
WITH p AS NOT MATERIALIZED (
    SELECT $1::uuid AS org_id, $2::date AS anchor, $3::int AS n_reps, $4::int AS n_accounts,
           $5::int AS n_contacts, $6::int AS n_deals, $7::int AS n_activities
),
-- Ascending ids for new rows: see activities.sql.
idp AS NOT MATERIALIZED (
    SELECT substr(h, 1, 12) || '8' || substr(h, 14, 3) || '8' AS prefix
    FROM p, md5(p.org_id::text || ':contacts') AS h
),
lists AS (
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
                 'Johansson', 'Novak'] AS last_names,
           -- Repeats weight the list: there are more managers and analysts than C-level buyers.
           ARRAY['VP Sales', 'CFO', 'Head of RevOps', 'Chief Revenue Officer', 'Director of Sales Operations',
                 'Sales Manager', 'Sales Manager', 'Account Director', 'CEO', 'COO', 'CTO', 'VP Marketing',
                 'Procurement Manager', 'Procurement Manager', 'IT Director', 'Head of Finance', 'Controller',
                 'VP Customer Success', 'Operations Manager', 'Operations Manager', 'Product Manager',
                 'Engineering Manager', 'Data Analyst', 'RevOps Analyst', 'RevOps Analyst',
                 'Sales Operations Manager', 'Director of IT', 'General Counsel'] AS titles,
           ARRAY['212', '312', '415', '512', '617', '646', '720', '206', '305', '404', '469', '503', '602',
                 '619', '704', '713', '801', '858', '919', '978'] AS area_codes
),
g AS (
    SELECT n, 1 + (n - 1) % p.n_accounts AS account_no,
           (hashtextextended('contact:' || n, 1) & 4294967295)::float8 / 4294967296 AS u_first,
           (hashtextextended('contact:' || n, 2) & 4294967295)::float8 / 4294967296 AS u_last,
           (hashtextextended('contact:' || n, 3) & 4294967295)::float8 / 4294967296 AS u_title,
           (hashtextextended('contact:' || n, 4) & 4294967295)::float8 / 4294967296 AS u_email,
           (hashtextextended('contact:' || n, 5) & 4294967295)::float8 / 4294967296 AS u_phone,
           (hashtextextended('contact:' || n, 6) & 4294967295)::float8 / 4294967296 AS u_created,
           (hashtextextended('contact:' || n, 7) & 4294967295)::float8 / 4294967296 AS u_stage,
           (hashtextextended('contact:' || n, 8) & 4294967295)::float8 / 4294967296 AS u_updated
    FROM p, generate_series(1, p.n_contacts) AS n
    -- A fence: without it the planner copies each hash expression into every place that
    -- uses it, and recomputes it there.
    OFFSET 0
),
people AS (
    SELECT g.*,
           l.first_names[1 + floor(u_first * 64)::int] AS first_name,
           l.last_names[1 + floor(u_last * 64)::int] AS last_name,
           l.titles[1 + floor(u_title * array_length(l.titles, 1))::int] AS title,
           '+1 ' || l.area_codes[1 + floor(u_phone * 20)::int] || '-555-01'
               || lpad(floor(u_phone * 2000)::int % 100 || '', 2, '0') AS phone
    FROM g CROSS JOIN lists AS l
)
INSERT INTO contacts (id, organization_id, source_system, source_id, account_id, first_name, last_name, name,
                      email, title, phone, owner_id, custom_fields, source_created_at, source_updated_at,
                      synced_at)
SELECT (idp.prefix || lpad(to_hex(c.n), 15, '0'))::uuid, p.org_id, 'demo', 'contact-' || lpad(c.n::text, 6, '0'),
       a.id, c.first_name, c.last_name,
       c.first_name || ' ' || c.last_name,
       -- The usual corporate address patterns: jane.doe@, jdoe@ and, at small companies, jane@.
       -- (The only non-letter in the name lists is the apostrophe in O'Brien.)
       replace(lower(CASE WHEN c.u_email < 0.6 THEN c.first_name || '.' || c.last_name
                          WHEN c.u_email < 0.85 THEN left(c.first_name, 1) || c.last_name
                          ELSE c.first_name END), '''', '')
           || '@' || a.domain,
       c.title, c.phone, a.owner_id,
       jsonb_build_object('lifecycle_stage', CASE WHEN c.u_stage < 0.35 THEN 'customer'
                                                  WHEN c.u_stage < 0.75 THEN 'opportunity'
                                                  ELSE 'lead' END),
       a.source_created_at + floor((p.anchor - a.source_created_at::date) * c.u_created) * interval '1 day'
           + (c.n % 300) * interval '1 minute',
       (p.anchor - floor(120 * c.u_updated)::int) + time '10:00' + (c.n % 420) * interval '1 minute',
       now()
FROM p
CROSS JOIN idp
CROSS JOIN people AS c
JOIN accounts AS a
  ON a.organization_id = p.org_id AND a.source_system = 'demo'
 AND a.source_id = 'acct-' || lpad(c.account_no::text, 6, '0')
ON CONFLICT (organization_id, source_system, source_id) DO UPDATE
SET account_id = EXCLUDED.account_id, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
    name = EXCLUDED.name, email = EXCLUDED.email, title = EXCLUDED.title, phone = EXCLUDED.phone,
    owner_id = EXCLUDED.owner_id, custom_fields = EXCLUDED.custom_fields,
    source_created_at = EXCLUDED.source_created_at, source_updated_at = EXCLUDED.source_updated_at,
    synced_at = EXCLUDED.synced_at, deleted_at = NULL, updated_at = now()
WHERE (contacts.account_id, contacts.first_name, contacts.last_name, contacts.name, contacts.email,
       contacts.title, contacts.phone, contacts.owner_id, contacts.custom_fields, contacts.source_created_at,
       contacts.source_updated_at, contacts.deleted_at)
      IS DISTINCT FROM (EXCLUDED.account_id, EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.name,
                        EXCLUDED.email, EXCLUDED.title, EXCLUDED.phone, EXCLUDED.owner_id, EXCLUDED.custom_fields,
                        EXCLUDED.source_created_at, EXCLUDED.source_updated_at, NULL::timestamptz)
