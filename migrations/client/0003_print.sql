-- The print queue. A sale's receipt job is written in the sale's own transaction (so a sale always
-- has its receipt, and only one: the unique index); a worker prints it and retries with backoff
-- while the printer is offline. A reprint is a new job of kind 'reprint', marked on the paper.
-- Printer and receipt settings are `meta` rows: printer_uri, printer_paper, receipt_lang,
-- receipt_logo, store_address, store_nif, store_rc, store_phone, receipt_footer, receipt_verify_url.
CREATE TABLE print_jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('receipt', 'reprint', 'report', 'test')),
    sale_id         TEXT,
    -- Pre-rendered ESC/POS bytes for jobs that are not a sale's receipt (reports, test page).
    payload         BLOB,
    -- A printer for this job only; NULL: the terminal's printer when it prints.
    printer         TEXT,
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_try_ms     INTEGER NOT NULL,
    last_error_code TEXT,
    last_error      TEXT,
    created_at_ms   INTEGER NOT NULL,
    done_at_ms      INTEGER,
    CHECK (sale_id IS NOT NULL OR payload IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX print_jobs_one_receipt ON print_jobs (sale_id) WHERE kind = 'receipt';
CREATE INDEX print_jobs_waiting ON print_jobs (next_try_ms) WHERE state = 'queued';
CREATE INDEX print_jobs_sale ON print_jobs (sale_id) WHERE sale_id IS NOT NULL;
