//! A new terminal's first sync: the catalog and the stock ledger that still counts, from the
//! server's snapshot a page at a time, instead of replaying the store's whole feed; then it
//! pulls from where the snapshot began. Each page is applied in its own transaction together
//! with where the next page starts, so an interrupted snapshot resumes where it stopped.
//! Other terminals' sales from before the snapshot are not copied: the till only needs them to
//! refund, and those are found on the server.

use pos_shared::api::SnapshotResponse;
use pos_shared::Hlc;
use uuid::Uuid;

use super::Transport;
use crate::catalog::{self, SearchBatch};
use crate::error::{PosError, Result};
use crate::stock;
use crate::store;
use crate::till::Till;

const PAGE: i64 = 2000;

impl Till {
    /// Takes the snapshot if this terminal has never pulled; the number of products read.
    pub(super) fn snapshot(&mut self, client: &dyn Transport) -> Result<usize> {
        let meta = |till: &Till, key: &str| -> Result<String> {
            Ok(till.store().meta(key)?.unwrap_or_default())
        };
        let pulled = meta(self, "pull_cursor")?.parse::<i64>().unwrap_or(0) > 0;
        if pulled || meta(self, "snapshot_done")? == "1" {
            return Ok(0);
        }
        let after = Uuid::parse_str(&meta(self, "snapshot_after")?).ok();
        let mut as_of = meta(self, "snapshot_as_of")?.parse::<i64>().ok();
        let mut read = 0;
        // The next page is fetched while this one is applied.
        let (pages, incoming) = std::sync::mpsc::sync_channel::<Result<SnapshotResponse>>(1);
        std::thread::scope(|scope| {
            scope.spawn(move || fetch(client, after, &pages));
            for page in incoming {
                let page = page?;
                let from = *as_of.get_or_insert(page.as_of);
                read += page.products.len();
                let Till { store, ctx, .. } = &mut *self;
                store.write(|tx| {
                    apply_page(tx, &page)?;
                    for m in &page.movements {
                        if let Ok(hlc) = m.hlc.parse::<Hlc>() {
                            ctx.observe(&hlc);
                        }
                    }
                    store::change_log::note_seen(tx, &ctx.observed())?;
                    store::set_meta(tx, "snapshot_as_of", &from.to_string())?;
                    let next = page.next.map(|n| n.to_string()).unwrap_or_default();
                    store::set_meta(tx, "snapshot_after", &next)?;
                    if !page.more {
                        store::set_meta(tx, "pull_cursor", &from.to_string())?;
                        store::set_meta(tx, "snapshot_done", "1")?;
                    }
                    Ok(())
                })?;
            }
            Ok(read)
        })
    }
}

/// Fetches pages from `after` until the last one, or until the applying side stops listening.
fn fetch(
    client: &dyn Transport,
    mut after: Option<Uuid>,
    pages: &std::sync::mpsc::SyncSender<Result<SnapshotResponse>>,
) {
    loop {
        let page = client.snapshot(after, PAGE);
        let next = match &page {
            Ok(p) if p.more => p.next,
            _ => None,
        };
        if pages.send(page).is_err() || next.is_none() {
            return;
        }
        after = next;
    }
}

fn apply_page(tx: &rusqlite::Connection, page: &SnapshotResponse) -> Result<()> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut search = SearchBatch::default();
    for p in &page.products {
        let doc = match &p.doc {
            Some(text) => Some(b64.decode(text.as_bytes()).map_err(|_| {
                PosError::Invalid(format!(
                    "the snapshot's document of {} is not base64",
                    p.product.id
                ))
            })?),
            None => None,
        };
        catalog::apply_snapshot(tx, &p.product, doc.as_deref(), &mut search)?;
    }
    search.flush(tx)?;
    for m in &page.movements {
        stock::record_snapshot(tx, m)?;
    }
    for m in &page.staff {
        crate::users::apply_member(tx, m)?;
    }
    Ok(())
}
