#include "daemon/billing/invoices.h"

#include <fmt/compile.h>
#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/ids.h"
#include "common/json_fields.h"
#include "common/time.h"
#include "daemon/billing/event_batch.h"
#include "daemon/events/outbox.h"

namespace jopay {

namespace json = boost::json;

namespace {

constexpr KeyedTable kInvoicesTable{2, "in_", "SELECT IFNULL(MAX(pk), 0) + 1 FROM invoices",
                                    "SELECT pk FROM invoices WHERE pk = ?2 AND id = ?1"};

constexpr const char* kColumns =
    "i.pk, i.id, i.livemode, i.kind, i.seq, i.number, i.billing_reason, i.status, "
    "i.customer_id, i.subscription_id, i.plan_id, i.schedule, i.period_start, i.period_end, "
    "i.currency, i.subtotal, i.total, i.amount_paid, i.amount_credited, "
    "(SELECT c.id FROM invoices c WHERE c.pk = i.credit_for_pk), i.reason, i.line_description, "
    "i.line_quantity, i.line_unit_amount, i.customer_name, i.customer_email, i.customer_address, "
    "i.customer_tax_id, i.created_at, i.paid_at, i.voided_at, s.name, s.address, s.tax_id, "
    "s.support_email, s.logo_url";
constexpr const char* kFrom = " FROM invoices i JOIN invoice_issuers s ON s.pk = i.issuer_pk ";

Invoice Read(Stmt& q) {
  Invoice v;
  int i = 0;
  v.pk = q.Int(i++);
  v.id = q.Text(i++);
  v.livemode = q.Int(i++) != 0;
  v.kind = q.Text(i++);
  v.seq = q.Int(i++);
  v.number = q.Text(i++);
  v.billing_reason = q.Text(i++);
  v.status = q.Text(i++);
  v.customer_id = q.Text(i++);
  v.subscription_id = q.OptText(i++);
  v.plan_id = q.OptText(i++);
  v.schedule = q.Int(i++);
  v.period_start = q.OptInt(i++);
  v.period_end = q.OptInt(i++);
  v.currency = q.Text(i++);
  v.subtotal = q.Int(i++);
  v.total = q.Int(i++);
  v.amount_paid = q.Int(i++);
  v.amount_credited = q.Int(i++);
  v.credit_for = q.OptText(i++);
  v.reason = q.OptText(i++);
  std::optional<std::string> line_description = q.OptText(i++);
  int64_t line_quantity = q.Int(i++);
  int64_t line_unit_amount = q.Int(i++);
  if (line_description) {
    v.lines.push_back({*line_description, v.period_start, v.period_end, line_quantity,
                       line_unit_amount, line_quantity * line_unit_amount});
  }
  v.customer_name = q.Text(i++);
  v.customer_email = q.Text(i++);
  v.customer_address = q.Text(i++);
  v.customer_tax_id = q.Text(i++);
  v.created_at = q.Int(i++);
  v.paid_at = q.OptInt(i++);
  v.voided_at = q.OptInt(i++);
  v.issuer.name = q.Text(i++);
  v.issuer.address = q.Text(i++);
  v.issuer.tax_id = q.Text(i++);
  v.issuer.support_email = q.Text(i++);
  v.issuer.logo_url = q.Text(i++);
  return v;
}

// Invoices of more than one line keep them in invoice_lines.
void LoadLines(Db& db, Invoice& v) {
  if (!v.lines.empty()) return;
  auto& q = db.Cached(
      "SELECT description, period_start, period_end, quantity, unit_amount, amount "
      "FROM invoice_lines WHERE invoice_pk=? ORDER BY position");
  q.Args(v.pk);
  while (q.Step()) {
    v.lines.push_back({q.Text(0), q.OptInt(1), q.OptInt(2), q.Int(3), q.Int(4), q.Int(5)});
  }
  q.Reset();
}

std::optional<Invoice> ReadOne(Db& db, Stmt& q) {
  if (!q.Step()) {
    q.Reset();
    return std::nullopt;
  }
  Invoice v = Read(q);
  q.Reset();
  LoadLines(db, v);
  return v;
}

// The issuer row for `s`: looked up once per connection and set of details. The cache is
// filled only after the commit, so a rolled-back insert is never remembered.
int64_t IssuerPk(Db& db, const InvoiceIssuer& s) {
  using Key = std::tuple<const Db*, std::string, std::string, std::string, std::string,
                         std::string>;
  static std::mutex mu;
  static std::map<Key, int64_t> known;
  Key key{&db, s.name, s.address, s.tax_id, s.support_email, s.logo_url};
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = known.find(key); it != known.end()) return it->second;
  }
  db.Cached("INSERT OR IGNORE INTO invoice_issuers (name, address, tax_id, support_email, "
            "logo_url) VALUES (?,?,?,?,?)")
      .Args(s.name, s.address, s.tax_id, s.support_email, s.logo_url)
      .Exec();
  auto& q = db.Cached("SELECT pk FROM invoice_issuers WHERE name=? AND address=? AND tax_id=? "
                      "AND support_email=? AND logo_url=?");
  q.Args(s.name, s.address, s.tax_id, s.support_email, s.logo_url);
  q.Step();
  int64_t pk = q.Int(0);
  q.Reset();
  db.AfterCommit([key, pk] {
    std::lock_guard<std::mutex> lock(mu);
    known.emplace(key, pk);
  });
  return pk;
}

// The next number of the series (livemode, kind): MAX + 1 inside this transaction.
int64_t NextSeq(Db& db, bool livemode, const std::string& kind) {
  auto& q = db.Cached("SELECT IFNULL(MAX(seq), 0) + 1 FROM invoices WHERE livemode=? AND kind=?");
  q.Args(int64_t{livemode}, kind);
  q.Step();
  int64_t seq = q.Int(0);
  q.Reset();
  return seq;
}

std::string NumberText(const std::string& prefix, bool livemode, const std::string& kind,
                       int64_t seq) {
  // Compiled, as FormatRfc3339 is: this runs once per renewal.
  return fmt::format(FMT_COMPILE("{}{}{}{:06}"), prefix, livemode ? "" : "TEST-",
                     kind == "credit_note" ? "CN-" : "", seq);
}

// What is still to pay of an invoice in `status` (InvoiceView's amount_due).
int64_t AmountDue(std::string_view status, int64_t total, int64_t paid, int64_t credited) {
  return status == "open" ? std::max<int64_t>(0, total - paid - credited) : 0;
}

json::object ViewIn(const Invoice& v, json::storage_ptr sp);  // InvoiceView's, in `sp`

// `data` (a view with its sequence) as event `type` about `v`.
Event InvoiceEvent(const Invoice& v, std::string_view type, int64_t sequence, UnixSeconds now,
                   json::object& data) {
  Event e;
  e.livemode = v.livemode;
  e.type = std::string(type);
  e.object_id = v.id;
  e.sequence = sequence;
  data["sequence"] = sequence;
  e.data = json::serialize(data);
  e.created_at = now;
  return e;
}

// The fields of a view that paying the invoice changes, in the places InvoiceView gave them.
void SetPaidState(json::object& data, std::string_view status, int64_t amount_paid,
                  int64_t amount_due, const std::optional<UnixSeconds>& paid_at) {
  data["status"] = status;
  data["amount_paid"] = amount_paid;
  data["amount_due"] = amount_due;
  data["paid_at"] = TimeOrNull(paid_at, data.storage());
}

// What a change to an invoice emits: event `type` (sequence `sequence`) showing the invoice as
// it is; or, for an invoice issued paid (`issued_status` set: its status before it was paid),
// that event shows it as issued (nothing paid yet) and invoice.paid (the next sequence) follows.
struct InvoiceNews {
  std::string type;
  int64_t sequence = 0;
  UnixSeconds at = 0;
  std::string_view issued_status;  // a literal; "" = not issued paid
};

void RenderNews(const Invoice& v, const InvoiceNews& n, std::vector<Event>& out) {
  // Every allocation of the view comes from one buffer on the stack, as for subscription
  // events (event_data.cc): a due run renders them by the ten thousand.
  unsigned char buffer[8192];
  json::monotonic_resource scratch(buffer, sizeof buffer);
  json::object data = ViewIn(v, &scratch);
  if (n.issued_status.empty()) {
    out.push_back(InvoiceEvent(v, n.type, n.sequence, n.at, data));
    return;
  }
  // One view serves both events: only the fields of the payment differ.
  SetPaidState(data, n.issued_status, 0, AmountDue(n.issued_status, v.total, 0, v.amount_credited),
               std::nullopt);
  out.push_back(InvoiceEvent(v, n.type, n.sequence, n.at, data));
  SetPaidState(data, v.status, v.amount_paid,
               AmountDue(v.status, v.total, v.amount_paid, v.amount_credited), v.paid_at);
  out.push_back(InvoiceEvent(v, "invoice.paid", n.sequence + 1, n.at, data));
}

// The events of a change to an invoice in a due batch, rendered by its renderer from one
// snapshot of the invoice (it used to be copied once per event, and once more for the open
// state of an invoice issued paid: 12% of the writer's time in a due run).
class LaterInvoiceEvents final : public EventBatch::Later {
 public:
  void Set(const Invoice& v, InvoiceNews n) {
    v_ = v;  // into a recycled one: its strings' storage is reused
    n_ = std::move(n);
  }
  void Render(std::vector<Event>& out) const override { RenderNews(v_, n_, out); }

 private:
  Invoice v_;
  InvoiceNews n_;
};

// Inserts the events of `n` about `v` now, or queues them in `batch`.
void EmitInvoiceNews(Db& db, const Invoice& v, InvoiceNews n, EventBatch* batch) {
  if (batch) {
    auto later = batch->Reuse<LaterInvoiceEvents>();
    if (!later) later = std::make_unique<LaterInvoiceEvents>();
    later->Set(v, std::move(n));
    return batch->AddLater(std::move(later));
  }
  std::vector<Event> events;
  RenderNews(v, n, events);
  for (Event& e : events) InsertEvent(db, e);
}

void EmitInvoiceEvent(Db& db, const Invoice& v, std::string_view type, int64_t sequence,
                      UnixSeconds now, EventBatch* batch) {
  EmitInvoiceNews(db, v, {std::string(type), sequence, now, {}}, batch);
}

void SnapshotCustomer(Db& db, Invoice& v) {
  static const SqlSlot sql("SELECT email, name, address, tax_id FROM customers WHERE id=?");
  auto& q = db.Cached(sql);
  q.Args(v.customer_id);
  if (q.Step()) {
    v.customer_email = q.Text(0);
    v.customer_name = q.Text(1);
    v.customer_address = q.Text(2);
    v.customer_tax_id = q.Text(3);
  }
  q.Reset();
}


std::optional<int64_t> InvoicePk(Db& db, const std::string& id) {
  auto& q = db.Cached("SELECT pk FROM invoices WHERE id=?");
  q.Args(id);
  std::optional<int64_t> pk;
  if (q.Step()) pk = q.Int(0);
  q.Reset();
  return pk;
}
}  // namespace

// The key counts on like the other keyed tables', but the id is a time-ordered one (NewId),
// found through invoices_id: an invoice's events are indexed by their object id
// (events_object), and enciphered ids would land each renewal's two events on random pages of
// that index: 7 KB of WAL per renewal instead of ~1.2 (bench/README.md).
RowKey ReserveInvoiceKey(Db& db) { return {NewRowKey(db, kInvoicesTable).pk, NewId("in_")}; }

namespace {

// `d` as a numbered invoice with its key and the customer's and issuer's details, still open
// and not written yet.
Invoice Compose(Db& db, const InvoiceDraft& d, const InvoiceIssuer& issuer, UnixSeconds now,
                const RowKey* reserved) {
  Invoice v;
  v.livemode = d.livemode;
  v.kind = d.kind;
  v.billing_reason = d.billing_reason;
  v.status = d.kind == "credit_note" ? "issued" : "open";
  v.customer_id = d.customer_id;
  v.subscription_id = d.subscription_id;
  v.plan_id = d.plan_id;
  v.schedule = d.schedule;
  v.period_start = d.period_start;
  v.period_end = d.period_end;
  v.currency = d.currency;
  v.lines = d.lines;
  for (const InvoiceLine& l : v.lines) v.subtotal += l.amount;
  v.total = v.subtotal;
  v.reason = d.reason;
  if (d.credit_for_pk) {  // a credit note names the invoice it credits (rare: one query)
    auto& q = db.Cached("SELECT id FROM invoices WHERE pk=?");
    q.Args(*d.credit_for_pk);
    if (q.Step()) v.credit_for = q.Text(0);
    q.Reset();
  }
  v.issuer = issuer;
  v.created_at = now;
  SnapshotCustomer(db, v);
  v.seq = NextSeq(db, v.livemode, v.kind);
  v.number = NumberText(issuer.number_prefix, v.livemode, v.kind, v.seq);
  RowKey key = reserved ? *reserved : ReserveInvoiceKey(db);
  v.pk = key.pk;
  v.id = std::move(key.id);
  return v;
}

// Writes `v`: its row and, unless its one line is the invoice's own period, its lines.
void Insert(Db& db, const Invoice& v, std::optional<int64_t> credit_for_pk, int64_t issuer_pk) {
  bool one_line = v.lines.size() == 1 && v.lines[0].period_start == v.period_start &&
                  v.lines[0].period_end == v.period_end;
  std::optional<std::string> line_description;
  std::optional<int64_t> line_quantity, line_unit_amount;
  if (one_line) {
    line_description = v.lines[0].description;
    line_quantity = v.lines[0].quantity;
    line_unit_amount = v.lines[0].unit_amount;
  }
  static const SqlSlot sql(
      "INSERT INTO invoices (pk, id, livemode, kind, seq, number, billing_reason, status, "
      "customer_id, subscription_id, plan_id, schedule, period_start, period_end, currency, "
      "subtotal, total, credit_for_pk, reason, line_description, line_quantity, "
      "line_unit_amount, customer_name, customer_email, customer_address, customer_tax_id, "
      "issuer_pk, created_at, amount_paid, paid_at) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  db.Cached(sql).ExecWith(v.pk, v.id, int64_t{v.livemode}, v.kind, v.seq, v.number,
                          v.billing_reason, v.status, v.customer_id, v.subscription_id, v.plan_id,
                          v.schedule, v.period_start, v.period_end, v.currency, v.subtotal,
                          v.total, credit_for_pk, v.reason, line_description, line_quantity,
                          line_unit_amount, v.customer_name, v.customer_email,
                          v.customer_address, v.customer_tax_id, issuer_pk, v.created_at,
                          v.amount_paid, v.paid_at);
  if (one_line) return;
  int64_t position = 0;
  for (const InvoiceLine& l : v.lines) {
    db.Cached("INSERT INTO invoice_lines (invoice_pk, position, description, period_start, "
              "period_end, quantity, unit_amount, amount) VALUES (?,?,?,?,?,?,?,?)")
        .Args(v.pk, ++position, l.description, l.period_start, l.period_end, l.quantity,
              l.unit_amount, l.amount)
        .Exec();
  }
}

}  // namespace

Invoice IssueInvoice(Db& db, const InvoiceDraft& d, const InvoiceIssuer& issuer, UnixSeconds now,
                     const RowKey* reserved, EventBatch* batch) {
  Invoice v = Compose(db, d, issuer, now, reserved);
  // Paid at once: written paid, and its first event still shows it as it was issued.
  std::string_view issued_status;
  if (d.paid_amount > 0) {
    issued_status = d.kind == "credit_note" ? "issued" : "open";
    v.status = "paid";
    v.amount_paid = d.paid_amount;
    v.paid_at = now;
  }
  Insert(db, v, d.credit_for_pk, IssuerPk(db, issuer));
  std::string type = v.kind == "credit_note" ? "credit_note.created" : "invoice.created";
  EmitInvoiceNews(db, v, {std::move(type), 1, now, issued_status}, batch);
  return v;
}

std::optional<Invoice> FindPeriodInvoice(Db& db, const std::string& subscription_id,
                                         int64_t schedule, UnixSeconds period_start) {
  auto& q = db.Cached(fmt::format(
      "SELECT {}{}WHERE i.subscription_id=? AND i.schedule=? AND i.period_start=? AND "
      "i.kind='invoice' AND i.billing_reason != 'subscription_update'",
      kColumns, kFrom));
  q.Args(subscription_id, schedule, period_start);
  return ReadOne(db, q);
}

std::optional<Invoice> LoadInvoiceByPk(Db& db, int64_t pk) {
  auto& q = db.Cached(fmt::format("SELECT {}{}WHERE i.pk=?", kColumns, kFrom));
  q.Args(pk);
  return ReadOne(db, q);
}

Result<Invoice> LoadInvoice(Db& db, const std::string& id, bool livemode) {
  std::optional<int64_t> pk = InvoicePk(db, id);
  std::optional<Invoice> v = pk ? LoadInvoiceByPk(db, *pk) : std::nullopt;
  if (!v || v->livemode != livemode) {
    return Status::NotFound(fmt::format("No such invoice: {}", id), "id");
  }
  return *v;
}

std::vector<Invoice> ListInvoices(Db& db, bool livemode, const InvoiceFilter& f) {
  int64_t below = f.starting_after.empty() ? std::numeric_limits<int64_t>::max()
                                           : InvoicePk(db, f.starting_after).value_or(0);
  // Only the filters given are in the statement, so SQLite can take the customer's or the
  // subscription's index instead of walking every invoice (a customer's email is theirs for
  // good: customers are found by it, so it names one customer id).
  std::string where;
  if (!f.customer_id.empty()) where += " AND i.customer_id=?2";
  if (!f.customer_email.empty()) {
    where += " AND i.customer_id=(SELECT id FROM customers WHERE livemode=?1 AND email=?3)";
  }
  if (!f.subscription_id.empty()) where += " AND i.subscription_id=?4";
  if (!f.status.empty()) where += " AND i.status=?5";
  auto& q = db.Cached(fmt::format(
      "SELECT {}{}WHERE i.livemode=?1{} AND i.pk < ?6 ORDER BY i.pk DESC LIMIT ?7", kColumns,
      kFrom, where));
  q.Args(int64_t{livemode}, f.customer_id, f.customer_email, f.subscription_id, f.status, below,
         int64_t{f.limit});
  std::vector<Invoice> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  for (Invoice& v : out) LoadLines(db, v);
  return out;
}

void MarkInvoicePaid(Db& db, int64_t pk, int64_t amount, UnixSeconds now) {
  if (std::optional<Invoice> v = LoadInvoiceByPk(db, pk)) MarkInvoicePaid(db, *v, amount, now);
}

void MarkInvoicePaid(Db& db, Invoice& v, int64_t amount, UnixSeconds now, EventBatch* batch) {
  v.amount_paid += amount;
  // A void or uncollectible invoice paid after all is paid: the money is what counts.
  bool newly_paid = v.status != "paid";
  if (newly_paid) {
    v.status = "paid";
    v.paid_at = now;
  }
  static const SqlSlot sql("UPDATE invoices SET amount_paid=?, status=?, paid_at=? WHERE pk=?");
  db.Cached(sql).ExecWith(v.amount_paid, v.status, v.paid_at, v.pk);
  // Sequence 2 after invoice.created: asking would cost a query per renewal, and an invoice's
  // only other events (voided) cannot come before it is paid... unless it was voided first.
  if (newly_paid) {
    int64_t sequence = v.voided_at ? NextSequence(db, v.id) : 2;
    EmitInvoiceEvent(db, v, "invoice.paid", sequence, now, batch);
  }
}

void MarkUncollectible(Db& db, const std::string& subscription_id) {
  db.Cached("UPDATE invoices SET status='uncollectible' WHERE subscription_id=? AND "
            "status='open' AND kind='invoice'")
      .Args(subscription_id)
      .Exec();
}

Status VoidInvoice(Db& db, Invoice& v, const std::string& reason, UnixSeconds now) {
  if (v.status != "open") {
    return Status::Conflict(
        fmt::format("Invoice {} is {}: only an open invoice can be voided.", v.number, v.status),
        "invoice_not_open");
  }
  v.status = "void";
  v.voided_at = now;
  v.reason = reason;
  db.Cached("UPDATE invoices SET status='void', voided_at=?, reason=? WHERE pk=?")
      .Args(now, reason, v.pk)
      .Exec();
  EmitInvoiceEvent(db, v, "invoice.voided", NextSequence(db, v.id), now, nullptr);
  return Status::Ok();
}

void AddCredited(Db& db, Invoice& v, int64_t amount) {
  v.amount_credited += amount;
  db.Cached("UPDATE invoices SET amount_credited=? WHERE pk=?").Args(v.amount_credited, v.pk).Exec();
}

json::object InvoiceView(const Invoice& v) { return ViewIn(v, {}); }

namespace {

json::object ViewIn(const Invoice& v, json::storage_ptr sp) {
  json::array lines(sp);
  for (const InvoiceLine& l : v.lines) {
    lines.push_back(json::object({{"description", l.description},
                                  {"period_start", TimeOrNull(l.period_start, sp)},
                                  {"period_end", TimeOrNull(l.period_end, sp)},
                                  {"quantity", l.quantity},
                                  {"unit_amount", l.unit_amount},
                                  {"amount", l.amount}},
                                 sp));
  }
  return json::object(
      {{"id", v.id},
       {"object", v.kind == "credit_note" ? "credit_note" : "invoice"},
       {"livemode", v.livemode},
       {"number", v.number},
       {"billing_reason", v.billing_reason},
       {"status", v.status},
       {"customer_id", v.customer_id},
       {"customer_name", v.customer_name},
       {"customer_email", v.customer_email},
       {"customer_address", v.customer_address},
       {"customer_tax_id", v.customer_tax_id},
       {"subscription_id", TextOrNull(v.subscription_id, sp)},
       {"plan_id", TextOrNull(v.plan_id, sp)},
       {"period_start", TimeOrNull(v.period_start, sp)},
       {"period_end", TimeOrNull(v.period_end, sp)},
       {"currency", v.currency},
       {"lines", std::move(lines)},
       {"subtotal", v.subtotal},
       {"total", v.total},
       {"amount_paid", v.amount_paid},
       {"amount_credited", v.amount_credited},
       {"amount_due", AmountDue(v.status, v.total, v.amount_paid, v.amount_credited)},
       {"credit_for", TextOrNull(v.credit_for, sp)},
       {"reason", TextOrNull(v.reason, sp)},
       {"merchant", json::object({{"name", v.issuer.name},
                                  {"address", v.issuer.address},
                                  {"tax_id", v.issuer.tax_id},
                                  {"support_email", v.issuer.support_email},
                                  {"logo_url", v.issuer.logo_url}},
                                 sp)},
       {"created_at", FormatRfc3339(v.created_at)},
       {"paid_at", TimeOrNull(v.paid_at, sp)},
       {"voided_at", TimeOrNull(v.voided_at, sp)}},
      sp);
}

}  // namespace

}  // namespace jopay
