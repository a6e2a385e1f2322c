// The portal's words in French (default), Arabic and English, and its error codes.
export type Lang = "fr" | "ar" | "en";

const fr = {
  asPrinted: "Tel qu'imprimé",
  shifts: "Sessions (Z)", zReport: "Rapport Z", stillOpen: "en cours", float: "Fond de caisse", cashIn: "Entrées d'espèces", cashOut: "Sorties d'espèces", expected: "Espèces attendues", counted: "Espèces comptées", overShort: "Écart (compté − attendu)", tillDisagrees: "La caisse attendait un autre montant : une vente ou un mouvement n'est peut-être pas encore synchronisé. Attendu par la caisse :", drawerEvents: "Mouvements du tiroir", opened: "Ouverture", noShifts: "Aucune session de caisse.", csvZ: "Rapports Z", drawer_open: "Ouverture", drawer_cash_in: "Entrée", drawer_cash_out: "Sortie", drawer_drawer_opened: "Tiroir ouvert sans vente", drawer_close: "Clôture",
  title: "Back-office", skip: "Aller au contenu", signIn: "Se connecter", signOut: "Se déconnecter",
  email: "Adresse e-mail", password: "Mot de passe", language: "Langue",
  dashboard: "Tableau de bord", receipts: "Tickets", tva: "TVA", exports: "Exports", terminals: "Caisses",
  account: "Mon compte", from: "Du", to: "Au (inclus)", stores: "Magasins", allStores: "Tous mes magasins",
  show: "Afficher", gross: "Ventes brutes", discounts: "Remises", refunds: "Remboursements", net: "Net encaissé",
  tax: "TVA", sales: "Ventes", refundCount: "Remboursements (nombre)", basket: "Panier moyen", collected: "Encaissé",
  previous: "Période précédente", byTender: "Par moyen de paiement", cash: "Espèces", card: "Carte",
  byHour: "Par heure", byDay: "Par jour", topProducts: "Meilleurs articles", topCategories: "Meilleures catégories",
  byCashier: "Par caissier", byTerminal: "Par caisse", rate: "Taux", base: "Base HT", ttc: "TTC",
  name: "Nom", quantity: "Quantité", category: "Catégorie", hour: "Heure", day: "Jour",
  notSynced: "Caisses sans synchronisation depuis plus d'une heure", lastSeen: "Dernière synchro", never: "jamais",
  store: "Magasin", terminal: "Caisse", cashier: "Caissier", receiptNo: "N° ticket", date: "Date", total: "Total",
  kind: "Type", sale: "Vente", refund: "Remboursement", product: "Article (code ou nom)", min: "Montant min. (DA)",
  max: "Montant max. (DA)", filter: "Filtrer", more: "Page suivante", noReceipts: "Aucun ticket.",
  open: "Ouvrir", back: "Retour", subtotal: "Sous-total", change: "Rendu", payments: "Paiements",
  refundOf: "Remboursement du ticket", refundsOf: "Remboursements de ce ticket", unitPrice: "Prix unitaire",
  year: "Année", month: "Mois", totalRow: "Total", csvLines: "Lignes de vente", csvReceipts: "Tickets",
  csvTva: "Synthèse TVA", semicolon: "Séparateur « ; » (tableur français)", download: "Télécharger",
  enrol: "Code d'enrôlement d'une nouvelle caisse", makeCode: "Créer un code", code: "Code (valable 24 h)",
  current: "Mot de passe actuel", newPassword: "Nouveau mot de passe (10 caractères au moins)",
  changePassword: "Changer le mot de passe", changed: "Mot de passe changé.", loading: "Chargement…",
  role_owner: "Propriétaire", role_manager: "Gérant", role_accountant: "Comptable",
};
type Words = typeof fr;

const ar: Words = {
  asPrinted: "كما طُبعت",
  shifts: "جلسات الصندوق (Z)", zReport: "تقرير Z", stillOpen: "جارية", float: "رصيد البداية", cashIn: "إدخال نقود", cashOut: "إخراج نقود", expected: "النقود المتوقعة", counted: "النقود المعدودة", overShort: "الفرق (المعدود − المتوقع)", tillDisagrees: "توقع الصندوق مبلغًا آخر: ربما لم تتم مزامنة بيع أو حركة بعد. المتوقع في الصندوق:", drawerEvents: "حركات الدرج", opened: "الفتح", noShifts: "لا توجد جلسات.", csvZ: "تقارير Z", drawer_open: "فتح", drawer_cash_in: "إدخال", drawer_cash_out: "إخراج", drawer_drawer_opened: "فتح الدرج دون بيع", drawer_close: "إغلاق",
  title: "المكتب الخلفي", skip: "انتقل إلى المحتوى", signIn: "تسجيل الدخول", signOut: "تسجيل الخروج",
  email: "البريد الإلكتروني", password: "كلمة المرور", language: "اللغة",
  dashboard: "لوحة القيادة", receipts: "التذاكر", tva: "الرسم على القيمة المضافة", exports: "التصدير", terminals: "الصناديق",
  account: "حسابي", from: "من", to: "إلى (ضمنًا)", stores: "المتاجر", allStores: "كل متاجري",
  show: "عرض", gross: "المبيعات الإجمالية", discounts: "التخفيضات", refunds: "المرتجعات", net: "الصافي المحصل",
  tax: "الرسم", sales: "المبيعات", refundCount: "المرتجعات (عدد)", basket: "متوسط السلة", collected: "المحصل",
  previous: "الفترة السابقة", byTender: "حسب وسيلة الدفع", cash: "نقدًا", card: "بطاقة",
  byHour: "حسب الساعة", byDay: "حسب اليوم", topProducts: "أفضل المنتجات", topCategories: "أفضل الفئات",
  byCashier: "حسب أمين الصندوق", byTerminal: "حسب الصندوق", rate: "النسبة", base: "الأساس دون رسم", ttc: "مع الرسم",
  name: "الاسم", quantity: "الكمية", category: "الفئة", hour: "الساعة", day: "اليوم",
  notSynced: "صناديق لم تتزامن منذ أكثر من ساعة", lastSeen: "آخر مزامنة", never: "أبدًا",
  store: "المتجر", terminal: "الصندوق", cashier: "أمين الصندوق", receiptNo: "رقم التذكرة", date: "التاريخ", total: "المجموع",
  kind: "النوع", sale: "بيع", refund: "إرجاع", product: "المنتج (رمز أو اسم)", min: "أدنى مبلغ (دج)",
  max: "أقصى مبلغ (دج)", filter: "تصفية", more: "الصفحة التالية", noReceipts: "لا توجد تذاكر.",
  open: "فتح", back: "رجوع", subtotal: "المجموع الفرعي", change: "الباقي", payments: "المدفوعات",
  refundOf: "إرجاع التذكرة", refundsOf: "مرتجعات هذه التذكرة", unitPrice: "سعر الوحدة",
  year: "السنة", month: "الشهر", totalRow: "المجموع", csvLines: "أسطر البيع", csvReceipts: "التذاكر",
  csvTva: "ملخص الرسم", semicolon: "فاصل « ; »", download: "تنزيل",
  enrol: "رمز تسجيل صندوق جديد", makeCode: "إنشاء رمز", code: "الرمز (صالح 24 سا)",
  current: "كلمة المرور الحالية", newPassword: "كلمة مرور جديدة (10 أحرف على الأقل)",
  changePassword: "تغيير كلمة المرور", changed: "تم تغيير كلمة المرور.", loading: "جارٍ التحميل…",
  role_owner: "المالك", role_manager: "المسير", role_accountant: "المحاسب",
};

const en: Words = {
  asPrinted: "As printed",
  shifts: "Shifts (Z)", zReport: "Z report", stillOpen: "still open", float: "Float", cashIn: "Cash in", cashOut: "Cash out", expected: "Expected cash", counted: "Counted cash", overShort: "Over/short (counted − expected)", tillDisagrees: "The till expected a different amount: a sale or drawer event may not have synced yet. The till expected:", drawerEvents: "Drawer events", opened: "Opened", noShifts: "No shifts.", csvZ: "Z reports", drawer_open: "Opened", drawer_cash_in: "Cash in", drawer_cash_out: "Cash out", drawer_drawer_opened: "Drawer opened without a sale", drawer_close: "Closed",
  title: "Back office", skip: "Skip to content", signIn: "Sign in", signOut: "Sign out",
  email: "Email", password: "Password", language: "Language",
  dashboard: "Dashboard", receipts: "Receipts", tva: "VAT", exports: "Exports", terminals: "Tills",
  account: "My account", from: "From", to: "To (included)", stores: "Stores", allStores: "All my stores",
  show: "Show", gross: "Gross sales", discounts: "Discounts", refunds: "Refunds", net: "Net takings",
  tax: "VAT", sales: "Sales", refundCount: "Refunds (count)", basket: "Average basket", collected: "Collected",
  previous: "Previous period", byTender: "By payment type", cash: "Cash", card: "Card",
  byHour: "By hour", byDay: "By day", topProducts: "Top products", topCategories: "Top categories",
  byCashier: "By cashier", byTerminal: "By till", rate: "Rate", base: "Net of VAT", ttc: "Incl. VAT",
  name: "Name", quantity: "Quantity", category: "Category", hour: "Hour", day: "Day",
  notSynced: "Tills not synced for over an hour", lastSeen: "Last sync", never: "never",
  store: "Store", terminal: "Till", cashier: "Cashier", receiptNo: "Receipt no.", date: "Date", total: "Total",
  kind: "Kind", sale: "Sale", refund: "Refund", product: "Product (code or name)", min: "Min. amount (DA)",
  max: "Max. amount (DA)", filter: "Filter", more: "Next page", noReceipts: "No receipts.",
  open: "Open", back: "Back", subtotal: "Subtotal", change: "Change", payments: "Payments",
  refundOf: "Refund of receipt", refundsOf: "Refunds of this receipt", unitPrice: "Unit price",
  year: "Year", month: "Month", totalRow: "Total", csvLines: "Sales lines", csvReceipts: "Receipts",
  csvTva: "VAT summary", semicolon: "“;” separator (French spreadsheets)", download: "Download",
  enrol: "Enrolment code for a new till", makeCode: "Make a code", code: "Code (valid 24 h)",
  current: "Current password", newPassword: "New password (at least 10 characters)",
  changePassword: "Change password", changed: "Password changed.", loading: "Loading…",
  role_owner: "Owner", role_manager: "Manager", role_accountant: "Accountant",
};

const errors: Record<Lang, Record<string, string>> = {
  fr: {
    BAD_CREDENTIALS: "L'adresse ou le mot de passe est faux.",
    LOCKED_OUT: "Trop d'essais manqués : compte bloqué pour quelques minutes.",
    FORBIDDEN: "Vous n'avez pas accès à ceci.", NOT_FOUND: "Introuvable dans vos magasins.",
    UNAUTHORIZED: "Connectez-vous d'abord.", CSRF_REJECTED: "Rechargez la page et réessayez.",
  },
  ar: {
    BAD_CREDENTIALS: "البريد أو كلمة المرور غير صحيحة.",
    LOCKED_OUT: "محاولات فاشلة كثيرة: الحساب مقفل لبضع دقائق.",
    FORBIDDEN: "ليس لديك صلاحية لهذا.", NOT_FOUND: "غير موجود في متاجرك.",
    UNAUTHORIZED: "سجّل الدخول أولًا.", CSRF_REJECTED: "أعد تحميل الصفحة وحاول مجددًا.",
  },
  en: {
    BAD_CREDENTIALS: "The email or the password is wrong.",
    LOCKED_OUT: "Too many failed attempts: locked for a few minutes.",
    FORBIDDEN: "You do not have access to this.", NOT_FOUND: "Not found in your stores.",
    UNAUTHORIZED: "Sign in first.", CSRF_REJECTED: "Reload the page and try again.",
  },
};

export const words: Record<Lang, Words> = { fr, ar, en };
export type Key = keyof Words;

export function errorText(lang: Lang, code: string, message: string): string {
  return errors[lang][code] ?? message;
}
