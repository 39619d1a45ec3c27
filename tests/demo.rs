//! The demo dataset: deterministic, idempotent, shrinkable, and shaped so that the questions the
//! demo is for (slipped deals, stale accounts, win rate by quarter) have answers.

mod common;

use chrono::NaiveDate;
use common::TestDb;
use revtops::demo::{self, DEMO_ADMIN_EMAIL, DemoError, DemoScale, DemoSize, DemoSummary};
use revtops::services::auth::passwords;
use tokio_postgres::Client;
use uuid::Uuid;

fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// A digest of every demo row's content (not its database-generated timestamps), to compare
/// two loads.
async fn fingerprint(client: &Client, org: Uuid) -> String {
    client
        .query_one(
            "SELECT md5(concat_ws('|',
                 (SELECT string_agg(concat_ws(',', source_id, email, name, custom_fields::text), ';' ORDER BY source_id)
                  FROM users WHERE organization_id = $1 AND source_system = 'demo'),
                 (SELECT string_agg(concat_ws(',', source_id, name, domain, industry, employee_count, annual_revenue,
                                              source_created_at), ';' ORDER BY source_id)
                  FROM accounts WHERE organization_id = $1),
                 (SELECT string_agg(concat_ws(',', source_id, name, email, title, phone), ';' ORDER BY source_id)
                  FROM contacts WHERE organization_id = $1),
                 (SELECT string_agg(concat_ws(',', d.source_id, d.name, d.amount, d.stage, d.close_date,
                                              d.custom_fields::text, a.source_id, u.source_id), ';' ORDER BY d.source_id)
                  FROM deals d JOIN accounts a ON a.id = d.account_id JOIN users u ON u.id = d.owner_id
                  WHERE d.organization_id = $1),
                 (SELECT string_agg(concat_ws(',', x.source_id, x.type, x.subject, x.activity_date, x.participants::text,
                                              d.source_id, c.source_id), ';' ORDER BY x.source_id)
                  FROM activities x LEFT JOIN deals d ON d.id = x.deal_id LEFT JOIN contacts c ON c.id = x.contact_id
                  WHERE x.organization_id = $1)))",
            &[&org],
        )
        .await
        .unwrap()
        .get(0)
}

async fn admin_hash(client: &Client) -> String {
    client
        .query_one(
            "SELECT password_hash FROM users WHERE email = $1",
            &[&DEMO_ADMIN_EMAIL],
        )
        .await
        .unwrap()
        .get(0)
}

async fn scalar(client: &Client, sql: &str, org: Uuid) -> i64 {
    client.query_one(sql, &[&org]).await.unwrap().get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_demo_is_deterministic_idempotent_and_answers_the_demo_questions() {
    let db = TestDb::new().await;
    let client = db.client().await;
    let (org, admin) = demo::ensure_org(&client, None).await.unwrap();
    let admin = admin.expect("a new demo organization comes with its admin");

    let first = demo::load(&client, org, DemoSize::Small, anchor())
        .await
        .unwrap();
    let expected = DemoSummary {
        reps: 8,
        accounts: 300,
        contacts: 1_000,
        deals: 1_000,
        activities: 10_000,
        stages: 7,
    };
    assert_eq!(first, expected);
    let digest = fingerprint(&client, org).await;
    let last_write = "SELECT extract(epoch FROM max(updated_at))::bigint FROM activities WHERE organization_id = $1";
    let written = scalar(&client, last_write, org).await;

    // Same org, size and anchor: nothing changes, nothing is duplicated, nothing is rewritten.
    let second = demo::load(&client, org, DemoSize::Small, anchor())
        .await
        .unwrap();
    assert_eq!(second, expected);
    assert_eq!(fingerprint(&client, org).await, digest);
    assert_eq!(scalar(&client, last_write, org).await, written);

    // Another organization gets the same data.
    let other: Uuid = client
        .query_one("INSERT INTO organizations (name, email_domain) VALUES ('Acme', 'acme.test') RETURNING id", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        demo::ensure_org(&client, Some("ACME.test")).await.unwrap(),
        (other, None)
    );
    demo::load(&client, other, DemoSize::Small, anchor())
        .await
        .unwrap();
    assert_eq!(fingerprint(&client, other).await, digest);

    let bad_rows = scalar(
        &client,
        "SELECT (SELECT count(*) FROM deals d JOIN pipeline_stages s
                   ON s.organization_id = d.organization_id AND s.source_id = d.stage_id
                 WHERE d.organization_id = $1
                   AND (s.label <> d.stage OR s.probability <> d.probability
                        OR s.is_closed <> d.is_closed OR s.is_won <> d.is_won))
              + (SELECT count(*) FROM deals WHERE organization_id = $1
                   AND (source_created_at::date > close_date OR source_updated_at < source_created_at
                        OR amount NOT BETWEEN 5000 AND 500000 OR owner_id IS NULL OR account_id IS NULL))
              + (SELECT count(*) FROM contacts c JOIN accounts a ON a.id = c.account_id
                 WHERE c.organization_id = $1 AND split_part(c.email, '@', 2) <> a.domain)
              + (SELECT count(*) FROM activities WHERE organization_id = $1
                   AND (activity_date < DATE '2026-11-27' - 400 OR activity_date > DATE '2026-11-28'
                        OR owner_id IS NULL OR account_id IS NULL OR jsonb_array_length(participants) = 0
                        OR (type = 'message') <> (custom_fields ? 'channel')
                        OR (type IN ('meeting', 'call')) <> (duration_seconds IS NOT NULL)))",
        org,
    )
    .await;
    assert_eq!(bad_rows, 0);

    // Deals due this quarter (Q4 2026) that now close later.
    let slipped = scalar(
        &client,
        "SELECT count(*) FROM deals WHERE organization_id = $1 AND NOT is_closed
           AND (custom_fields ->> 'original_close_date')::date BETWEEN '2026-10-01' AND '2026-12-31'
           AND close_date > '2026-12-31'",
        org,
    )
    .await;
    assert!((5..100).contains(&slipped), "{slipped} slipped deals");

    // Accounts with open deals and no meeting in 30 days, out of those with open deals.
    let stale_percent = scalar(
        &client,
        "SELECT (100 * count(*) FILTER (WHERE NOT EXISTS (
                     SELECT 1 FROM activities x WHERE x.account_id = a.id AND x.type = 'meeting'
                       AND x.activity_date >= DATE '2026-11-27' - 30)) / count(*))::bigint
         FROM accounts a WHERE a.organization_id = $1
           AND EXISTS (SELECT 1 FROM deals d WHERE d.account_id = a.id AND NOT d.is_closed)",
        org,
    )
    .await;
    assert!((10..70).contains(&stale_percent), "{stale_percent}% stale");

    // Win rate stays plausible every quarter but is not flat.
    let rates: Vec<f64> = client
        .query(
            "SELECT avg(is_won::int)::float8 FROM deals WHERE organization_id = $1 AND is_closed
             GROUP BY date_trunc('quarter', close_date) HAVING count(*) >= 30",
            &[&org],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(rates.len() >= 6, "{rates:?}");
    assert!(rates.iter().all(|r| (0.12..0.45).contains(r)), "{rates:?}");
    let spread =
        rates.iter().cloned().fold(0.0, f64::max) - rates.iter().cloned().fold(1.0, f64::min);
    assert!(spread > 0.03, "{rates:?}");

    // The admin signs in with the printed password; a rerun finds the same organization and
    // replaces the password.
    assert!(passwords::verify(admin.password.clone(), Some(admin_hash(&client).await)).await);
    let (again, new_admin) = demo::ensure_org(&client, None).await.unwrap();
    let new_admin = new_admin.unwrap();
    assert_eq!(again, org);
    assert_ne!(new_admin.password, admin.password);
    assert!(passwords::verify(new_admin.password, Some(admin_hash(&client).await)).await);
    assert!(!passwords::verify(admin.password, Some(admin_hash(&client).await)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_smaller_load_prunes_and_unknown_orgs_are_errors() {
    let db = TestDb::new().await;
    let client = db.client().await;
    let org: Uuid = client
        .query_one(
            "INSERT INTO organizations (name) VALUES ('Tiny') RETURNING id",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        demo::ensure_org(&client, Some(&org.to_string()))
            .await
            .unwrap(),
        (org, None)
    );
    for key in ["nobody.example", "7d0f1a8e-0000-4000-8000-000000000000"] {
        assert!(matches!(
            demo::ensure_org(&client, Some(key)).await,
            Err(DemoError::OrgNotFound(k)) if k == key
        ));
    }

    let big = DemoScale {
        reps: 4,
        accounts: 40,
        contacts: 90,
        deals: 60,
        activities: 500,
    };
    let small = DemoScale {
        reps: 2,
        accounts: 20,
        contacts: 30,
        deals: 20,
        activities: 100,
    };
    demo::load_scale(&client, org, big, anchor()).await.unwrap();
    // Rows from a real sync are never touched.
    client
        .execute(
            "INSERT INTO accounts (organization_id, source_system, source_id, name) VALUES ($1, 'hubspot', '1', 'Real')",
            &[&org],
        )
        .await
        .unwrap();
    let summary = demo::load_scale(&client, org, small, anchor())
        .await
        .unwrap();
    assert_eq!(
        summary,
        DemoSummary {
            reps: 2,
            accounts: 20,
            contacts: 30,
            deals: 20,
            activities: 100,
            stages: 7
        }
    );
    let dangling = scalar(
        &client,
        "SELECT count(*) FROM activities WHERE organization_id = $1 AND (account_id IS NULL OR owner_id IS NULL)",
        org,
    )
    .await;
    assert_eq!(dangling, 0);
    assert_eq!(
        scalar(
            &client,
            "SELECT count(*) FROM accounts WHERE organization_id = $1",
            org
        )
        .await,
        21
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_and_unprivileged_loads_write_the_same_rows() {
    let db = TestDb::new().await;
    let client = db.client().await;
    let helper = db.client().await;
    let scale = DemoScale {
        reps: 5,
        accounts: 40,
        contacts: 100,
        deals: 80,
        activities: 701,
    };
    let expected = DemoSummary {
        reps: 5,
        accounts: 40,
        contacts: 100,
        deals: 80,
        activities: 701,
        stages: 7,
    };
    let mut orgs = Vec::new();
    for name in ["Single", "Parallel", "Unprivileged"] {
        let org: Uuid = client
            .query_one(
                "INSERT INTO organizations (name) VALUES ($1) RETURNING id",
                &[&name],
            )
            .await
            .unwrap()
            .get(0);
        orgs.push(org);
    }
    let [single, parallel, unprivileged] = orgs[..] else {
        unreachable!()
    };

    // One transaction, foreign-key checks skipped (the tests log in as a superuser).
    let summary = demo::load_scale(&client, single, scale, anchor())
        .await
        .unwrap();
    assert_eq!(summary, expected);
    let digest = fingerprint(&client, single).await;

    // Split between two connections: the same rows, and a rerun writes nothing.
    let summary = demo::load_scale_parallel(&client, &[helper], parallel, scale, anchor())
        .await
        .unwrap();
    assert_eq!(summary, expected);
    assert_eq!(fingerprint(&client, parallel).await, digest);
    let last_write = "SELECT extract(epoch FROM max(updated_at))::bigint FROM activities WHERE organization_id = $1";
    let written = scalar(&client, last_write, parallel).await;
    let helper = db.client().await;
    demo::load_scale_parallel(&client, &[helper], parallel, scale, anchor())
        .await
        .unwrap();
    assert_eq!(fingerprint(&client, parallel).await, digest);
    assert_eq!(scalar(&client, last_write, parallel).await, written);

    // A row changed since is restored, and marked as updated although no trigger ran.
    client
        .execute(
            "UPDATE activities SET subject = 'tampered', updated_at = '2000-01-01'
             WHERE organization_id = $1 AND source_id = 'activity-0000007'",
            &[&single],
        )
        .await
        .unwrap();
    demo::load_scale(&client, single, scale, anchor())
        .await
        .unwrap();
    assert_eq!(fingerprint(&client, single).await, digest);
    let restored = scalar(
        &client,
        "SELECT count(*) FROM activities WHERE organization_id = $1 AND source_id = 'activity-0000007'
           AND updated_at > '2020-01-01'",
        single,
    )
    .await;
    assert_eq!(restored, 1);

    // A login that may not skip the foreign-key checks loads with them. (The migrations run by
    // a superuser keep advisory locks to the owner, and the owner bypasses row-level security.)
    let role = format!("revtops_demo_{}", Uuid::new_v4().simple());
    client
        .batch_execute(&format!(
            "CREATE ROLE {role} NOSUPERUSER BYPASSRLS; GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};
             GRANT EXECUTE ON FUNCTION pg_advisory_xact_lock(bigint), pg_advisory_lock(bigint) TO {role};
             SET ROLE {role}"
        ))
        .await
        .unwrap();
    let refused = client
        .batch_execute("SET session_replication_role = replica")
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
    let summary = demo::load_scale(&client, unprivileged, scale, anchor()).await;
    client
        .batch_execute(&format!(
            "RESET ROLE; DROP OWNED BY {role}; DROP ROLE {role}"
        ))
        .await
        .unwrap();
    assert_eq!(summary.unwrap(), expected);
    assert_eq!(fingerprint(&client, unprivileged).await, digest);
}
