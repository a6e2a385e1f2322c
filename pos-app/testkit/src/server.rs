//! What the sync tests share: a real sync server over a fresh Postgres database, and a till
//! with a manager logged in.

use std::path::Path;
use std::sync::Arc;

use pos_core::{Session, Till};
use pos_shared::{FixedClock, Role, SeqIds};
use sync_server::{Application, Settings};

/// Starts a sync server on 127.0.0.1:0 over a new database named `{prefix}_{uuid}`; answers
/// its URL and a pool on its database.
pub fn server(rt: &tokio::runtime::Runtime, prefix: &str) -> (String, sqlx::PgPool) {
    server_with(rt, prefix, |_| {})
}

/// The same with settings changed by `configure`.
pub fn server_with(
    rt: &tokio::runtime::Runtime,
    prefix: &str,
    configure: impl FnOnce(&mut Settings),
) -> (String, sqlx::PgPool) {
    rt.block_on(async {
        let admin_pool = sqlx::PgPool::connect("postgres://postgres@127.0.0.1:5432/postgres")
            .await
            .unwrap();
        let db = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&admin_pool)
            .await
            .unwrap();
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("postgres://postgres@127.0.0.1:5432/{db}"),
            ..Settings::default()
        };
        configure(&mut settings);
        let app = Application::build(settings).await.unwrap();
        let url = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        tokio::spawn(app.run_until_stopped());
        (url, pool)
    })
}

/// A new till in `dir` (ids from `stream`, so tills never collide) with Karim, a manager,
/// logged in.
pub fn till(dir: &Path, name: &str, stream: u16, clock: &Arc<FixedClock>) -> (Till, Session) {
    let mut till = Till::init(
        dir,
        "Superette",
        name,
        clock.clone(),
        Arc::new(SeqIds::with_stream(stream)),
    )
    .unwrap();
    till.add_user(None, "Karim", Role::Manager, "9999").unwrap();
    let karim = till.login("9999").unwrap();
    (till, karim)
}

/// One product, 50 in stock: Semoule moyenne Sim 1 kg, barcode [`SEMOULE`], 110,00 DA.
pub const ONE_PRODUCT_CSV: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
EPI-0001,6130502000100,,Semoule moyenne Sim 1 kg,سميد,épicerie,\"110,00\",0,piece,10,50\n";
pub const SEMOULE: &str = "6130502000100";

/// [`till`] with [`ONE_PRODUCT_CSV`] imported by its manager (its set-up before any server).
pub fn stocked_till(
    dir: &Path,
    name: &str,
    stream: u16,
    clock: &Arc<FixedClock>,
) -> (Till, Session) {
    let (mut till, karim) = till(dir, name, stream, clock);
    let file = dir.join("catalog.csv");
    std::fs::write(&file, ONE_PRODUCT_CSV).unwrap();
    till.import_catalog(Some(&karim), &file, &mut |_, _| {})
        .unwrap();
    (till, karim)
}
