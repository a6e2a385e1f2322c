//! The interactive till in a terminal (`pos till`): a USB scanner types barcodes followed by
//! Enter, which is exactly a line here. Also the soak loop used by the crash-safety test.

use std::io::{BufRead, Write};

use pos_core::till::{CartView, ItemSpec, ShiftReport, TenderInput};
use pos_core::{PosError, Result, Session, Till};
use pos_shared::{Discount, Money, Tender};
use rand::{Rng, SeedableRng};

const HELP: &str = "\
  BARCODE | CODE*QTY     add an item (scan or type)
  qty [LINE] N           set the quantity (last line by default)
  rm LINE                remove a line
  disc [LINE] 10% | 50   discount on a line, or on the whole order
  find TEXT              search the catalog
  pay cash [AMOUNT] | pay card [AMOUNT] [REF] | pay card 300 cash 500   tender
  park [LABEL] | parked | recall N
  void yes               empty the cart (say yes: its lines are lost)
  x                      X report        close AMOUNT   close the shift on the cash counted (0 if none)
  help | quit
";

pub fn report_text(title: &str, r: &ShiftReport) -> String {
    let mut s = format!(
        "===== {title} =====\nTerminal : {}\nOuvert par : {}\n",
        r.terminal, r.opened_by
    );
    if let Some(float) = r.float {
        s += &format!("Fond de caisse      {:>16}\n", float.to_string());
    }
    // A blind report counts the sales and refunds without their amounts.
    let text = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
    s += &format!(
        "Ventes ({:>4})       {:>16}\n",
        r.sales_count,
        text(r.sales_total)
    );
    s += &format!(
        "Remboursements ({:>3}) {:>15}\n",
        r.refunds_count,
        text(r.refunds_total)
    );
    if let (Some(net), Some(discounts)) = (r.net_total, r.discounts) {
        s += &format!("Net                 {:>16}\n", net.to_string());
        s += &format!("Remises accordées   {:>16}\n", discounts.to_string());
    }
    for t in &r.by_tender {
        let name = match t.tender {
            Tender::Cash => "Espèces",
            Tender::Card => "Carte",
        };
        s += &format!(
            "{name:<8} ventes {:>14}  remb. {:>14}  net {:>14}\n",
            t.sales.to_string(),
            t.refunds.to_string(),
            t.net.to_string()
        );
    }
    for t in &r.taxes {
        s += &format!(
            "TVA {:<6} HT {:>14}  TVA {:>14}  TTC {:>14}\n",
            t.rate.to_string(),
            t.base.to_string(),
            t.tax.to_string(),
            t.total.to_string()
        );
    }
    if let (Some(cash_in), Some(cash_out)) = (r.cash_in, r.cash_out) {
        s += &format!(
            "Entrées / sorties   {:>16} / {}\n",
            cash_in.to_string(),
            cash_out
        );
    }
    match r.expected_cash {
        Some(expected) => s += &format!("Espèces attendues   {:>16}\n", expected.to_string()),
        None => s += "Comptage à l'aveugle : le tiroir se compte à la clôture\n",
    }
    if let (Some(c), Some(d)) = (r.counted_cash, r.difference) {
        s += &format!(
            "Espèces comptées    {:>16}\nÉcart               {:>16}\n",
            c.to_string(),
            d.to_string()
        );
    }
    s
}

fn show_cart(cart: &CartView) {
    for l in &cart.lines {
        println!(
            "{:>3}  {:<36} {:>8} x {:>10} {:>12}",
            l.line.line_no,
            l.line.name,
            l.line.unit.quantity_text(l.line.qty),
            l.line.unit_price.format_plain(),
            l.net.format_plain()
        );
    }
    if !cart.discount_total.is_zero() {
        println!("     Remises {:>50}", (-cart.discount_total).to_string());
    }
    println!("     TOTAL {:>52}", cart.total.to_string());
}

/// `pay cash 1000 card 500 REF`: each method with the words after it (amount, reference).
fn parse_tenders(words: &[&str]) -> Result<Vec<TenderInput>> {
    let mut groups: Vec<Vec<&str>> = Vec::new();
    for w in words {
        if Tender::parse(w).is_ok() {
            groups.push(vec![w]);
        } else {
            groups
                .last_mut()
                .ok_or_else(|| PosError::Invalid("say cash or card first".into()))?
                .push(w);
        }
    }
    let mut tenders = groups
        .iter()
        .map(|g| {
            TenderInput::new(g[0], g.get(1).copied(), g.get(2).copied()).map_err(PosError::from)
        })
        .collect::<Result<Vec<_>>>()?;
    if tenders.is_empty() {
        tenders.push(TenderInput {
            tender: Tender::Cash,
            amount: None,
            reference: None,
        });
    }
    Ok(tenders)
}

fn prompt(
    label: &str,
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> Option<String> {
    print!("{label}");
    let _ = std::io::stdout().flush();
    lines
        .next()
        .and_then(|l| l.ok())
        .map(|l| l.trim().to_owned())
}

/// Runs the till until `quit` or end of input.
pub fn run(mut till: Till) -> Result<()> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    println!("{} — {}", till.info().store_name, till.info().terminal_name);
    let session = loop {
        let Some(pin) = prompt("PIN: ", &mut lines) else {
            return Ok(());
        };
        match till.login(&pin) {
            Ok(s) => break s,
            Err(e) => println!("{e}"),
        }
    };
    println!(
        "Bonjour {} ({}). Type help for the commands.",
        session.name,
        session.role.as_str()
    );
    if till.open_shift_id()?.is_none() {
        loop {
            let Some(float) = prompt("No shift open. Cash float (DA): ", &mut lines) else {
                return Ok(());
            };
            match Money::parse(&float)
                .map_err(|e| PosError::InvalidAmount {
                    input: float.clone(),
                    reason: e.to_string(),
                })
                .and_then(|f| till.open_shift(&session, f))
            {
                Ok(_) => break,
                Err(e) => println!("{e}"),
            }
        }
    }
    while let Some(line) = prompt("> ", &mut lines) {
        if line.is_empty() {
            continue;
        }
        match command(&mut till, &session, &line) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => println!("!! {e}"),
        }
    }
    Ok(())
}

fn last_line(till: &Till) -> Result<u32> {
    till.cart()?
        .lines
        .last()
        .map(|l| l.line.line_no)
        .ok_or(PosError::EmptyCart)
}

fn command(till: &mut Till, s: &Session, line: &str) -> Result<bool> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let num = |w: &str| {
        w.parse::<i64>()
            .map_err(|_| PosError::Invalid(format!("{w:?} is not a number")))
    };
    match words.as_slice() {
        ["quit" | "exit"] => return Ok(false),
        ["help" | "?"] => print!("{HELP}"),
        ["qty", n] => {
            let l = last_line(till)?;
            show_cart(&till.set_qty(s, l, num(n)?)?)
        }
        ["qty", l, n] => show_cart(&till.set_qty(s, num(l)? as u32, num(n)?)?),
        ["rm", l] => show_cart(&till.remove_line(s, num(l)? as u32)?),
        ["disc", d] => show_cart(&till.discount_order(s, Some(discount(d)?), None)?),
        ["disc", l, d] => {
            show_cart(&till.discount_line(s, num(l)? as u32, Some(discount(d)?), None)?)
        }
        ["find", rest @ ..] => {
            for h in till.find_products(&rest.join(" "), 10)? {
                println!(
                    "{:<14} {:<40} {:>14}",
                    h.barcode
                        .as_deref()
                        .map(super::commands::code_text)
                        .unwrap_or_else(|| h.sku.clone()),
                    h.name_fr,
                    h.price.to_string()
                );
            }
        }
        ["total"] => show_cart(&till.cart()?),
        ["park", label @ ..] => {
            let p = till.park(s, (!label.is_empty()).then(|| label.join(" ")).as_deref())?;
            println!("parked {} ({} lines, {})", p.id, p.lines, p.total);
        }
        ["parked"] => {
            for (i, p) in till.parked()?.iter().enumerate() {
                println!(
                    "{:>2}  {}  {} lines  {}",
                    i + 1,
                    p.label.as_deref().unwrap_or("-"),
                    p.lines,
                    p.total
                );
            }
        }
        ["recall", n] => {
            let parked = till.parked()?;
            let p = parked
                .get((num(n)? as usize).wrapping_sub(1))
                .ok_or_else(|| PosError::UnknownCart((*n).to_owned()))?;
            show_cart(&till.recall(s, &p.id)?);
        }
        ["void"] | ["void", "yes"] => {
            till.void_cart(s, words.get(1) == Some(&"yes"))?;
            println!("cart emptied")
        }
        ["x"] => print!("{}", report_text("RAPPORT X", &till.x_report(Some(s))?)),
        ["close", rest @ ..] => {
            let counted = pos_core::till::parse_count(&rest.join(" "))?;
            print!(
                "{}",
                report_text("RAPPORT Z", &till.close_shift(s, counted)?)
            );
            return Ok(false);
        }
        ["pay", rest @ ..] => {
            let sale = till.complete_sale(s, &parse_tenders(rest)?)?;
            print!("{}", super::commands::receipt_text(till, &sale));
            if !sale.change.is_zero() {
                println!(">>> RENDU {}", sale.change);
            }
        }
        [code] => {
            let spec: ItemSpec = code.parse()?;
            show_cart(&till.scan(s, &spec.code, spec.qty)?);
        }
        _ => println!("?? type help"),
    }
    Ok(true)
}

fn discount(d: &str) -> Result<Discount> {
    Ok(Discount::parse(d)?)
}

/// Rings up `count` random sales of catalog products, printing `SALE <id> <receipt>` after each
/// commit, so a parent process knows exactly which sales it must find after killing this one.
pub fn soak(till: &mut Till, s: &Session, count: usize, seed: u64) -> Result<()> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let codes = till.sellable_barcodes(500)?;
    if codes.is_empty() {
        return Err(PosError::Invalid(
            "the catalog has no barcoded products to sell".into(),
        ));
    }
    if till.open_shift_id()?.is_none() {
        till.open_shift(s, Money::from_dinars(5000))?;
    }
    let mut out = std::io::stdout().lock();
    for _ in 0..count {
        let n = rng.random_range(1..=6);
        let items: Vec<ItemSpec> = (0..n)
            .map(|_| ItemSpec {
                code: codes[rng.random_range(0..codes.len())].clone(),
                qty: Some(rng.random_range(1..=3)),
            })
            .collect();
        let tender = if rng.random_bool(0.7) {
            Tender::Cash
        } else {
            Tender::Card
        };
        let sale = till.quick_sale(
            s,
            &items,
            None,
            &[TenderInput {
                tender,
                amount: None,
                reference: None,
            }],
            None,
        )?;
        writeln!(out, "SALE {} {}", sale.id, sale.receipt_no)
            .map_err(|e| PosError::Invalid(e.to_string()))?;
        out.flush().map_err(|e| PosError::Invalid(e.to_string()))?;
    }
    Ok(())
}

/// Syncs once, or forever: a round every `every`, or at once when the server's live channel
/// says another terminal pushed; with backoff while the server is out of reach (1 s doubling to
/// 60 s, with jitter so a shop's terminals do not all come back at the same instant).
pub fn sync(till: &mut Till, once: bool, every: std::time::Duration, json: bool) -> Result<()> {
    let mut backoff = pos_core::sync::Backoff::default();
    let live = if once {
        None
    } else {
        Some(pos_sync_client::live_watch(till)?)
    };
    loop {
        let mut wait = every;
        match till.sync_once(&pos_sync_client::Http) {
            Ok(report) => {
                if json {
                    println!("{}", serde_json::to_string(&report).unwrap_or_default());
                } else {
                    println!(
                        "sent {} ({} rejected), received {} ({} applied), {} waiting",
                        report.pushed,
                        report.rejected,
                        report.pulled,
                        report.applied,
                        report.pending
                    );
                }
                backoff.reset();
            }
            Err(e @ (PosError::Offline { .. } | PosError::RateLimited { .. })) if !once => {
                eprintln!("{e}");
                wait = backoff.after(&e, rand::random::<f64>());
            }
            Err(e) => return Err(e),
        }
        match &live {
            None => return Ok(()),
            Some(live) if wait == every => {
                live.wait(every);
            }
            Some(_) => std::thread::sleep(wait),
        }
    }
}
