//! The words printed on receipts, in French, Arabic and English.

use crate::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Currency,
    Phone,
    Nif,
    Rc,
    ReceiptNo,
    Terminal,
    Cashier,
    Discount,
    Subtotal,
    Total,
    Tva,
    BaseHt,
    Tax,
    Ttc,
    Cash,
    Card,
    Change,
    Thanks,
    Refund,
    Reprint,
    XReport,
    ZReport,
    OpenedBy,
    Opened,
    Closed,
    Sales,
    Refunds,
    Float,
    Expected,
    Counted,
    Difference,
    TestPage,
    Columns,
}

/// `[fr, ar, en]` for each label.
fn words(key: Label) -> [&'static str; 3] {
    use Label::*;
    match key {
        Currency => ["DA", "دج", "DA"],
        Phone => ["Tél.", "الهاتف", "Tel."],
        Nif => ["NIF", "NIF", "NIF"],
        Rc => ["RC", "RC", "RC"],
        ReceiptNo => ["Ticket n°", "تذكرة رقم", "Receipt no."],
        Terminal => ["Caisse", "الصندوق", "Till"],
        Cashier => ["Caissier", "البائع", "Cashier"],
        Discount => ["Remise", "تخفيض", "Discount"],
        Subtotal => ["Sous-total", "المجموع الفرعي", "Subtotal"],
        Total => ["TOTAL", "المجموع", "TOTAL"],
        Tva => ["TVA", "ر.ق.م", "VAT"],
        BaseHt => ["Base HT", "خارج الرسم", "Net"],
        Tax => ["Taxe", "الرسم", "Tax"],
        Ttc => ["TTC", "مع الرسم", "Incl. VAT"],
        Cash => ["Espèces", "نقدا", "Cash"],
        Card => ["Carte", "بطاقة", "Card"],
        Change => ["Rendu", "الباقي", "Change"],
        Thanks => [
            "Merci de votre visite",
            "شكرا على زيارتكم",
            "Thank you for your visit",
        ],
        Refund => ["REMBOURSEMENT", "استرجاع", "REFUND"],
        Reprint => ["DUPLICATA", "نسخة", "REPRINT"],
        XReport => ["RAPPORT X", "تقرير X", "X REPORT"],
        ZReport => ["RAPPORT Z", "تقرير Z", "Z REPORT"],
        OpenedBy => ["Ouvert par", "فتح من طرف", "Opened by"],
        Opened => ["Ouverture", "الفتح", "Opened"],
        Closed => ["Clôture", "الغلق", "Closed"],
        Sales => ["Ventes", "المبيعات", "Sales"],
        Refunds => ["Remboursements", "المرتجعات", "Refunds"],
        Float => ["Fond de caisse", "رصيد البداية", "Float"],
        Expected => ["Espèces attendues", "النقد المتوقع", "Expected cash"],
        Counted => ["Espèces comptées", "النقد المحسوب", "Counted cash"],
        Difference => ["Écart", "الفرق", "Difference"],
        TestPage => ["PAGE DE TEST", "صفحة تجريبية", "TEST PAGE"],
        Columns => ["colonnes", "عمود", "columns"],
    }
}

pub fn label(lang: Lang, key: Label) -> &'static str {
    let [fr, ar, en] = words(key);
    match lang {
        Lang::Fr => fr,
        Lang::Ar => ar,
        Lang::En => en,
    }
}
