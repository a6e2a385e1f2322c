//! A generated history of sales, the same for the portal's tests, `make run-server`'s demo
//! store and `make bench-portal`: a small Algerian superette's catalog (TVA 19, 9 and 0 %, some
//! products weighed), baskets with line and order discounts, cash with change, card, split
//! payments, and refunds of earlier sales. Every sale is priced by `pos_shared::pricing::price`,
//! as a till prices it. Deterministic from a seed; no IO, no clock.

use pos_shared::pricing::{self, PriceLine};
use pos_shared::{
    Discount, Hlc, Money, Payment, Product, Sale, SaleKind, SaleLine, TaxRate, Tender, Unit,
};
use uuid::Uuid;

mod shift;
pub use shift::shift;

/// A small deterministic generator (xorshift64*): the same seed, the same history.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn uuid(&mut self) -> Uuid {
        let hi = u128::from(self.next_u64());
        let lo = u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(((hi << 64) | lo).to_be_bytes()).into_uuid()
    }
}

const CATALOG: &[(&str, &str, &str, i64, u16, &str, bool)] = &[
    // sku, French, Arabic, price in centimes (per kg when weighed), TVA bp, category, weighed
    (
        "LAI-001",
        "Lait entier 1 L",
        "حليب كامل 1 ل",
        6_500,
        0,
        "Crèmerie",
        false,
    ),
    ("PAI-001", "Baguette", "خبز", 1_500, 0, "Boulangerie", false),
    (
        "SEM-001",
        "Semoule fine 1 kg",
        "سميد رقيق 1 كغ",
        11_000,
        900,
        "Épicerie",
        false,
    ),
    (
        "HUI-001",
        "Huile de tournesol 1 L",
        "زيت دوار الشمس 1 ل",
        65_000,
        900,
        "Épicerie",
        false,
    ),
    (
        "SUC-001",
        "Sucre 1 kg",
        "سكر 1 كغ",
        9_500,
        900,
        "Épicerie",
        false,
    ),
    (
        "CAF-001",
        "Café moulu 250 g",
        "قهوة مطحونة 250 غ",
        42_000,
        1900,
        "Épicerie",
        false,
    ),
    (
        "THE-001",
        "Thé vert 200 g",
        "شاي أخضر 200 غ",
        28_000,
        1900,
        "Épicerie",
        false,
    ),
    (
        "EAU-001",
        "Eau minérale 1,5 L",
        "مياه معدنية 1.5 ل",
        4_500,
        1900,
        "Boissons",
        false,
    ),
    (
        "JUS-001",
        "Jus d'orange 1 L",
        "عصير برتقال 1 ل",
        18_000,
        1900,
        "Boissons",
        false,
    ),
    (
        "SOD-001",
        "Soda 33 cl",
        "مشروب غازي 33 سل",
        9_000,
        1900,
        "Boissons",
        false,
    ),
    (
        "YAO-001",
        "Yaourt nature x4",
        "ياغورت طبيعي ×4",
        16_000,
        1900,
        "Crèmerie",
        false,
    ),
    (
        "FRO-001",
        "Fromage en portions",
        "جبن مثلثات",
        32_000,
        1900,
        "Crèmerie",
        false,
    ),
    (
        "PAT-001",
        "Pâtes 500 g",
        "عجائن 500 غ",
        12_000,
        900,
        "Épicerie",
        false,
    ),
    (
        "LES-001",
        "Lessive 2 kg",
        "مسحوق غسيل 2 كغ",
        89_000,
        1900,
        "Entretien",
        false,
    ),
    ("SAV-001", "Savon", "صابون", 7_500, 1900, "Hygiène", false),
    (
        "DEN-001",
        "Dentifrice",
        "معجون أسنان",
        21_000,
        1900,
        "Hygiène",
        false,
    ),
    (
        "TOM-KG",
        "Tomates",
        "طماطم",
        12_000,
        0,
        "Fruits et légumes",
        true,
    ),
    (
        "POM-KG",
        "Pommes de terre",
        "بطاطا",
        8_000,
        0,
        "Fruits et légumes",
        true,
    ),
    (
        "ORA-KG",
        "Oranges",
        "برتقال",
        25_000,
        0,
        "Fruits et légumes",
        true,
    ),
    (
        "DAT-KG",
        "Dattes Deglet Nour",
        "تمر دقلة نور",
        90_000,
        900,
        "Fruits et légumes",
        true,
    ),
    (
        "OLI-KG",
        "Olives vertes",
        "زيتون أخضر",
        60_000,
        900,
        "Épicerie",
        true,
    ),
    (
        "VIA-KG",
        "Viande hachée",
        "لحم مفروم",
        180_000,
        900,
        "Boucherie",
        true,
    ),
];

/// The demo catalog as products of `store` (ids derived from the store, so each store has its
/// own and the history's lines point at them).
pub fn catalog(store: Uuid) -> Vec<Product> {
    CATALOG
        .iter()
        .map(|&(sku, fr, ar, price, bp, category, weighed)| Product {
            id: Uuid::new_v5(&store, sku.as_bytes()),
            sku: sku.to_owned(),
            name_fr: fr.to_owned(),
            name_ar: ar.to_owned(),
            barcodes: vec![],
            plu: None,
            price: Money::from_centimes(price),
            tax_rate: TaxRate::from_bp(u32::from(bp)).unwrap_or(TaxRate::STANDARD),
            category: category.to_owned(),
            unit: if weighed { Unit::Kg } else { Unit::Piece },
            reorder_point: 0,
            active: true,
        })
        .collect()
}

/// One terminal's part of a history: who sells there and its receipt numbers.
#[derive(Clone, Debug)]
pub struct Till {
    pub store_id: Uuid,
    pub terminal_id: Uuid,
    pub shift_id: Uuid,
    pub cashiers: Vec<Uuid>,
    pub next_receipt: i64,
    pub node: u64,
}

impl Till {
    pub fn new(rng: &mut Rng, store_id: Uuid, cashiers: Vec<Uuid>) -> Till {
        Till {
            store_id,
            terminal_id: rng.uuid(),
            shift_id: rng.uuid(),
            cashiers,
            next_receipt: 1,
            node: rng.next_u64() >> 16,
        }
    }
}

/// A basket of 1–6 products priced as a till prices it, at `at_ms`.
pub fn sale(rng: &mut Rng, till: &mut Till, products: &[Product], at_ms: i64) -> Option<Sale> {
    let n = 1 + rng.below(6) as usize;
    let mut picked: Vec<&Product> = Vec::with_capacity(n);
    for _ in 0..n {
        let p = &products[rng.below(products.len() as u64) as usize];
        if !picked.iter().any(|q| q.id == p.id) {
            picked.push(p);
        }
    }
    let lines: Vec<PriceLine> = picked
        .iter()
        .map(|p| PriceLine {
            unit_price: p.price,
            // Weighed: 150 g to 2.5 kg, any gram; pieces: mostly one.
            qty: match p.unit {
                Unit::Kg => 150 + rng.below(2350) as i64,
                Unit::Piece => 1 + (rng.below(10) / 7) as i64,
            },
            unit: p.unit,
            tax_rate: p.tax_rate,
            discount: rng.chance(8).then_some(Discount::Percent(500)),
        })
        .collect();
    let order_discount = if rng.chance(5) {
        Some(Discount::Percent(1000))
    } else if rng.chance(3) {
        Some(Discount::Amount(Money::from_dinars(10)))
    } else {
        None
    };
    let totals = pricing::price(&lines, order_discount.as_ref()).ok()?;
    let total = totals.total;
    let payments = payments(rng, total);
    let change = payments
        .iter()
        .map(|p| p.tendered - p.amount)
        .fold(Money::ZERO, |a, b| a + b);
    let sale_lines = picked
        .iter()
        .zip(&lines)
        .zip(&totals.lines)
        .enumerate()
        .map(|(i, ((p, l), t))| SaleLine {
            line_no: i as u32 + 1,
            product_id: p.id,
            sku: p.sku.clone(),
            name: p.name_fr.clone(),
            barcode: None,
            unit: p.unit,
            qty: l.qty,
            unit_price: p.price,
            tax_rate: p.tax_rate,
            discount: l.discount,
            gross: t.gross,
            line_discount: t.line_discount,
            order_discount: t.order_discount,
            net: t.net,
        })
        .collect();
    let receipt_no = till.next_receipt;
    till.next_receipt += 1;
    let cashier = till.cashiers[rng.below(till.cashiers.len() as u64) as usize];
    Some(Sale {
        id: rng.uuid(),
        kind: SaleKind::Sale,
        refund_of: None,
        store_id: till.store_id,
        terminal_id: till.terminal_id,
        receipt_no,
        shift_id: till.shift_id,
        cashier_id: cashier,
        hlc: Hlc::new(at_ms, 0, till.node),
        created_at_ms: at_ms,
        lines: sale_lines,
        order_discount,
        subtotal: totals.subtotal,
        discount_total: totals.discount_total,
        total,
        taxes: totals.taxes,
        payments,
        change,
    })
}

/// Cash (often with change), card, or both.
fn payments(rng: &mut Rng, total: Money) -> Vec<Payment> {
    let cash = |amount: Money, rng: &mut Rng| {
        // Handed over: the amount rounded up to the next 100 DA, sometimes exact.
        let up = (amount.centimes() + 9_999) / 10_000 * 10_000;
        let tendered = if rng.chance(30) {
            amount
        } else {
            Money::from_centimes(up)
        };
        Payment {
            tender: Tender::Cash,
            amount,
            tendered,
            reference: None,
        }
    };
    match rng.below(10) {
        0..=5 => vec![cash(total, rng)],
        6..=8 => vec![Payment {
            tender: Tender::Card,
            amount: total,
            tendered: total,
            reference: Some("CIB".into()),
        }],
        _ => {
            let card = Money::from_centimes(total.centimes() / 2);
            vec![
                Payment {
                    tender: Tender::Card,
                    amount: card,
                    tendered: card,
                    reference: Some("CIB".into()),
                },
                cash(total - card, rng),
            ]
        }
    }
}

/// A refund of the first line of `of`, whole, in cash, as a till records it (positive
/// amounts), at `at_ms`.
pub fn refund(rng: &mut Rng, till: &mut Till, of: &Sale, at_ms: i64) -> Option<Sale> {
    let line = of.lines.first()?.clone();
    let taxes = pricing::taxes_of_nets(&[(line.tax_rate, line.net)]).ok()?;
    let receipt_no = till.next_receipt;
    till.next_receipt += 1;
    Some(Sale {
        id: rng.uuid(),
        kind: SaleKind::Refund,
        refund_of: Some(of.id),
        terminal_id: till.terminal_id,
        receipt_no,
        shift_id: till.shift_id,
        hlc: Hlc::new(at_ms, 0, till.node),
        created_at_ms: at_ms,
        subtotal: line.gross,
        discount_total: line.gross - line.net,
        total: line.net,
        taxes,
        payments: vec![Payment {
            tender: Tender::Cash,
            amount: line.net,
            tendered: line.net,
            reference: None,
        }],
        change: Money::ZERO,
        order_discount: None,
        lines: vec![line],
        ..of.clone()
    })
}

/// A day of trade at one till: `count` sales between 08:00 and 21:00 local time (UTC+1, the
/// demo stores' zone), some refunded an hour or so later. `day_start_ms` is the local midnight.
pub fn day(
    rng: &mut Rng,
    till: &mut Till,
    products: &[Product],
    day_start_ms: i64,
    count: usize,
) -> Vec<Sale> {
    const HOUR: i64 = 3_600_000;
    let mut out = Vec::with_capacity(count + count / 20);
    let mut at = day_start_ms + 8 * HOUR;
    let step = (13 * HOUR) / count.max(1) as i64;
    for _ in 0..count {
        at += 1 + rng.below(step.max(2) as u64) as i64;
        if let Some(s) = sale(rng, till, products, at) {
            if rng.chance(3) {
                if let Some(r) = refund(rng, till, &s, at + HOUR / 2) {
                    out.push(s);
                    out.push(r);
                    continue;
                }
            }
            out.push(s);
        }
    }
    out.sort_by_key(|s| s.created_at_ms);
    out
}
