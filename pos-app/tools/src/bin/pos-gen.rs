//! `pos-gen` — synthetic data generator for load tests and demos.
//!
//! * `pos-gen catalog --count N [--seed S] [--out FILE]` streams a catalog CSV with the same
//!   header as `fixtures/demo-catalog.csv`: unique EAN-13s (`613` + counter + check digit) and
//!   ~3 % weighed items with unique 5-digit PLUs (no more weighed items once 99 999 are used).
//! * `pos-gen sales --catalog FILE --count N [--seed S] [--out FILE]` writes JSON lines, one sale
//!   per line: `{"items":["6130000000012*2","6130000000029"],"payments":["cash"]}`.
//!
//! Output is deterministic for a given seed. Without `--out`, output goes to stdout.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const HEADER: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock";
/// Largest counter that fits in the 9 digits left after the `613` prefix.
const MAX_EAN_COUNTER: u64 = 999_999_999;
const MAX_PLU: u32 = 99_999;
/// Fixed card part of a split payment, in centimes (100,00 DA).
const SPLIT_CARD_CENTIMES: u64 = 10_000;

/// Generate big synthetic catalogs and sales for the POS.
#[derive(Parser)]
#[command(name = "pos-gen", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a catalog CSV with N products.
    Catalog(Common),
    /// Generate N sales (JSON lines) from the barcodes of a catalog CSV.
    Sales {
        /// Catalog CSV to draw barcodes from (first column sku, second barcode).
        #[arg(long)]
        catalog: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args)]
struct Common {
    /// Number of products / sales to generate.
    #[arg(long)]
    count: u64,
    /// Random seed (same seed, same output).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output file (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug)]
enum GenError {
    /// An I/O error on a file (or `<stdout>`): (file name, error).
    Io(String, io::Error),
    /// Bad user input (command-line value or catalog content).
    Invalid(String),
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenError::Io(what, source) => write!(f, "{what}: {source}"),
            GenError::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for GenError {}

type Result<T> = std::result::Result<T, GenError>;

/// `map_err` adapter naming the file an I/O error happened on.
fn io_err(what: &str) -> impl Fn(io::Error) -> GenError + '_ {
    move |source| GenError::Io(what.to_string(), source)
}

// ----- Word lists -----

type Str = &'static str;
/// (name_fr, name_ar, tax_rate)
type Product = (Str, Str, u8);
/// (name_fr, name_ar)
type Brand = (Str, Str);
/// (label_fr, label_ar, price multiplier)
type Size = (Str, Str, f64);

struct Category {
    name: Str,
    prefix: Str,
    products: &'static [Product],
    brands: &'static [Brand],
    sizes: &'static [Size],
    /// Base price range in DA for the reference size (multiplier 1.0).
    price: (u32, u32),
}

#[rustfmt::skip]
const WEIGHT_SIZES: &[Size] = &[
    ("250 g", "250 غ", 0.3), ("500 g", "500 غ", 0.55), ("1 kg", "1 كغ", 1.0), ("5 kg", "5 كغ", 4.6),
];
#[rustfmt::skip]
const LIQUID_SIZES: &[Size] = &[
    ("33 cl", "33 سل", 0.45), ("50 cl", "50 سل", 0.6), ("1 L", "1 ل", 1.0),
    ("1,5 L", "1,5 ل", 1.35), ("2 L", "2 ل", 1.7),
];
#[rustfmt::skip]
const SMALL_SIZES: &[Size] = &[
    ("40 g", "40 غ", 0.3), ("100 g", "100 غ", 0.6), ("200 g", "200 غ", 1.0), ("400 g", "400 غ", 1.8),
];
#[rustfmt::skip]
const CARE_SIZES: &[Size] = &[
    ("100 ml", "100 مل", 0.5), ("250 ml", "250 مل", 0.8), ("500 ml", "500 مل", 1.0),
    ("750 ml", "750 مل", 1.3), ("1 L", "1 ل", 1.7),
];
#[rustfmt::skip]
const PACK_SIZES: &[Size] = &[
    ("x4", "4 قطع", 0.6), ("x6", "6 قطع", 0.8), ("x10", "10 قطع", 1.0), ("x24", "24 قطعة", 2.1),
];

#[rustfmt::skip]
const CATEGORIES: &[Category] = &[
    Category { name: "épicerie", prefix: "EPI", sizes: WEIGHT_SIZES, price: (60, 400),
        products: &[("Semoule moyenne", "سميد متوسط", 0), ("Semoule fine", "سميد رقيق", 0),
            ("Farine", "دقيق", 0), ("Sucre blanc", "سكر أبيض", 9), ("Pâtes spaghetti", "سباغيتي", 9),
            ("Couscous", "كسكس", 9), ("Riz", "أرز", 9), ("Lentilles", "عدس", 9),
            ("Pois chiches", "حمص", 9), ("Café moulu", "قهوة مطحونة", 19), ("Thé vert", "شاي أخضر", 19),
            ("Sel iodé", "ملح مُيَوَّد", 9), ("Épices ras el hanout", "رأس الحانوت", 19)],
        brands: &[("Sim", "سيم"), ("Amor Benamor", "عمر بن عمر"), ("La Belle", "لابيل"),
            ("Mahbouba", "محبوبة"), ("Metidji", "متيجي"), ("Facto", "فاكتو"), ("Safina", "سفينة")] },
    Category { name: "boissons", prefix: "BOI", sizes: LIQUID_SIZES, price: (40, 200),
        products: &[("Eau minérale", "مياه معدنية", 19), ("Eau gazeuse", "مياه غازية", 19),
            ("Limonade", "ليموناضة", 19), ("Jus d'orange", "عصير البرتقال", 19),
            ("Nectar d'abricot", "عصير المشمش", 19), ("Boisson gazeuse cola", "مشروب غازي كولا", 19),
            ("Sirop de grenadine", "شراب الرمان", 19)],
        brands: &[("Ifri", "إفري"), ("Saïda", "سعيدة"), ("Lalla Khedidja", "لالة خديجة"), ("Guedila", "قديلة"),
            ("Hamoud Boualem", "حمود بوعلام"), ("Rouiba", "رويبة"), ("Ngaous", "نقاوس"), ("Tchina", "تشينا")] },
    Category { name: "crèmerie", prefix: "CRE", sizes: SMALL_SIZES, price: (25, 450),
        products: &[("Lait UHT", "حليب معقّم", 9), ("Lben", "لبن", 9), ("Yaourt nature", "ياغورت طبيعي", 19),
            ("Yaourt aux fruits", "ياغورت بالفواكه", 19), ("Crème dessert", "كريمة تحلية", 19),
            ("Fromage fondu", "جبن مطبوخ", 19), ("Beurre", "زبدة", 19), ("Margarine", "مارغرين", 19)],
        brands: &[("Soummam", "الصومام"), ("Danone Djurdjura", "دانون جرجرة"), ("Candia", "كانديا"),
            ("Hodna", "الحضنة"), ("Trèfle", "تريفل"), ("Ramdy", "رامدي")] },
    Category { name: "boulangerie", prefix: "BOU", sizes: PACK_SIZES, price: (60, 250),
        products: &[("Pain de mie", "خبز التوست", 19), ("Biscottes", "بسكوت محمص", 19),
            ("Croissants", "كرواسون", 19), ("Brioches", "بريوش", 19), ("Pain burger", "خبز البرغر", 19)],
        brands: &[("Maison", "الدار"), ("El Baraka", "البركة"), ("Boulangerie du Centre", "مخبزة الوسط")] },
    Category { name: "hygiène", prefix: "HYG", sizes: CARE_SIZES, price: (120, 900),
        products: &[("Shampooing", "شامبو", 19), ("Gel douche", "جل استحمام", 19), ("Savon liquide", "صابون سائل", 19),
            ("Dentifrice", "معجون أسنان", 19), ("Déodorant", "مزيل العرق", 19), ("Crème hydratante", "كريم مرطب", 19)],
        brands: &[("Venus", "فينوس"), ("Colgate", "كولجيت"), ("Palmolive", "بالموليف"), ("Dove", "دوف")] },
    Category { name: "entretien", prefix: "ENT", sizes: CARE_SIZES, price: (90, 700),
        products: &[("Liquide vaisselle", "سائل غسيل الأواني", 19), ("Eau de Javel", "ماء جافيل", 19),
            ("Nettoyant sol", "منظف الأرضيات", 19), ("Lessive liquide", "سائل غسيل", 19),
            ("Adoucissant", "ملين الأقمشة", 19)],
        brands: &[("Isis", "إيزيس"), ("Aigle", "إيغل"), ("Pril", "بريل"), ("Ariel", "أريال")] },
    Category { name: "confiserie", prefix: "CNF", sizes: SMALL_SIZES, price: (20, 300),
        products: &[("Biscuits chocolat", "بسكويت بالشوكولاتة", 19), ("Gaufrettes", "ويفر", 19),
            ("Chocolat au lait", "شوكولاتة بالحليب", 19), ("Bonbons", "حلوى", 19),
            ("Chips", "شيبس", 19), ("Halwa turc", "حلوة الترك", 19)],
        brands: &[("Bimo", "بيمو"), ("Palmary", "بالماري"), ("Mordjane", "مرجان"), ("Biscuiterie", "بسكويتري")] },
    Category { name: "conserves", prefix: "CNS", sizes: SMALL_SIZES, price: (80, 400),
        products: &[("Tomate concentrée", "طماطم مركزة", 19), ("Thon à l'huile", "تونة بالزيت", 19),
            ("Sardines", "سردين", 19), ("Harissa", "هريسة", 19), ("Confiture", "مربى", 19),
            ("Petits pois", "جلبانة معلبة", 19)],
        brands: &[("Amor Benamor", "عمر بن عمر"), ("CAB", "كاب"), ("Mersa", "مرسى"), ("Tifra", "تيفرا")] },
    Category { name: "surgelés", prefix: "SUR", sizes: WEIGHT_SIZES, price: (300, 1200),
        products: &[("Frites surgelées", "بطاطا مقلية مجمدة", 19), ("Petits pois surgelés", "جلبانة مجمدة", 19),
            ("Crevettes surgelées", "قمبري مجمد", 19), ("Nuggets de poulet", "ناغتس دجاج", 19)],
        brands: &[("Bellat", "بلاط"), ("Sahara", "صحراء"), ("Frigo", "فريغو")] },
    Category { name: "bébé", prefix: "BEB", sizes: PACK_SIZES, price: (250, 1900),
        products: &[("Lait infantile", "حليب أطفال", 9), ("Couches", "حفاضات", 19),
            ("Lingettes bébé", "مناديل مبللة للأطفال", 19), ("Céréales bébé", "حبوب الأطفال", 9)],
        brands: &[("Bimbies", "بيمبيز"), ("Lilas", "ليلاس"), ("Celia", "سيليا")] },
];

/// Weighed items by category: (category, sku prefix, tax_rate, [(name_fr, name_ar, DA/kg range)])
type WeighedGroup = (Str, Str, u8, &'static [(Str, Str, (u32, u32))]);
#[rustfmt::skip]
const WEIGHED: &[WeighedGroup] = &[
    ("fruits et légumes", "FRL", 0, &[
        ("Pommes de terre", "بطاطا", (60, 120)), ("Tomates", "طماطم", (80, 200)),
        ("Oignons", "بصل", (50, 110)), ("Carottes", "جزر", (60, 130)), ("Oranges", "برتقال", (150, 300)),
        ("Bananes", "موز", (250, 400)), ("Dattes Deglet Nour", "تمر دقلة نور", (600, 1000))]),
    ("boucherie", "BCH", 9, &[
        ("Poulet entier", "دجاج كامل", (380, 550)), ("Viande hachée de bœuf", "لحم بقري مفروم", (2000, 2800)),
        ("Côtelettes d'agneau", "ضلوع الخروف", (2500, 3200)), ("Merguez", "مرقاز", (1500, 2000))]),
    ("crèmerie", "CRE", 19, &[("Fromage à la coupe", "جبن بالقطعة", (1200, 2000))]),
    ("épicerie", "EPI", 19, &[("Olives vertes", "زيتون أخضر", (450, 700)), ("Olives noires", "زيتون أسود", (500, 750))]),
];

/// Optional quality suffix of weighed items: (fr, ar), with its leading space
#[rustfmt::skip]
const GRADES: &[(Str, Str)] =
    &[("", ""), (" extra", " ممتاز"), (" bio", " عضوي"), (" 1er choix", " درجة أولى")];

// ----- Helpers -----

/// GS1 mod-10 check digit of the first 12 digits of an EAN-13 (ASCII digits).
fn ean13_check_digit(first12: &[u8]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// `613` + 9-digit counter + check digit.
fn ean13_for_counter(counter: u64) -> String {
    let body = format!("613{counter:09}");
    let check = ean13_check_digit(body.as_bytes());
    format!("{body}{check}")
}

fn is_valid_ean13(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 13 && b.iter().all(u8::is_ascii_digit) && ean13_check_digit(&b[..12]) == b[12] - b'0'
}

/// Centimes to `1250,00` (decimal comma, no thousands separator).
fn format_price(centimes: u64) -> String {
    format!("{},{:02}", centimes / 100, centimes % 100)
}

/// Parse `1250,00`, `35,5` or `120` into centimes.
fn parse_price(text: &str) -> Option<u64> {
    let text = text.trim();
    let (whole, frac) = text.split_once([',', '.']).unwrap_or((text, "00"));
    let frac: u64 = match frac.len() {
        1 => frac.parse::<u64>().ok()? * 10,
        2 => frac.parse().ok()?,
        _ => return None,
    };
    Some(whole.parse::<u64>().ok()? * 100 + frac)
}

/// Round a price in DA to a realistic shelf price, in centimes.
fn shelf_price(da: f64) -> u64 {
    if da < 100.0 {
        ((da * 2.0).round().max(1.0) as u64) * 50 // steps of 0,50 DA
    } else {
        ((da / 5.0).round() as u64) * 500 // steps of 5 DA
    }
}

/// Displays a CSV field, quoted when needed (RFC 4180).
struct Csv<'a>(&'a str);

impl fmt::Display for Csv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.contains([',', '"', '\n', '\r']) {
            write!(f, "\"{}\"", self.0.replace('"', "\"\""))
        } else {
            f.write_str(self.0)
        }
    }
}

/// Split one CSV line into fields (quoted fields and doubled quotes are handled).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => in_quotes = false,
            ('"', false) if cur.is_empty() => in_quotes = true,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// Buffered writer on `out`, or on stdout; plus a name for error messages.
fn open_output(out: Option<&Path>) -> Result<(Box<dyn Write>, String)> {
    let Some(path) = out else {
        let w = BufWriter::with_capacity(1 << 16, io::stdout().lock());
        return Ok((Box::new(w), "<stdout>".into()));
    };
    let what = path.display().to_string();
    let file = File::create(path).map_err(io_err(&what))?;
    Ok((Box::new(BufWriter::with_capacity(1 << 16, file)), what))
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

// ----- catalog -----

fn generate_catalog(opts: &Common) -> Result<()> {
    let count = opts.count;
    if count > MAX_EAN_COUNTER {
        return Err(GenError::Invalid(format!(
            "--count {count} is too large: at most {MAX_EAN_COUNTER} unique 613 barcodes exist"
        )));
    }
    let (mut w, what) = open_output(opts.out.as_deref())?;
    let io = io_err(&what);
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut next_plu: u32 = 1;

    writeln!(w, "{HEADER}").map_err(&io)?;
    for i in 1..=count {
        if next_plu <= MAX_PLU && rng.random_bool(0.03) {
            let (category, prefix, tax, group) = pick(&mut rng, WEIGHED);
            let (fr, ar, (lo, hi)) = pick(&mut rng, group);
            let (grade_fr, grade_ar) = pick(&mut rng, GRADES);
            let price = format_price(shelf_price(f64::from(rng.random_range(lo..=hi))));
            let reorder = rng.random_range(4..=16) * 500; // grams
            let stock = rng.random_range(0..=120) * 500; // grams
            writeln!(
                w,
                "{prefix}-{i:07},,{next_plu:05},{},{},{category},\"{price}\",{tax},kg,{reorder},{stock}",
                Csv(&format!("{fr}{grade_fr}")),
                Csv(&format!("{ar}{grade_ar}")),
            )
            .map_err(&io)?;
            next_plu += 1;
        } else {
            let cat = &CATEGORIES[rng.random_range(0..CATEGORIES.len())];
            let (pfr, par, tax) = pick(&mut rng, cat.products);
            let (bfr, bar) = pick(&mut rng, cat.brands);
            let (sfr, sar, mult) = pick(&mut rng, cat.sizes);
            let base = f64::from(rng.random_range(cat.price.0..=cat.price.1));
            let price = format_price(shelf_price(base * mult));
            let reorder: u32 = rng.random_range(2..=24);
            let stock: u32 = rng.random_range(0..=reorder * 8);
            writeln!(
                w,
                "{}-{i:07},{},,{},{},{},\"{price}\",{tax},piece,{reorder},{stock}",
                cat.prefix,
                ean13_for_counter(i),
                Csv(&format!("{pfr} {bfr} {sfr}")),
                Csv(&format!("{par} {bar} {sar}")),
                cat.name,
            )
            .map_err(&io)?;
        }
    }
    w.flush().map_err(&io)
}

// ----- sales -----

/// (barcode, unit price in centimes when the catalog has a parsable price column)
type Sellable = (String, Option<u64>);

/// Barcoded products of a catalog CSV (weighed items, without barcode, are skipped).
fn load_sellables(path: &Path) -> Result<Vec<Sellable>> {
    let what = path.display().to_string();
    let file = File::open(path).map_err(io_err(&what))?;
    let mut lines = BufReader::new(file).lines();
    let header = lines.next().transpose().map_err(io_err(&what))?;
    let header = header.unwrap_or_default().replace('\u{feff}', "");
    if !header.starts_with("sku,barcode") {
        return Err(GenError::Invalid(format!(
            "{what}: line 1: expected a header starting with \"sku,barcode\", found {header:?}"
        )));
    }
    let (mut items, mut skipped) = (Vec::new(), 0u64);
    for line in lines {
        let line = line.map_err(io_err(&what))?;
        let fields = split_csv_line(line.trim_end_matches('\r'));
        // Several barcodes may be separated by '|': the first one is enough to sell the item.
        let field = fields.get(1).map(String::as_str).unwrap_or_default();
        let barcode = field.split('|').next().unwrap_or_default().trim();
        if barcode.is_empty() {
            continue; // weighed item (or blank line)
        }
        if !is_valid_ean13(barcode) {
            skipped += 1;
            continue;
        }
        let price = fields.get(6).and_then(|p| parse_price(p));
        items.push((barcode.to_string(), price));
    }
    if skipped > 0 {
        eprintln!("pos-gen: warning: {what}: skipped {skipped} row(s) with an invalid barcode");
    }
    if items.is_empty() {
        return Err(GenError::Invalid(format!(
            "{what}: no product with a valid EAN-13 barcode to sell"
        )));
    }
    Ok(items)
}

fn generate_sales(catalog: &Path, opts: &Common) -> Result<()> {
    let items = load_sellables(catalog)?;
    let (mut w, what) = open_output(opts.out.as_deref())?;
    let io = io_err(&what);
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut line = String::with_capacity(256);
    let split_payment = format!("\"card:{}\",\"cash\"", format_price(SPLIT_CARD_CENTIMES));
    for _ in 0..opts.count {
        line.clear();
        line.push_str("{\"items\":[");
        // `None` once a price is unknown: then assume the sale is big enough to split.
        let mut total = Some(0u64);
        for k in 0..rng.random_range(1..=8) {
            let (barcode, price) = &items[rng.random_range(0..items.len())];
            let qty: u64 = rng.random_range(1..=3);
            line.push_str(if k > 0 { ",\"" } else { "\"" });
            line.push_str(barcode);
            if qty > 1 {
                line.push('*');
                line.push_str(&qty.to_string());
            }
            line.push('"');
            total = total.zip(*price).map(|(t, p)| t + p * qty);
        }
        line.push_str("],\"payments\":[");
        let splittable = total.is_none_or(|t| t > SPLIT_CARD_CENTIMES);
        match rng.random_range(0..100u32) {
            0..70 => line.push_str("\"cash\""),
            70..95 => line.push_str("\"card\""),
            // 5 %: a fixed card part, the rest in cash (plain cash if the sale is too small).
            _ if splittable => line.push_str(&split_payment),
            _ => line.push_str("\"cash\""),
        }
        line.push_str("]}\n");
        w.write_all(line.as_bytes()).map_err(&io)?;
    }
    w.flush().map_err(&io)
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Catalog(opts) => generate_catalog(&opts),
        Command::Sales { catalog, common } => generate_sales(&catalog, &common),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `pos-gen … | head` closes the pipe early: that is not an error.
        Err(GenError::Io(_, source)) if source.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pos-gen: error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        assert!(is_valid_ean13("3017620422003"));
        assert!(!is_valid_ean13("3017620422004"));
        assert!(!is_valid_ean13("301762042200"));
        for c in [0, 1, 42, 999_999_999] {
            assert!(is_valid_ean13(&ean13_for_counter(c)));
        }
    }

    #[test]
    fn prices() {
        assert_eq!(format_price(125_000), "1250,00");
        assert_eq!(parse_price("35,50"), Some(3550));
        assert_eq!(parse_price("120"), Some(12000));
        assert_eq!(parse_price("abc"), None);
        assert_eq!(shelf_price(37.3), 3750);
        assert_eq!(shelf_price(1252.0), 125_000);
    }

    #[test]
    fn csv_fields() {
        let f = split_csv_line(r#"A-1,613|614,,"Eau 1,5 L","x""y",boissons,"45,00""#);
        assert_eq!(f.join(";"), "A-1;613|614;;Eau 1,5 L;x\"y;boissons;45,00");
        assert_eq!(Csv("Eau 1,5 L").to_string(), "\"Eau 1,5 L\"");
        assert_eq!(Csv("Lait 1 L").to_string(), "Lait 1 L");
    }
}
