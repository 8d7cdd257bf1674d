// The floor for bench/renewals.sh: the same schema and, per renewal, the same writes jopayd
// makes (select a batch of due rows with their joins, update the subscription, insert a
// payment and an event), in batches of 10,000 per transaction with synchronous=FULL in WAL
// mode, but with none of the engine around them (no state machine, no JSON building: a fixed
// event payload of the same size as jopayd's, ~700 bytes).
//
// With --invoices, each renewal also writes what invoices added (issue 15): an invoice row
// issued paid (its number, the customer's snapshot, the line), the payment's invoice_pk, and
// two invoice events (invoice.created, invoice.paid) of jopayd's size, ~910 bytes each.
//
//   raw_sqlite_baseline SCHEMA_SQL DB_PATH N [--invoices]
// prints "raw_sqlite renewals=N seconds=S per_second=R".
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "%s\n", err);
    std::exit(1);
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  Check(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), db, sql);
  return s;
}

std::string Id(const char* prefix, long n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%024ld", prefix, n);
  return buf;
}

// One renewal's invoice `k` (events keyed after the renewal's own) for subscription `s` of
// customer `c`.
void WriteInvoice(sqlite3* db, sqlite3_stmt* customer, sqlite3_stmt* inv, sqlite3_stmt* evt,
                  long k, const std::string& s, const std::string& c, const std::string& json,
                  long n) {
  sqlite3_bind_text(customer, 1, c.c_str(), -1, SQLITE_TRANSIENT);
  Check(sqlite3_step(customer), db, "customer snapshot");
  std::string snapshot[4];
  for (int i = 0; i < 4; ++i) {
    snapshot[i] = reinterpret_cast<const char*>(sqlite3_column_text(customer, i));
  }
  sqlite3_reset(customer);
  std::string id = Id("in_", k);
  char number[32];
  std::snprintf(number, sizeof number, "JP-TEST-%06ld", k);
  sqlite3_bind_int64(inv, 1, k);
  sqlite3_bind_text(inv, 2, id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(inv, 3, number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(inv, 4, c.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(inv, 5, s.c_str(), -1, SQLITE_TRANSIENT);
  for (int i = 0; i < 4; ++i) {
    sqlite3_bind_text(inv, 6 + i, snapshot[i].c_str(), -1, SQLITE_TRANSIENT);
  }
  Check(sqlite3_step(inv), db, "invoice");
  sqlite3_reset(inv);
  const char* types[2] = {"invoice.created", "invoice.paid"};
  for (int e = 0; e < 2; ++e) {
    long pk = 3 * k + 1 + e;
    std::string eid = Id("evt_", pk + 4 * n);
    sqlite3_bind_int64(evt, 1, pk);
    sqlite3_bind_text(evt, 2, eid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(evt, 3, types[e], -1, SQLITE_STATIC);
    sqlite3_bind_text(evt, 4, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(evt, 5, e + 1);
    sqlite3_bind_text(evt, 6, json.c_str(), -1, SQLITE_STATIC);
    Check(sqlite3_step(evt), db, "invoice event");
    sqlite3_reset(evt);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool invoices = argc == 5 && std::string(argv[4]) == "--invoices";
  if (argc != 4 && !invoices) {
    std::fprintf(stderr, "usage: raw_sqlite_baseline SCHEMA_SQL DB_PATH N [--invoices]\n");
    return 2;
  }
  std::ifstream schema_file(argv[1]);
  std::stringstream schema;
  schema << schema_file.rdbuf();
  long n = std::atol(argv[3]);
  sqlite3* db = nullptr;
  sqlite3_open(argv[2], &db);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
           "PRAGMA cache_size=-524288;");
  Exec(db, schema.str());
  Exec(db, "INSERT INTO plans (id, livemode, name, description, amount, currency, interval, "
           "interval_count, trial_days, grace_days, active, created_at, updated_at) "
           "VALUES ('plan_1', 0, 'Bench', '', 999, 'eur', 'month', 1, 0, 0, 1, 0, 0)");

  // Load: n subscriptions, all due at t=100.
  Exec(db, "BEGIN");
  sqlite3_stmt* cus = Prepare(db, "INSERT INTO customers (id, livemode, email, name, created_at) "
                                   "VALUES (?, 0, ?, '', 0)");
  sqlite3_stmt* pm = Prepare(db,
      "INSERT INTO payment_methods (id, livemode, customer_id, provider, provider_ref, brand, "
      "last4, created_at) VALUES (?, 0, ?, 'sandbox', 'ok', 'visa', '4242', 0)");
  sqlite3_stmt* sub = Prepare(db,
      "INSERT INTO subscriptions (id, livemode, customer_id, plan_id, payment_method_id, status, "
      "amount, currency, interval, interval_count, billing_anchor, period_index, "
      "current_period_start, current_period_end, next_action, next_action_at, created_at, "
      "updated_at) VALUES (?, 0, ?, 'plan_1', ?, 'active', 999, 'eur', 'month', 1, 0, 0, 0, 100, "
      "'renew', 100, 0, 0)");
  if (invoices) {
    Exec(db, "INSERT INTO invoice_issuers (pk, name, address, tax_id, support_email, logo_url) "
             "VALUES (1, '', '', '', '', '')");
  }
  for (long i = 0; i < n; ++i) {
    std::string c = Id("cus_", i), p = Id("pm_", i), s = Id("sub_", i);
    std::string email = "u" + std::to_string(i) + "@example.com";
    sqlite3_bind_text(cus, 1, c.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(cus, 2, email.c_str(), -1, SQLITE_TRANSIENT);
    Check(sqlite3_step(cus), db, "customer");
    sqlite3_reset(cus);
    sqlite3_bind_text(pm, 1, p.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(pm, 2, c.c_str(), -1, SQLITE_TRANSIENT);
    Check(sqlite3_step(pm), db, "pm");
    sqlite3_reset(pm);
    sqlite3_bind_text(sub, 1, s.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(sub, 2, c.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(sub, 3, p.c_str(), -1, SQLITE_TRANSIENT);
    Check(sqlite3_step(sub), db, "sub");
    sqlite3_reset(sub);
  }
  Exec(db, "COMMIT");

  sqlite3_stmt* due = Prepare(db,
      "SELECT s.rowid, s.id, s.customer_id, c.email, p.name, pm.provider_ref, s.amount, s.currency, "
      "s.metadata FROM subscriptions s JOIN customers c ON c.id = s.customer_id JOIN plans p ON "
      "p.id = s.plan_id LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id WHERE "
      "s.next_action_at <= 100 ORDER BY s.next_action_at LIMIT 10000");
  sqlite3_stmt* upd = Prepare(db,
      "UPDATE subscriptions SET status='active', period_index=period_index+1, "
      "current_period_start=100, current_period_end=200, next_action_at=200, sequence=sequence+1, "
      "updated_at=100 WHERE rowid=?");  // by the row number it was loaded with, as jopayd
  sqlite3_stmt* pay = Prepare(db,
      "INSERT INTO payments (pk, id, livemode, subscription_id, customer_id, payment_method_id, "
      "provider, amount, currency, status, attempt, period_start, period_end, idempotency_key, "
      "created_at, paid_at, provider_ref, next_send_at, first_sent_at, invoice_pk) VALUES (?, ?, "
      "0, ?, ?, NULL, 'sandbox', 999, 'eur', 'paid', 1, 100, 200, ?, 100, 100, NULL, NULL, NULL, "
      "?)");
  // The invoice as IssueInvoice writes it for a renewal issued paid (the customer's details
  // read per invoice, as jopayd snapshots them), and its two events.
  sqlite3_stmt* customer = Prepare(db, "SELECT email, name, address, tax_id FROM customers "
                                       "WHERE id=?");
  sqlite3_stmt* inv = Prepare(db,
      "INSERT INTO invoices (pk, id, livemode, kind, seq, number, billing_reason, status, "
      "customer_id, subscription_id, plan_id, schedule, period_start, period_end, currency, "
      "subtotal, total, credit_for_pk, reason, line_description, line_quantity, "
      "line_unit_amount, customer_name, customer_email, customer_address, customer_tax_id, "
      "issuer_pk, created_at, amount_paid, paid_at) VALUES (?1, ?2, 0, 'invoice', ?1, ?3, "
      "'subscription_cycle', 'paid', ?4, ?5, 'plan_1', 0, 100, 200, 'eur', 999, 999, NULL, NULL, "
      "'Bench', 1, 999, ?6, ?7, ?8, ?9, 1, 100, 999, 100)");
  std::string invoice_json(900, 'x');  // the size of jopayd's invoice views
  sqlite3_stmt* inv_evt = Prepare(db,
      "INSERT INTO events (pk, id, livemode, type, object_id, sequence, data, created_at) "
      "VALUES (?, ?, 0, ?, ?, ?, json_object('invoice', ?), 100)");
  sqlite3_stmt* evt = Prepare(db,
      "INSERT INTO events (pk, id, livemode, type, object_id, sequence, data, created_at) "
      "VALUES (?, ?, 0, 'subscription.renewed', ?, 2, "
      "'{\"id\":\"sub_0TRh6qV24eC39HqLyjWDarjt\",\"object\":\"subscription\",\"stripe_subscription_id\":null,\"status\":\"active\",\"plan_id\":\"plan_0TRh6qV24eC39HqLyjWDarjt\",\"plan_name\":\"Bench\",\"plan_interval\":\"month\",\"interval_count\":1,\"amount_cents\":999,\"currency\":\"eur\",\"customer_id\":\"cus_0TRh6qV24eC39HqLyjWDarjt\",\"customer_email\":\"u123456@example.com\",\"current_period_start\":\"2025-02-01T00:00:00Z\",\"current_period_end\":\"2025-03-01T00:00:00Z\",\"trial_end\":null,\"cancel_at_period_end\":false,\"canceled_at\":null,\"ended_at\":null,\"metadata\":{},\"sequence\":2,\"livemode\":false,\"attempt\":1}', 100)");

  auto start = std::chrono::steady_clock::now();
  long done = 0, next_id = 0;
  for (;;) {
    Exec(db, "BEGIN IMMEDIATE");
    struct Due {
      int64_t rowid;
      std::string id, customer_id;
    };
    std::vector<Due> rows;
    while (sqlite3_step(due) == SQLITE_ROW) {
      rows.push_back({sqlite3_column_int64(due, 0),
                      reinterpret_cast<const char*>(sqlite3_column_text(due, 1)),
                      reinterpret_cast<const char*>(sqlite3_column_text(due, 2))});
    }
    sqlite3_reset(due);
    for (const auto& [rowid, s, c] : rows) {
      sqlite3_bind_int64(upd, 1, rowid);
      Check(sqlite3_step(upd), db, "update");
      sqlite3_reset(upd);
      ++next_id;
      std::string pid = Id("pay_", next_id), eid = Id("evt_", next_id);
      std::string key = s + ":100:1";
      sqlite3_bind_int64(pay, 1, next_id);  // keys as jopayd gives them: counted on in memory
      sqlite3_bind_text(pay, 2, pid.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(pay, 3, s.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(pay, 4, c.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(pay, 5, key.c_str(), -1, SQLITE_TRANSIENT);
      if (invoices) sqlite3_bind_int64(pay, 6, next_id);
      Check(sqlite3_step(pay), db, "payment");
      sqlite3_reset(pay);
      if (invoices) WriteInvoice(db, customer, inv, inv_evt, next_id, s, c, invoice_json, n);
      sqlite3_bind_int64(evt, 1, invoices ? 3 * next_id : next_id);
      sqlite3_bind_text(evt, 2, eid.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(evt, 3, s.c_str(), -1, SQLITE_TRANSIENT);
      Check(sqlite3_step(evt), db, "event");
      sqlite3_reset(evt);
    }
    Exec(db, "COMMIT");
    done += static_cast<long>(rows.size());
    if (rows.empty()) break;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("raw_sqlite renewals=%ld seconds=%.2f per_second=%.0f\n", done, secs, done / secs);
  sqlite3_close(db);
  return 0;
}
