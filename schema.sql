-- JoPay's whole SQLite schema. Migrations are separated by lines "-- migration N" and run in
-- order at start; each commits together with its PRAGMA user_version bump.
-- Money: INTEGER minor units + lowercase currency. Time: INTEGER Unix seconds UTC.
-- Every business row carries livemode: test and live data never mix.

-- migration 1
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE plans (
  id             TEXT PRIMARY KEY,
  livemode       INTEGER NOT NULL,
  name           TEXT NOT NULL,
  description    TEXT NOT NULL DEFAULT '',
  amount         INTEGER NOT NULL CHECK (amount > 0),
  currency       TEXT NOT NULL,
  interval       TEXT NOT NULL CHECK (interval IN ('day', 'week', 'month', 'year')),
  interval_count INTEGER NOT NULL DEFAULT 1 CHECK (interval_count BETWEEN 1 AND 365),
  trial_days     INTEGER NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
  grace_days     INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
  active         INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);

CREATE TABLE customers (
  id         TEXT PRIMARY KEY,
  livemode   INTEGER NOT NULL,
  email      TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (livemode, email)
);

-- Only brand and last4 of a card are kept; provider_ref is the provider's token
-- (for the sandbox: the behaviour the test card stands for).
CREATE TABLE payment_methods (
  id           TEXT PRIMARY KEY,
  livemode     INTEGER NOT NULL,
  customer_id  TEXT NOT NULL REFERENCES customers (id),
  provider     TEXT NOT NULL,
  provider_ref TEXT NOT NULL,
  brand        TEXT NOT NULL,
  last4        TEXT NOT NULL,
  created_at   INTEGER NOT NULL
);

-- Billing periods are boundaries of a schedule anchored at billing_anchor: the current period
-- is [boundary(period_index), boundary(period_index + 1)). next_action/next_action_at hold the
-- one piece of future work the clock owes this row (NULL when none).
CREATE TABLE subscriptions (
  id                   TEXT PRIMARY KEY,
  livemode             INTEGER NOT NULL,
  customer_id          TEXT NOT NULL REFERENCES customers (id),
  plan_id              TEXT NOT NULL REFERENCES plans (id),
  payment_method_id    TEXT REFERENCES payment_methods (id),
  status               TEXT NOT NULL CHECK (status IN ('incomplete', 'trialing', 'active',
                         'past_due', 'canceled', 'paused', 'expired')),
  amount               INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  interval             TEXT NOT NULL,
  interval_count       INTEGER NOT NULL,
  grace_days           INTEGER NOT NULL DEFAULT 0,
  billing_anchor       INTEGER NOT NULL,
  period_index         INTEGER NOT NULL,
  current_period_start INTEGER NOT NULL,
  current_period_end   INTEGER NOT NULL,
  trial_start          INTEGER,
  trial_end            INTEGER,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  canceled_at          INTEGER,
  cancel_reason        TEXT,
  ended_at             INTEGER,
  paused_at            INTEGER,
  next_action          TEXT CHECK (next_action IN ('renew', 'retry', 'trial_reminder', 'expire')),
  next_action_at       INTEGER,
  retry_count          INTEGER NOT NULL DEFAULT 0,
  first_failed_at      INTEGER,
  schedule             INTEGER NOT NULL DEFAULT 0,  -- bumped when a resume starts a new schedule
  sequence             INTEGER NOT NULL DEFAULT 0,
  metadata             TEXT NOT NULL DEFAULT '{}',
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE INDEX subscriptions_due ON subscriptions (next_action_at) WHERE next_action_at IS NOT NULL;
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);
CREATE INDEX subscriptions_plan ON subscriptions (plan_id);

-- One row per charge attempt. idempotency_key spells (subscription, schedule, period, attempt),
-- and that is unique: an attempt replayed after a crash finds its row instead of charging
-- again, and the provider sees the same key. A period can hold one paid row only.
CREATE TABLE payments (
  id                TEXT PRIMARY KEY,
  livemode          INTEGER NOT NULL,
  subscription_id   TEXT REFERENCES subscriptions (id),
  customer_id       TEXT NOT NULL REFERENCES customers (id),
  payment_method_id TEXT,
  provider          TEXT NOT NULL,
  amount            INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'refunded')),
  failure_code      TEXT,
  failure_message   TEXT,
  attempt           INTEGER NOT NULL DEFAULT 1,
  schedule          INTEGER NOT NULL DEFAULT 0,
  period_start      INTEGER,
  period_end        INTEGER,
  idempotency_key   TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  paid_at           INTEGER,
  UNIQUE (subscription_id, schedule, period_start, attempt)
);
CREATE UNIQUE INDEX payments_one_paid_per_period
  ON payments (subscription_id, period_start) WHERE status = 'paid';

-- The outbox: written in the same transaction as the change it describes.
CREATE TABLE events (
  id         TEXT PRIMARY KEY,
  livemode   INTEGER NOT NULL,
  type       TEXT NOT NULL,
  object_id  TEXT NOT NULL,
  sequence   INTEGER NOT NULL,
  data       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX events_object ON events (object_id);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  livemode     INTEGER NOT NULL,
  read_only    INTEGER NOT NULL DEFAULT 0,
  secret_hash  TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  last4        TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

-- migration 2
-- Checkout sessions (the public checkout API and its hosted page). mode 'payment' charges
-- amount once for line_items; mode 'subscription' starts a subscription to plan (a JSON
-- snapshot {id?, name, amount, currency, interval, interval_count}; without an id the plan is
-- found or created when the session is paid). Pending sessions expire at expires_at.
CREATE TABLE checkout_sessions (
  id                  TEXT PRIMARY KEY,
  livemode            INTEGER NOT NULL,
  mode                TEXT NOT NULL CHECK (mode IN ('payment', 'subscription')),
  status              TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'expired',
                        'cancelled')),
  amount              INTEGER NOT NULL,
  currency            TEXT NOT NULL,
  line_items          TEXT NOT NULL DEFAULT '[]',
  plan                TEXT,
  trial_days          INTEGER,
  customer_email      TEXT,
  client_reference_id TEXT,
  success_url         TEXT NOT NULL,
  cancel_url          TEXT NOT NULL,
  metadata            TEXT NOT NULL DEFAULT '{}',
  subscription_id     TEXT,
  payment_id          TEXT,
  attempts            INTEGER NOT NULL DEFAULT 0,
  sequence            INTEGER NOT NULL DEFAULT 0,
  expires_at          INTEGER NOT NULL,
  completed_at        INTEGER,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX checkout_sessions_pending ON checkout_sessions (expires_at)
  WHERE status = 'pending';

-- Idempotency-Key of the public API's POSTs: the first answer, replayed for 24 h to the same
-- key (per mode) with the same request; another request under the key is refused.
CREATE TABLE idempotency_keys (
  livemode     INTEGER NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (livemode, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- migration 3
-- The LNbits-style API (/api/v1, /public): a plan's accepted payment methods, as that API
-- spells them (jopayd itself takes cards: allow_stripe), and a subscriber's contacts.
ALTER TABLE plans ADD COLUMN allow_lightning INTEGER NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN allow_onchain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN allow_stripe INTEGER NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN allow_paypal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN telegram TEXT;
ALTER TABLE customers ADD COLUMN nostr TEXT;
-- A session bound to a pending subscription (POST /public/subscribe) is found from it.
CREATE INDEX checkout_sessions_subscription ON checkout_sessions (subscription_id)
  WHERE subscription_id IS NOT NULL;

-- migration 4
-- Webhooks. An endpoint receives the events of its mode whose type it subscribes to
-- (`events`: a JSON array of types, ["*"] = all) that were written after it was created
-- (events.rowid > after_event_rowid). During a rotation previous_secret also signs until
-- previous_secret_expires_at. failing_since: the first failure of an unbroken run of failures.
CREATE TABLE webhook_endpoints (
  id                         TEXT PRIMARY KEY,
  livemode                   INTEGER NOT NULL,
  url                        TEXT NOT NULL,
  description                TEXT NOT NULL DEFAULT '',
  events                     TEXT NOT NULL DEFAULT '["*"]',
  secret                     TEXT NOT NULL,
  previous_secret            TEXT,
  previous_secret_expires_at INTEGER,
  status                     TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
  disabled_reason            TEXT,
  failing_since              INTEGER,
  after_event_rowid          INTEGER NOT NULL DEFAULT 0,
  removed_at                 INTEGER,
  created_at                 INTEGER NOT NULL,
  updated_at                 INTEGER NOT NULL
);

-- One row per (event, endpoint) to deliver; a resend adds another. next_attempt_at is set
-- while the delivery is pending and NULL once delivered or failed. The dispatcher's cursor
-- over events.rowid (meta 'webhooks_event_cursor') says which events have been fanned out.
CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY,
  livemode        INTEGER NOT NULL,
  event_id        TEXT NOT NULL,
  endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_status     INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at)
  WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- Every attempt: when (billing clock), the HTTP status (NULL if none came), how long it took,
-- the error if any, and the first bytes of the response body. Clustered by delivery (no
-- rowid, no second index: one b-tree insert per attempt on the hot path).
CREATE TABLE webhook_attempts (
  delivery_id      INTEGER NOT NULL,
  attempt          INTEGER NOT NULL,
  attempted_at     INTEGER NOT NULL,
  status_code      INTEGER,
  latency_ms       INTEGER NOT NULL,
  error            TEXT,
  response_excerpt TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
-- migration 5
-- CHECK (x IN ('a', 'b', 'c', ...)) makes SQLite build a temporary b-tree of the list every time
-- a row is written: measured, half the cost of a renewal's subscription update. The same
-- checks spelled as OR chains cost next to nothing. The table definitions are edited in place,
-- by SQLite's documented procedure for changing a CHECK constraint (lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes"): no row is rewritten; writable_schema=RESET
-- makes this connection reload the schema, and the migration runner bumps PRAGMA
-- schema_version afterwards, as that procedure asks, for any other connection.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (interval IN (''day'', ''week'', ''month'', ''year''))',
    'CHECK (interval = ''day'' OR interval = ''week'' OR interval = ''month'' OR interval = ''year'')')
  WHERE type = 'table' AND name = 'plans';
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'CHECK (status IN (''incomplete'', ''trialing'', ''active'',
                         ''past_due'', ''canceled'', ''paused'', ''expired''))',
    'CHECK (status = ''incomplete'' OR status = ''trialing'' OR status = ''active'' OR status = ''past_due'' OR status = ''canceled'' OR status = ''paused'' OR status = ''expired'')'),
    'CHECK (next_action IN (''renew'', ''retry'', ''trial_reminder'', ''expire''))',
    'CHECK (next_action = ''renew'' OR next_action = ''retry'' OR next_action = ''trial_reminder'' OR next_action = ''expire'')')
  WHERE type = 'table' AND name = 'subscriptions';
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''paid'', ''failed'', ''refunded''))',
    'CHECK (status = ''pending'' OR status = ''paid'' OR status = ''failed'' OR status = ''refunded'')')
  WHERE type = 'table' AND name = 'payments';
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''completed'', ''expired'',
                        ''cancelled''))',
    'CHECK (status = ''pending'' OR status = ''completed'' OR status = ''expired'' OR status = ''cancelled'')')
  WHERE type = 'table' AND name = 'checkout_sessions';
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''delivered'', ''failed''))',
    'CHECK (status = ''pending'' OR status = ''delivered'' OR status = ''failed'')')
  WHERE type = 'table' AND name = 'webhook_deliveries';
PRAGMA writable_schema = RESET;
-- migration 6
-- Payments and events are found by a primary key their ids spell (ids.h RowId: prefix, the
-- key as 8 base62 digits, 16 random characters), not through a unique index on the id text:
-- each of those indexes cost a b-tree insert per renewal (~8% of it, measured) for lookups
-- the key serves as well. `pk` is an INTEGER PRIMARY KEY, so VACUUM keeps it (a bare rowid
-- it may renumber). Rows from before keep their ids; legacy_ids maps those to their keys.
-- Webhook deliveries find their event by key too (event_pk).
--
-- payments_one_paid_per_period goes: it fired only after the provider had charged, so it could
-- never stop a second charge, only lose the record of one and wedge the clock on a replay.
-- One charge per period is the engine's (a period advances in the transaction that records
-- its paid charge) and the provider's (the (subscription, schedule, period, attempt)
-- idempotency key, still unique here); the end-to-end tests count it.
CREATE TABLE legacy_ids (
  id TEXT PRIMARY KEY,
  pk INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO legacy_ids (id, pk) SELECT id, rowid FROM payments;
INSERT INTO legacy_ids (id, pk) SELECT id, rowid FROM events;
ALTER TABLE webhook_deliveries ADD COLUMN event_pk INTEGER;
UPDATE webhook_deliveries SET event_pk = (SELECT rowid FROM events WHERE id = event_id);

CREATE TABLE payments_v6 (
  pk                INTEGER PRIMARY KEY,
  id                TEXT NOT NULL,
  livemode          INTEGER NOT NULL,
  subscription_id   TEXT REFERENCES subscriptions (id),
  customer_id       TEXT NOT NULL REFERENCES customers (id),
  payment_method_id TEXT,
  provider          TEXT NOT NULL,
  amount            INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status = 'pending' OR status = 'paid' OR
                                         status = 'failed' OR status = 'refunded'),
  failure_code      TEXT,
  failure_message   TEXT,
  attempt           INTEGER NOT NULL DEFAULT 1,
  schedule          INTEGER NOT NULL DEFAULT 0,
  period_start      INTEGER,
  period_end        INTEGER,
  idempotency_key   TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  paid_at           INTEGER,
  UNIQUE (subscription_id, schedule, period_start, attempt)
);
INSERT INTO payments_v6 (pk, id, livemode, subscription_id, customer_id, payment_method_id,
    provider, amount, currency, status, failure_code, failure_message, attempt, schedule,
    period_start, period_end, idempotency_key, created_at, paid_at)
  SELECT rowid, id, livemode, subscription_id, customer_id, payment_method_id, provider, amount,
    currency, status, failure_code, failure_message, attempt, schedule, period_start, period_end,
    idempotency_key, created_at, paid_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_v6 RENAME TO payments;

CREATE TABLE events_v6 (
  pk         INTEGER PRIMARY KEY,
  id         TEXT NOT NULL,
  livemode   INTEGER NOT NULL,
  type       TEXT NOT NULL,
  object_id  TEXT NOT NULL,
  sequence   INTEGER NOT NULL,
  data       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO events_v6 (pk, id, livemode, type, object_id, sequence, data, created_at)
  SELECT rowid, id, livemode, type, object_id, sequence, data, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_v6 RENAME TO events;
CREATE INDEX events_object ON events (object_id);
-- migration 7
-- Charges through network providers (Stripe). A charge is a durable intent before it is a
-- network call: the payment row is written 'pending' with its idempotency key, committed, and
-- only then sent; the answer is applied by a later writer job. next_send_at (wall-clock) says
-- when a pending charge is (re)sent; first_sent_at when its first request left (a key is
-- replayed by Stripe for 24 h: an outcome still unknown after that is looked up by metadata
-- before anything is sent again). A subscription waiting for such a charge has next_action
-- 'charge' and no next_action_at: the clock owes it nothing, the charge's answer moves it on.
-- The CHECK is widened as migration 5 edited it (no row can violate a wider check).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'next_action = ''expire'')',
    'next_action = ''expire'' OR next_action = ''charge'')')
  WHERE type = 'table' AND name = 'subscriptions';
PRAGMA writable_schema = RESET;
ALTER TABLE payments ADD COLUMN provider_ref TEXT;     -- the provider's id (a PaymentIntent)
ALTER TABLE payments ADD COLUMN next_send_at INTEGER;  -- pending only
ALTER TABLE payments ADD COLUMN sends INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN first_sent_at INTEGER;
ALTER TABLE payments ADD COLUMN amount_refunded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN disputed_at INTEGER;
CREATE INDEX payments_sendable ON payments (next_send_at) WHERE next_send_at IS NOT NULL;
CREATE INDEX payments_provider_ref ON payments (provider_ref) WHERE provider_ref IS NOT NULL;
-- A provider's saved method belongs to the provider's customer (Stripe: cus_...).
ALTER TABLE payment_methods ADD COLUMN provider_customer TEXT;
ALTER TABLE payment_methods ADD COLUMN exp_month INTEGER;
ALTER TABLE payment_methods ADD COLUMN exp_year INTEGER;
ALTER TABLE payment_methods ADD COLUMN detached_at INTEGER;
CREATE INDEX payment_methods_provider_ref ON payment_methods (provider_ref);
-- The provider's checkout a session was sent to (a Stripe Checkout Session).
ALTER TABLE checkout_sessions ADD COLUMN provider_session TEXT;
-- Refunds, like charges: a pending row with its key before any request; applied on the answer.
CREATE TABLE refunds (
  id              TEXT PRIMARY KEY,
  livemode        INTEGER NOT NULL,
  payment_id      TEXT NOT NULL,
  amount          INTEGER NOT NULL,
  currency        TEXT NOT NULL,
  reason          TEXT,
  status          TEXT NOT NULL CHECK (status = 'pending' OR status = 'succeeded' OR
                                       status = 'failed'),
  failure_message TEXT,
  provider_ref    TEXT,
  idempotency_key TEXT NOT NULL UNIQUE,
  next_send_at    INTEGER,
  sends           INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  succeeded_at    INTEGER
);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_sendable ON refunds (next_send_at) WHERE next_send_at IS NOT NULL;
-- Every callback a provider sent that passed its signature check, once per event id; a worker
-- re-reads the object it names from the provider before anything changes (next_try_at set
-- while that is still to do).
CREATE TABLE provider_callbacks (
  provider    TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  livemode    INTEGER NOT NULL,
  type        TEXT NOT NULL,
  payload     TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  status      TEXT NOT NULL,  -- received, applied, ignored
  note        TEXT,
  next_try_at INTEGER,
  tries       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (provider, event_id)
) WITHOUT ROWID;
CREATE INDEX provider_callbacks_todo ON provider_callbacks (next_try_at)
  WHERE next_try_at IS NOT NULL;

-- migration 8
-- Payment and event ids are handed to customers (receipts, the portal, redirects): they must
-- not tell how many payments or events a merchant has. From here the 8 characters that spelled
-- a row's key spell it enciphered under this store's own random key (row_id_cipher.h). Ids
-- handed out before keep working: legacy_ids maps them to their keys.
INSERT INTO meta (key, value) VALUES ('row_id_key', lower(hex(randomblob(16))));
INSERT OR IGNORE INTO legacy_ids (id, pk) SELECT id, pk FROM payments;
INSERT OR IGNORE INTO legacy_ids (id, pk) SELECT id, pk FROM events;

-- migration 9
-- Rails the customer pushes money through (Lightning, on-chain Bitcoin): nothing is saved to
-- charge later; for every period jopayd asks the rail's provider for a place to pay (an
-- invoice, an address), tells the customer, and renews when the charge is paid. A push
-- subscription's payment method says only which rail and provider (`rail`; cards: 'card').
-- A subscription whose next period has been invoiced waits with next_action 'invoice' until
-- it is time to ask, then 'renew' at the period's end as cards do.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'next_action = ''charge'')',
    'next_action = ''charge'' OR next_action = ''invoice'')')
  WHERE type = 'table' AND name = 'subscriptions';
PRAGMA writable_schema = RESET;
ALTER TABLE payment_methods ADD COLUMN rail TEXT NOT NULL DEFAULT 'card';
-- The place to pay one pending payment (payments.pk) and what the provider said of it. The
-- payment stays 'pending' until a read-back from the provider (never a callback's word) shows
-- it paid. unapplied: paid after its subscription had moved on (expired, or another period):
-- the money is recorded for the operator to refund or credit, never lost. next_check_at
-- (wall-clock): a network provider is still to be asked (create, or read back).
CREATE TABLE push_charges (
  payment_pk    INTEGER PRIMARY KEY,
  rail          TEXT NOT NULL,
  provider      TEXT NOT NULL,
  provider_ref  TEXT,
  bolt11        TEXT,
  address       TEXT,
  amount_sats   INTEGER,
  rate          TEXT,
  expires_at    INTEGER,
  received_sats INTEGER NOT NULL DEFAULT 0,
  unapplied     INTEGER NOT NULL DEFAULT 0,
  next_check_at INTEGER
);
CREATE INDEX push_charges_ref ON push_charges (provider, provider_ref)
  WHERE provider_ref IS NOT NULL;
CREATE INDEX push_charges_check ON push_charges (next_check_at)
  WHERE next_check_at IS NOT NULL;

-- migration 10
-- ==== Eventop on-chain completion (issue #14; daemon/checkout/onchain.h) ====
-- A session completed by a Solana transaction (POST /eventop/checkout/{id}/complete): its
-- signature, the subscription's account (Eventop's subscriptionPda) and the wallet that
-- signed. A signature completes at most one session of a mode.
ALTER TABLE checkout_sessions ADD COLUMN chain_signature TEXT;
ALTER TABLE checkout_sessions ADD COLUMN chain_account TEXT;
ALTER TABLE checkout_sessions ADD COLUMN chain_wallet TEXT;
CREATE UNIQUE INDEX checkout_sessions_chain_signature
  ON checkout_sessions (livemode, chain_signature) WHERE chain_signature IS NOT NULL;

-- migration 11
-- ==== Invoices (issue #15; daemon/billing/invoices.h) ====
-- Final when written: only status, amount_paid, amount_credited, paid_at and voided_at move.
-- A one-line invoice (every renewal) keeps its line in its own columns (line_*); invoices with
-- more lines keep them all in invoice_lines instead. seq is gapless per (livemode, kind): the
-- next is MAX + 1 in the writing transaction. The customer's and the merchant's details are
-- copied at issue (the merchant's once per distinct set, in invoice_issuers).
CREATE TABLE invoice_issuers (
  pk            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  address       TEXT NOT NULL,
  tax_id        TEXT NOT NULL,
  support_email TEXT NOT NULL,
  logo_url      TEXT NOT NULL,
  UNIQUE (name, address, tax_id, support_email, logo_url)
);
CREATE TABLE invoices (
  pk                INTEGER PRIMARY KEY,
  id                TEXT NOT NULL,
  livemode          INTEGER NOT NULL,
  kind              TEXT NOT NULL CHECK (kind = 'invoice' OR kind = 'credit_note'),
  seq               INTEGER NOT NULL,
  number            TEXT NOT NULL,
  billing_reason    TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status = 'open' OR status = 'paid' OR status = 'void'
                                         OR status = 'uncollectible' OR status = 'issued'),
  customer_id       TEXT NOT NULL,
  subscription_id   TEXT,
  plan_id           TEXT,
  schedule          INTEGER NOT NULL DEFAULT 0,
  period_start      INTEGER,
  period_end        INTEGER,
  currency          TEXT NOT NULL,
  subtotal          INTEGER NOT NULL,
  total             INTEGER NOT NULL,
  amount_paid       INTEGER NOT NULL DEFAULT 0,
  amount_credited   INTEGER NOT NULL DEFAULT 0,
  credit_for_pk     INTEGER,
  reason            TEXT,
  line_description  TEXT,
  line_quantity     INTEGER,
  line_unit_amount  INTEGER,
  customer_name     TEXT NOT NULL,
  customer_email    TEXT NOT NULL,
  customer_address  TEXT NOT NULL DEFAULT '',
  customer_tax_id   TEXT NOT NULL DEFAULT '',
  issuer_pk         INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  paid_at           INTEGER,
  voided_at         INTEGER,
  UNIQUE (livemode, kind, seq)
);
CREATE UNIQUE INDEX invoices_period ON invoices (subscription_id, schedule, period_start)
  WHERE subscription_id IS NOT NULL AND kind = 'invoice' AND billing_reason != 'subscription_update';
CREATE INDEX invoices_customer ON invoices (customer_id);
-- Ids are time-ordered (NewId): this index and events_object grow at their right edge.
CREATE UNIQUE INDEX invoices_id ON invoices (id);
CREATE TABLE invoice_lines (
  invoice_pk   INTEGER NOT NULL,
  position     INTEGER NOT NULL,
  description  TEXT NOT NULL,
  period_start INTEGER,
  period_end   INTEGER,
  quantity     INTEGER NOT NULL,
  unit_amount  INTEGER NOT NULL,
  amount       INTEGER NOT NULL,
  PRIMARY KEY (invoice_pk, position)
) WITHOUT ROWID;
-- The invoice a charge attempt pays (NULL for payments made before invoices existed). Keys
-- only grow, so its index grows at its right edge.
ALTER TABLE payments ADD COLUMN invoice_pk INTEGER;
CREATE INDEX payments_invoice ON payments (invoice_pk) WHERE invoice_pk IS NOT NULL;
-- Billing details printed on the customer's invoices.
ALTER TABLE customers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN tax_id TEXT NOT NULL DEFAULT '';

-- migration 12
-- ==== Customer emails (issue #15; daemon/email/queue.h) ====
-- One row per email owed to a customer. Most come from an event (event_pk), made by the email
-- sender's fan-out, which walks the events past its cursor (meta 'emails_event_cursor') and
-- writes the rows and the new cursor in one transaction; card_expiring rows come from the
-- daily look at saved cards (object_id = the payment method, card_expiry its "YYYY-MM"). One
-- cause yields at most one email of a kind, ever: UNIQUE (event_pk, kind) and
-- emails_card_expiry. status: pending (next_attempt_at set, wall-clock) -> sent | failed; a
-- resend makes it pending again under the same id, hence the same Message-ID.
CREATE TABLE emails (
  pk              INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  livemode        INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  event_pk        INTEGER,
  event_id        TEXT,
  object_id       TEXT NOT NULL,
  subscription_id TEXT,
  customer_id     TEXT NOT NULL,
  to_address      TEXT NOT NULL,
  card_expiry     TEXT,
  status          TEXT NOT NULL CHECK (status = 'pending' OR status = 'sent' OR status = 'failed'),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error      TEXT,
  resends         INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  UNIQUE (event_pk, kind)
);
CREATE UNIQUE INDEX emails_card_expiry ON emails (object_id, card_expiry)
  WHERE kind = 'card_expiring';
CREATE INDEX emails_due ON emails (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX emails_customer ON emails (customer_id);
-- A customer who used the one-click unsubscribe of a reminder (List-Unsubscribe, RFC 8058)
-- gets no more reminders (trial ending, card expiring); receipts and notices still go.
ALTER TABLE customers ADD COLUMN reminders_off_at INTEGER;

-- migration 13
-- ==== Plan changes with proration (issue #15; daemon/billing/plan_change.h) ====
-- A plan customers may move to themselves (the portal offers the active switchable plans).
ALTER TABLE plans ADD COLUMN switchable INTEGER NOT NULL DEFAULT 0;
-- A change waiting for the end of the paid period: the new plan's terms as copied when it was
-- asked for, a JSON object {plan_id, plan_name, amount, currency, interval, interval_count,
-- grace_days, at, requested_at}; NULL when none. Renewals never write it (their UPDATE does
-- not name it), so this index costs them nothing; archiving a plan finds the changes to it.
ALTER TABLE subscriptions ADD COLUMN pending_update TEXT;
CREATE INDEX subscriptions_pending_plan ON subscriptions (json_extract(pending_update, '$.plan_id'))
  WHERE pending_update IS NOT NULL;
