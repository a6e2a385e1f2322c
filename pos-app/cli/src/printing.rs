//! Receipts and printers: `pos receipt`, `pos print`, `pos printer …`, `pos drawer open`,
//! `pos store …`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use pos_core::printing::PrintJob;
use pos_core::{PosError, Result, Till};
use pos_print::{Format, Lang, Paper, TillPrinting};
use pos_system::SystemClock;

use super::commands::{emit, login, open};
use super::{Cli, DrawerVerb, PrinterVerb, StoreVerb, Verb};

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| PosError::File {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}

fn job_line(j: &PrintJob) -> String {
    let what = j
        .sale_id
        .map(|s| s.to_string())
        .unwrap_or_else(|| j.kind.clone());
    let err = j
        .last_error
        .as_deref()
        .map(|e| format!(" — {e}"))
        .unwrap_or_default();
    format!(
        "job {} {} {} [{}] ({} tries){err}\n",
        j.id, j.kind, what, j.state, j.attempts
    )
}

/// After `pos sell` / `pos refund`: print the receipt the sale queued, one try. A printer that
/// does not answer never fails the sale: the job waits in the queue and the cashier is told.
pub fn after_sale(till: &Till, sale: &uuid::Uuid) {
    match till.print_sale_now(sale) {
        Ok(_) => {}
        Err(e) => eprintln!("receipt not printed yet [{}]: {e}", e.code()),
    }
}

/// The print queue's worker for the interactive till, when a printer is set: receipts print
/// behind the cashier's back (within a second of the sale) and wait while the printer is away.
pub fn background(dir: &Path, till: &Till) -> Option<pos_print::worker::Worker> {
    use pos_print::worker::{Worker, WorkerOptions};
    match till.print_settings() {
        Ok(s) if s.printer.is_some() => Worker::spawn(
            dir.to_owned(),
            Arc::new(SystemClock),
            WorkerOptions::default(),
        )
        .inspect_err(|e| eprintln!("receipts will not print [{}]: {e}", e.code()))
        .ok(),
        _ => None,
    }
}

pub fn run(cli: &Cli) -> Result<()> {
    let json = cli.json;
    match &cli.verb {
        Verb::Receipt {
            sale,
            format,
            width,
            lang,
            out,
        } => {
            let till = open(cli)?;
            let sale = till.find_sale(sale)?;
            let format = Format::parse(format)?;
            let settings = till.print_settings()?;
            let lang = match lang {
                Some(l) => Lang::parse(l)?,
                None => settings.lang,
            };
            let paper = match width {
                Some(w) => Paper::parse(&w.to_string())?,
                None => settings.paper,
            };
            let bytes = till.render_receipt(&sale, paper, lang, format)?;
            output(json, &sale.id, out.as_deref(), &bytes, format)?;
        }
        Verb::Print { sale, printer } => {
            let mut till = open(cli)?;
            let id = till.queue_print(sale, printer.as_deref())?;
            let job = till.print_job_now(id)?;
            emit(json, &job, || job_line(&job));
        }
        Verb::Printer(verb) => printer(cli, verb)?,
        Verb::Drawer(DrawerVerb::Open { reason, actor }) => {
            let mut till = open(cli)?;
            let s = login(&mut till, actor)?;
            till.kick_drawer(&s, reason)?;
            emit(json, &serde_json::json!({ "drawer": "opened" }), || {
                "drawer opened (recorded)\n".into()
            });
        }
        Verb::Store(verb) => store(cli, verb)?,
        _ => {}
    }
    Ok(())
}

fn output(
    json: bool,
    sale: &uuid::Uuid,
    out: Option<&Path>,
    bytes: &[u8],
    format: Format,
) -> Result<()> {
    match out {
        Some(path) => {
            write_file(path, bytes)?;
            emit(
                json,
                &serde_json::json!({ "sale_id": sale, "file": path, "bytes": bytes.len() }),
                || format!("{} bytes written to {}\n", bytes.len(), path.display()),
            );
        }
        None if format == Format::Text => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            emit(
                json,
                &serde_json::json!({ "sale_id": sale, "text": text }),
                || text.clone(),
            );
        }
        None if json => {
            return Err(PosError::Invalid(
                "binary receipts go to a file: add --out FILE".into(),
            ))
        }
        None => {
            let mut stdout = std::io::stdout();
            stdout
                .write_all(bytes)
                .and_then(|_| stdout.flush())
                .map_err(|e| PosError::Invalid(format!("cannot write the receipt: {e}")))?;
        }
    }
    Ok(())
}

fn printer(cli: &Cli, verb: &PrinterVerb) -> Result<()> {
    let json = cli.json;
    let mut till = open(cli)?;
    match verb {
        PrinterVerb::Set {
            uri,
            paper,
            lang,
            logo,
            actor,
        } => {
            let s = login(&mut till, actor)?;
            let paper = paper.as_deref().map(Paper::parse).transpose()?;
            let lang = lang.as_deref().map(Lang::parse).transpose()?;
            till.set_printer(&s, uri, paper, lang)?;
            if let Some(logo) = logo {
                let logo = (logo.as_os_str() != "none").then_some(logo.as_path());
                if let Some(path) = logo {
                    // Refused now if it cannot be drawn, not when a receipt is due.
                    pos_print::png::load_logo(path, Paper::Mm58.dots() / 2)?;
                }
                till.set_receipt_logo(&s, logo)?;
            }
            let settings = till.print_settings()?;
            emit(json, &settings, || {
                format!(
                    "printer {} ({} mm, {})\n",
                    settings.printer.as_deref().unwrap_or("-"),
                    settings.paper.mm(),
                    settings.lang.code()
                )
            });
        }
        PrinterVerb::Test => {
            let job = till.print_test_page()?;
            emit(json, &job, || job_line(&job));
        }
        PrinterVerb::Problems => {
            let jobs = till.print_problems()?;
            emit(json, &serde_json::json!({ "problems": jobs }), || {
                if jobs.is_empty() {
                    "no printing problems\n".into()
                } else {
                    jobs.iter().map(job_line).collect()
                }
            });
        }
        PrinterVerb::Retry { job } => {
            till.retry_print(*job)?;
            let job = till.print_job_now(*job)?;
            emit(json, &job, || job_line(&job));
        }
        PrinterVerb::Flush => {
            let jobs = till.flush_print_queue()?;
            emit(json, &serde_json::json!({ "jobs": jobs }), || {
                jobs.iter().map(job_line).collect()
            });
        }
    }
    Ok(())
}

fn store(cli: &Cli, verb: &StoreVerb) -> Result<()> {
    let json = cli.json;
    let mut till = open(cli)?;
    match verb {
        StoreVerb::Set {
            name,
            address,
            nif,
            rc,
            phone,
            footer,
            verify_url,
            from,
            actor,
        } => {
            let s = login(&mut till, actor)?;
            let mut details: Vec<(String, String)> = Vec::new();
            if let Some(path) = from {
                let text = std::fs::read_to_string(path).map_err(|e| PosError::File {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                })?;
                let value: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| PosError::File {
                        path: path.display().to_string(),
                        detail: format!("not JSON: {e}"),
                    })?;
                for (_, field) in pos_core::printing::STORE_FIELDS {
                    if let Some(v) = value.get(field).and_then(|v| v.as_str()) {
                        details.push(((*field).to_owned(), v.to_owned()));
                    }
                }
            }
            for (field, v) in [
                ("name", name),
                ("address", address),
                ("nif", nif),
                ("rc", rc),
                ("phone", phone),
                ("footer", footer),
                ("verify_url", verify_url),
            ] {
                if let Some(v) = v {
                    details.push((field.to_owned(), v.clone()));
                }
            }
            till.set_store_details(&s, &details)?;
            let header = till.receipt_header()?;
            emit(json, &header, || format!("{}\n", header.name));
        }
        StoreVerb::Show => {
            let header = till.receipt_header()?;
            emit(json, &header, || {
                format!(
                    "{}\n{}\nTél. {}\nNIF {}\nRC {}\n",
                    header.name, header.address, header.phone, header.nif, header.rc
                )
            });
        }
    }
    Ok(())
}
