//! One function per verb: parse the arguments into domain values, call the till, print.

use std::io::IsTerminal;
use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_core::{PosError, Result, Session, Till};
use pos_print::TillPrinting;
use pos_shared::{Discount, Money, Role, Sale};
use pos_system::{RandomIds, SystemClock};
use serde::Serialize;

use super::{Actor, CatalogVerb, Cli, ShiftVerb, StockVerb, UserVerb, Verb};

pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) {
    if json {
        match serde_json::to_string(value) {
            Ok(s) => println!("{s}"),
            Err(e) => println!("{{\"error\":{{\"code\":\"OUTPUT\",\"message\":\"{e}\"}}}}"),
        }
    } else {
        print!("{}", human());
    }
}

pub fn open(cli: &Cli) -> Result<Till> {
    Till::open(&cli.data_dir, Arc::new(SystemClock), Arc::new(RandomIds))
}

pub fn login(till: &mut Till, actor: &Actor) -> Result<Session> {
    let pin = actor
        .pin
        .as_deref()
        .ok_or_else(|| PosError::Invalid("say who is doing this with --pin PIN".into()))?;
    till.login(pin)
}

fn money(s: &str) -> Result<Money> {
    Money::parse(s).map_err(|e| PosError::InvalidAmount {
        input: s.to_owned(),
        reason: e.to_string(),
    })
}

fn parse_all<T>(items: &[String]) -> Result<Vec<T>>
where
    T: std::str::FromStr,
    PosError: From<T::Err>,
{
    items
        .iter()
        .map(|s| s.parse().map_err(PosError::from))
        .collect()
}

/// A completed sale's receipt as text for the terminal. The sale is recorded whatever happens
/// here, so a receipt that cannot be drawn is said, not turned into a failed command.
pub fn receipt_text(till: &Till, sale: &Sale) -> String {
    till.receipt_text(sale)
        .unwrap_or_else(|e| format!("(the receipt could not be drawn: {e})\n"))
}

/// A stored GTIN-14 as printed on the pack (EAN-13, UPC-A, EAN-8).
pub fn code_text(gtin14: &str) -> String {
    pos_shared::Gtin::parse(gtin14)
        .map(|g| g.to_string())
        .unwrap_or_else(|_| gtin14.to_owned())
}

pub fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    match &cli.verb {
        Verb::ScanImage { files } => super::scan::scan_images(files, json)?,
        Verb::Barcode { format, text, out } => super::scan::barcode(format, text, out)?,
        Verb::ScanCamera { device, seconds } => super::scan::scan_camera(*device, *seconds, json)?,
        Verb::Init { store, terminal } => {
            let till = Till::init(
                &cli.data_dir,
                store,
                terminal,
                Arc::new(SystemClock),
                Arc::new(RandomIds),
            )?;
            emit(json, till.info(), || {
                format!(
                    "till ready: {} / {} in {}\n",
                    store,
                    terminal,
                    cli.data_dir.display()
                )
            });
        }
        Verb::Catalog(CatalogVerb::Import { file, actor }) => {
            let mut till = open(&cli)?;
            let session = match actor.pin {
                Some(_) => Some(login(&mut till, actor)?),
                None => None,
            };
            let bar = (!json && std::io::stderr().is_terminal()).then(|| {
                let bar = indicatif::ProgressBar::new(0);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {pos}/{len} products ({eta})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar
            });
            let report = till.import_catalog(session.as_ref(), file, &mut |done, total| {
                if let Some(bar) = &bar {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                }
            })?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            emit(json, &report, || {
                let mut s = format!(
                    "{} rows: {} created, {} updated, {} unchanged, {} rejected\n",
                    report.rows,
                    report.created,
                    report.updated,
                    report.unchanged,
                    report.errors.len()
                );
                for e in &report.errors {
                    s += &format!("  line {}: {} {}\n", e.line, e.sku, e.message);
                }
                s
            });
        }
        Verb::Catalog(CatalogVerb::Find { text, limit }) => {
            let till = open(&cli)?;
            let hits = till.find_products(&text.join(" "), *limit)?;
            emit(json, &serde_json::json!({ "products": hits }), || {
                hits.iter()
                    .map(|h| {
                        format!(
                            "{:<14} {:<40} {:>14}  stock {}\n",
                            h.barcode
                                .as_deref()
                                .map(code_text)
                                .unwrap_or_else(|| h.sku.clone()),
                            h.name_fr,
                            h.price.to_string(),
                            h.unit.quantity_text(h.stock)
                        )
                    })
                    .collect()
            });
        }
        Verb::User(UserVerb::Add {
            name,
            role,
            pin,
            by,
        }) => {
            let mut till = open(&cli)?;
            let role = Role::parse(role).map_err(|_| {
                PosError::Invalid(format!("role {role:?}: use cashier, manager or admin"))
            })?;
            let by = match by {
                Some(p) => Some(till.login(p)?),
                None => None,
            };
            let user = till.add_user(by.as_ref(), name, role, pin)?;
            emit(json, &user, || {
                format!("added {} ({})\n", user.name, user.role.as_str())
            });
        }
        Verb::User(UserVerb::Import { file, by }) => {
            let mut till = open(&cli)?;
            let added = import_users(&mut till, file, by.as_deref())?;
            emit(json, &serde_json::json!({ "users": added }), || {
                added
                    .iter()
                    .map(|u| format!("added {} ({})\n", u.name, u.role.as_str()))
                    .collect()
            });
        }
        Verb::User(UserVerb::List) => {
            let till = open(&cli)?;
            let users = till.users()?;
            emit(json, &serde_json::json!({ "users": users }), || {
                users
                    .iter()
                    .map(|u| format!("{}  {:<8} {}\n", u.id, u.role.as_str(), u.name))
                    .collect()
            });
        }
        Verb::Shift(ShiftVerb::Open { float, actor }) => {
            let mut till = open(&cli)?;
            let s = login(&mut till, actor)?;
            let id = till.open_shift(&s, money(float)?)?;
            emit(json, &serde_json::json!({ "shift_id": id }), || {
                format!("shift {id} opened by {}\n", s.name)
            });
        }
        Verb::Shift(ShiftVerb::Close { counted, actor }) => {
            let mut till = open(&cli)?;
            let s = login(&mut till, actor)?;
            let counted = pos_core::till::parse_count(counted.as_deref().unwrap_or_default())?;
            let report = till.close_shift(&s, counted)?;
            emit(json, &report, || {
                super::repl::report_text("RAPPORT Z", &report)
            });
        }
        Verb::Shift(ShiftVerb::Report { actor }) => {
            let mut till = open(&cli)?;
            let s = match actor.pin {
                Some(_) => Some(login(&mut till, actor)?),
                None => None,
            };
            let report = till.x_report(s.as_ref())?;
            emit(json, &report, || {
                super::repl::report_text("RAPPORT X", &report)
            });
        }
        Verb::Sell {
            items,
            pay,
            discount,
            actor,
        } => {
            let mut till = open(&cli)?;
            let s = login(&mut till, actor)?;
            let items: Vec<ItemSpec> = parse_all(items)?;
            let tenders: Vec<TenderInput> = parse_all(pay)?;
            let discount = discount.as_deref().map(Discount::parse).transpose()?;
            let sale = till.quick_sale(&s, &items, discount, &tenders, actor.approve.as_deref())?;
            emit(json, &sale, || receipt_text(&till, &sale));
            super::printing::after_sale(&till, &sale.id);
        }
        Verb::Refund {
            sale,
            items,
            pay,
            actor,
        } => {
            let mut till = open(&cli)?;
            let s = login(&mut till, actor)?;
            let items: Vec<ItemSpec> = parse_all(items)?;
            let tenders: Vec<TenderInput> = parse_all(pay)?;
            let refund = till.refund(&s, sale, &items, &tenders, actor.approve.as_deref())?;
            emit(json, &refund, || receipt_text(&till, &refund));
            super::printing::after_sale(&till, &refund.id);
        }
        Verb::Stock(verb) => stock(&cli, verb)?,
        Verb::Receipt { .. }
        | Verb::Print { .. }
        | Verb::Printer(_)
        | Verb::Drawer(_)
        | Verb::Store(_) => super::printing::run(&cli)?,
        Verb::Log { limit } => {
            let till = open(&cli)?;
            let entries = till.pending_changes(*limit)?;
            let status = till.sync_status()?;
            emit(
                json,
                &serde_json::json!({ "pending": status.pending, "sync": status, "entries": entries }),
                || {
                    let mut s = match &status.server {
                        Some(server) => format!(
                            "sync server {server}, acknowledged up to {}\n",
                            status.acked_through
                        ),
                        None => "not enrolled with a sync server\n".to_owned(),
                    };
                    s += &format!("{} change(s) waiting to be sent\n", status.pending);
                    for e in &entries {
                        s += &format!(
                            "{:>6}  {:<15} {}  {}  {} bytes\n",
                            e.seq, e.kind, e.entity_id, e.hlc, e.bytes
                        );
                    }
                    for p in &status.problems {
                        s += &format!(
                            "problem ({} #{}): {} {}\n",
                            p.direction, p.reference, p.code, p.message
                        );
                    }
                    s
                },
            );
        }
        Verb::Enroll {
            server,
            code,
            trust,
            actor,
        } => {
            let mut till = open(&cli)?;
            let s = match actor.pin {
                Some(_) => Some(login(&mut till, actor)?),
                None => None,
            };
            if trust.given() {
                let was = till.server_trust()?;
                till.set_server_trust(s.as_ref(), &trust.applied_to(was))?;
            }
            let device = till.enroll(s.as_ref(), &pos_sync_client::Http, server, code)?;
            emit(json, &serde_json::json!({ "device_id": device }), || {
                format!("enrolled as device {device} with {server}\n")
            });
        }
        Verb::SyncSettings { trust, actor } => {
            let mut till = open(&cli)?;
            let mut now = till.server_trust()?;
            if trust.given() {
                let s = match actor.pin {
                    Some(_) => Some(login(&mut till, actor)?),
                    None => None,
                };
                now = till.set_server_trust(s.as_ref(), &trust.applied_to(now))?;
            }
            emit(json, &now, || {
                let ca = now.ca_file.as_ref().map_or_else(
                    || "the system's only".to_owned(),
                    |f| format!("the system's and {}", f.display()),
                );
                let plain = if now.allow_plain_http {
                    "allowed to any machine"
                } else {
                    "to this machine only"
                };
                format!("certificate authorities: {ca}\nplain http: {plain}\n")
            });
        }
        Verb::Sync { once, every } => {
            let mut till = open(&cli)?;
            let every = std::time::Duration::from_secs((*every).max(1));
            super::repl::sync(&mut till, *once, every, json)?;
        }
        Verb::Till => {
            let till = open(&cli)?;
            let _printer = super::printing::background(&cli.data_dir, &till);
            super::repl::run(till)?;
        }
        Verb::Soak { count, seed, actor } => {
            let mut till = open(&cli)?;
            let s = login(&mut till, actor)?;
            super::repl::soak(&mut till, &s, *count, *seed)?;
        }
    }
    Ok(())
}

fn stock(cli: &Cli, verb: &StockVerb) -> Result<()> {
    let mut till = open(cli)?;
    let view = match verb {
        StockVerb::Show { item } => till.stock_show(item)?,
        StockVerb::Receive {
            item,
            qty,
            reason,
            actor,
        } => {
            let s = login(&mut till, actor)?;
            till.stock_receive(&s, item, *qty, reason.as_deref())?
        }
        StockVerb::Adjust {
            item,
            delta,
            reason,
            actor,
        } => {
            let s = login(&mut till, actor)?;
            till.stock_adjust(&s, item, *delta, reason)?
        }
        StockVerb::Count { item, qty, actor } => {
            let s = login(&mut till, actor)?;
            till.stock_count(&s, item, *qty)?
        }
    };
    emit(cli.json, &view, || {
        let mut s = format!(
            "{} {}: {} in stock (reorder at {}){}\n",
            view.sku,
            view.name,
            view.unit.quantity_text(view.level),
            view.unit.quantity_text(view.reorder_point),
            if view.below_reorder {
                " — REORDER"
            } else {
                ""
            }
        );
        for m in &view.movements {
            s += &format!(
                "  {}  {:<12} {:>8}  {}\n",
                m.hlc,
                m.kind.as_str(),
                m.qty,
                m.reason.as_deref().unwrap_or("")
            );
        }
        s
    });
    Ok(())
}

#[derive(serde::Deserialize)]
struct UserRow {
    name: String,
    role: String,
    pin: String,
}

fn import_users(
    till: &mut Till,
    file: &std::path::Path,
    by: Option<&str>,
) -> Result<Vec<pos_core::users::UserInfo>> {
    let text = std::fs::read_to_string(file).map_err(|e| PosError::File {
        path: file.display().to_string(),
        detail: e.to_string(),
    })?;
    let mut rows: Vec<UserRow> = serde_json::from_str(&text).map_err(|e| PosError::File {
        path: file.display().to_string(),
        detail: e.to_string(),
    })?;
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows.drain(..) {
        let role = Role::parse(&row.role).map_err(|_| {
            PosError::Invalid(format!(
                "role {:?} of {}: use cashier, manager or admin",
                row.role, row.name
            ))
        })?;
        parsed.push((row.name, role, row.pin));
    }
    // Admins first, so that on a new till the first of them can add the rest.
    parsed.sort_by_key(|(_, role, _)| *role != Role::Admin);
    let mut by_session = match by {
        Some(pin) => Some(till.login(pin)?),
        None => None,
    };
    let mut added = Vec::new();
    for (name, role, pin) in parsed {
        let user = till.add_user(by_session.as_ref(), &name, role, &pin)?;
        if by_session.is_none() {
            by_session = Some(till.login(&pin)?);
        }
        added.push(user);
    }
    Ok(added)
}
