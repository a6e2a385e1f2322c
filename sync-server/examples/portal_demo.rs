//! `make run-server`: a real sync server over a fresh Postgres database holding a demo store
//! whose three terminals pushed a generated 90-day history (`sync_server::demo`) through the
//! sync API, as tills do; then it prints the portal's address and the demo sign-ins and serves
//! until Ctrl-C. `make portal-e2e` starts it with a shorter history.
//!
//! Environment: `DEMO_ADMIN_URL` (Postgres to create the database in, default the local
//! `postgres`), `DEMO_DATABASE` (`pos_demo`), `POS_LISTEN` (127.0.0.1:8080),
//! `DEMO_DAYS` (90), `DEMO_SALES_PER_DAY` (per terminal, 60).

use anyhow::Context;
use pos_shared::api::{
    EnrollRequest, EnrollResponse, Envelope, PushEntry, PushRequest, PushResponse, PROTOCOL_VERSION,
};
use sync_server::demo::{self, Rng, Till};
use sync_server::{admin, Application, Settings};
use uuid::Uuid;

const PASSWORD: &str = "demo-portal-2026";
const DAY_MS: i64 = 86_400_000;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn entry(
    seq: i64,
    kind: &str,
    id: String,
    body: &impl serde::Serialize,
) -> anyhow::Result<PushEntry> {
    use base64::Engine;
    let hlc = format!("{:015}-000000-0000000000000001", seq);
    Ok(PushEntry {
        seq,
        kind: kind.into(),
        entity_id: id,
        hlc,
        body: base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(body)?),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let admin_url = env_or(
        "DEMO_ADMIN_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    );
    let db = env_or("DEMO_DATABASE", "pos_demo");
    let days: i64 = env_or("DEMO_DAYS", "90").parse().context("DEMO_DAYS")?;
    let per_day: usize = env_or("DEMO_SALES_PER_DAY", "60")
        .parse()
        .context("DEMO_SALES_PER_DAY")?;
    if !db.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        anyhow::bail!("DEMO_DATABASE must be letters, digits and _");
    }
    let root = sqlx::PgPool::connect(&admin_url)
        .await
        .context("Postgres (make deps-postgres)")?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
    )))
    .execute(&root)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&root)
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&admin_url);
    let mut settings = Settings::from_env()?;
    settings.database_url = format!("{base}/{db}");
    if std::env::var("POS_LISTEN").is_err() {
        settings.listen = "127.0.0.1:8080".parse()?;
    }
    // The demo pushes its history as fast as it can; no till does that.
    settings.rate_per_second = 0.0;
    let app = Application::build(settings).await?;
    let url = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    let server = tokio::spawn(app.run_until_stopped());

    let store = admin::create_store(&pool, "Superette El Baraka").await?;
    let other = admin::create_store(&pool, "Superette Ennour").await?;
    admin::create_user(&pool, "owner@demo.dz", "owner", PASSWORD, &[]).await?;
    admin::create_user(&pool, "manager@demo.dz", "manager", PASSWORD, &[store]).await?;
    admin::create_user(
        &pool,
        "accountant@demo.dz",
        "accountant",
        PASSWORD,
        &[store],
    )
    .await?;

    let http = reqwest::Client::new();
    let mut rng = Rng::new(2026);
    // Today's local midnight (the demo stores are in Africa/Algiers, UTC+1).
    let now = sync_server::now_ms();
    let today = (now + 3_600_000).div_euclid(DAY_MS) * DAY_MS - 3_600_000;
    let mut lines = 0usize;
    let mut sales = 0usize;
    for (s, name, tills) in [(store, "El Baraka", 3), (other, "Ennour", 1)] {
        let products = demo::catalog(s);
        let cashiers: Vec<Uuid> = (0..3).map(|_| rng.uuid()).collect();
        for (i, (id, who)) in cashiers
            .iter()
            .zip(["Amina", "Yacine", "Karim"])
            .enumerate()
        {
            sqlx::query("INSERT INTO staff (store_id, id, name, role, pin_hash) VALUES ($1, $2, $3, $4, 'demo')")
                .bind(s).bind(id).bind(who).bind(if i == 2 { "manager" } else { "cashier" })
                .execute(&pool).await?;
        }
        for n in 0..tills {
            let code = admin::enrollment_code(&pool, s).await?;
            let req = EnrollRequest {
                protocol: PROTOCOL_VERSION,
                code,
                name: format!("Caisse {} ({name})", n + 1),
                // the 90 days it pushes were rung up before it was enrolled
                setup_through: i64::MAX,
                enrolled_as: None,
            };
            let e: Envelope<EnrollResponse> = http
                .post(format!("{url}/v1/devices/enroll"))
                .json(&req)
                .send()
                .await?
                .json()
                .await?;
            let t = e
                .into_result()
                .map_err(|e| anyhow::anyhow!("enrol: {}", e.message))?;
            let mut till = Till::new(&mut rng, s, cashiers.clone());
            let mut entries = Vec::new();
            if n == 0 {
                for p in &products {
                    entries.push(entry(0, "product_genesis", p.id.to_string(), p)?);
                }
            }
            let mut drawer = Vec::new();
            for d in (0..days).rev() {
                let start = today - d * DAY_MS;
                let day = demo::day(&mut rng, &mut till, &products, start, per_day);
                // Today's shift is still open: what lies after now has not happened yet.
                for e in demo::shift(&mut rng, &mut till, start, &day) {
                    if e.hlc.wall_ms <= now {
                        drawer.push(entry(0, "shift_event", e.id.to_string(), &e)?);
                    }
                }
                for sale in day {
                    if sale.created_at_ms > now {
                        continue;
                    }
                    lines += sale.lines.len();
                    sales += 1;
                    entries.push(entry(0, "sale", sale.id.to_string(), &sale)?);
                }
            }
            entries.extend(drawer);
            for (i, e) in entries.iter_mut().enumerate() {
                e.seq = i as i64 + 1;
            }
            for chunk in entries.chunks(500) {
                let req = PushRequest {
                    protocol: PROTOCOL_VERSION,
                    device_id: t.device_id,
                    entries: chunk.to_vec(),
                };
                let r: Envelope<PushResponse> = http
                    .post(format!("{url}/v1/sync/push"))
                    .bearer_auth(&t.token)
                    .json(&req)
                    .send()
                    .await?
                    .json()
                    .await?;
                let r = r
                    .into_result()
                    .map_err(|e| anyhow::anyhow!("push: {}", e.message))?;
                if !r.rejected.is_empty() {
                    anyhow::bail!("the server refused demo entries: {:?}", r.rejected);
                }
            }
        }
    }
    // One terminal that has not synced for two days, as the portal should point out.
    sqlx::query(
        "UPDATE devices SET last_seen_at = now() - interval '2 days' WHERE name LIKE 'Caisse 3%'",
    )
    .execute(&pool)
    .await?;
    let till_code = admin::enrollment_code(&pool, store).await?;
    println!("portal: {url}/");
    println!(
        "history: {sales} receipts, {lines} sale lines over {days} days, 4 terminals, 2 stores"
    );
    println!("sign in: owner@demo.dz, manager@demo.dz or accountant@demo.dz, password {PASSWORD}");
    println!("enrol the demo till of `make run`: pos --data-dir .pos-data enroll --server {url} --code {till_code}");
    println!("database: {db}; Ctrl-C stops the server");
    server.await??;
    Ok(())
}
