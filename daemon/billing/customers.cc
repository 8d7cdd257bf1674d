#include "daemon/billing/customers.h"

#include <fmt/core.h>

#include "common/ids.h"
#include "common/validate.h"

namespace jopay {

namespace {
constexpr const char* kColumns = "id, livemode, email, name, created_at, address, tax_id";

Customer Read(const Stmt& q) {
  return {q.Text(0), q.Int(1) != 0, q.Text(2), q.Text(3), q.Int(4), q.Text(5), q.Text(6)};
}
}  // namespace

Customer FindOrCreateCustomer(Db& db, bool livemode, const std::string& email,
                              const std::string& name, UnixSeconds now) {
  auto& q = db.Cached(fmt::format("SELECT {} FROM customers WHERE livemode=? AND email=?", kColumns));
  q.Args(int64_t{livemode}, email);
  if (q.Step()) {
    Customer c = Read(q);
    q.Reset();
    return c;
  }
  Customer c{NewId("cus_"), livemode, email, name, now, "", ""};
  db.Cached("INSERT INTO customers (id, livemode, email, name, created_at) VALUES (?,?,?,?,?)")
      .Args(c.id, int64_t{livemode}, c.email, c.name, now)
      .Exec();
  return c;
}

Result<Customer> LoadCustomer(Db& db, const std::string& key, bool livemode) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM customers WHERE livemode=?1 AND (id=?2 OR email=lower(?2))", kColumns));
  q.Args(int64_t{livemode}, key);
  if (!q.Step()) return Status::NotFound(fmt::format("No such customer: {}", key), "id");
  Customer c = Read(q);
  q.Reset();
  return c;
}

Result<Customer> UpdateCustomer(Db& db, const std::string& id_or_email, bool livemode,
                                const CustomerUpdate& u) {
  if (u.name) JOPAY_RETURN_IF_ERROR(ValidateText(*u.name, "name", 200));
  if (u.address) JOPAY_RETURN_IF_ERROR(ValidateText(*u.address, "address", 300, true));
  if (u.tax_id) JOPAY_RETURN_IF_ERROR(ValidateText(*u.tax_id, "tax_id", 50));
  auto c = LoadCustomer(db, id_or_email, livemode);
  if (!c.ok()) return c.status();
  if (u.name) c->name = *u.name;
  if (u.address) c->address = *u.address;
  if (u.tax_id) c->tax_id = *u.tax_id;
  db.Cached("UPDATE customers SET name=?, address=?, tax_id=? WHERE id=?")
      .Args(c->name, c->address, c->tax_id, c->id)
      .Exec();
  return c;
}

std::vector<Customer> ListCustomers(Db& db, bool livemode, const std::string& search, int limit,
                                    const std::string& starting_after) {
  auto& q = db.Cached(fmt::format(
      "SELECT {} FROM customers WHERE livemode=?1 AND (?2 = '' OR instr(email, lower(?2)) > 0 "
      "OR instr(lower(name), lower(?2)) > 0) AND (?3 = '' OR rowid < (SELECT rowid FROM "
      "customers WHERE id=?3)) ORDER BY rowid DESC LIMIT ?4",
      kColumns));
  q.Args(int64_t{livemode}, search, starting_after, int64_t{limit});
  std::vector<Customer> out;
  while (q.Step()) out.push_back(Read(q));
  q.Reset();
  return out;
}

std::string InsertPaymentMethod(Db& db, bool livemode, const std::string& customer_id,
                                const SavedCard& card, UnixSeconds now) {
  std::string id = NewId("pm_");
  auto opt_text = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); };
  auto opt_int = [](int n) { return n ? std::optional<int64_t>(n) : std::nullopt; };
  db.Cached("INSERT INTO payment_methods (id, livemode, customer_id, provider, provider_ref, "
            "brand, last4, created_at, provider_customer, exp_month, exp_year) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)")
      .Args(id, int64_t{livemode}, customer_id, card.provider, card.provider_ref, card.brand,
            card.last4, now, opt_text(card.provider_customer), opt_int(card.exp_month),
            opt_int(card.exp_year))
      .Exec();
  return id;
}

std::vector<std::string> UpdatePaymentMethodsOf(Db& db, bool livemode, const SavedCard& card,
                                                bool detached, UnixSeconds now) {
  if (detached) {
    db.Cached("UPDATE payment_methods SET detached_at=? WHERE provider=? AND provider_ref=? AND "
              "livemode=? AND detached_at IS NULL")
        .Args(now, card.provider, card.provider_ref, int64_t{livemode})
        .Exec();
  } else {
    db.Cached("UPDATE payment_methods SET brand=?, last4=?, exp_month=?, exp_year=? WHERE "
              "provider=? AND provider_ref=? AND livemode=?")
        .Args(card.brand, card.last4, int64_t{card.exp_month}, int64_t{card.exp_year},
              card.provider, card.provider_ref, int64_t{livemode})
        .Exec();
  }
  auto& q = db.Cached("SELECT s.id FROM subscriptions s JOIN payment_methods pm ON "
                      "pm.id = s.payment_method_id WHERE pm.provider=? AND pm.provider_ref=? "
                      "AND s.livemode=?");
  q.Args(card.provider, card.provider_ref, int64_t{livemode});
  std::vector<std::string> ids;
  while (q.Step()) ids.push_back(q.Text(0));
  q.Reset();
  return ids;
}

std::optional<SavedCard> LoadSavedCard(Db& db, const std::string& payment_method_id) {
  auto& q = db.Cached("SELECT provider, provider_ref, brand, last4, provider_customer, "
                      "IFNULL(exp_month, 0), IFNULL(exp_year, 0) FROM payment_methods WHERE id=?");
  q.Args(payment_method_id);
  std::optional<SavedCard> card;
  if (q.Step()) {
    card = SavedCard{q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.OptText(4).value_or(""),
                     static_cast<int>(q.Int(5)), static_cast<int>(q.Int(6))};
  }
  q.Reset();
  return card;
}

boost::json::object CustomerView(const Customer& c) {
  return {{"id", c.id},           {"object", "customer"},
          {"livemode", c.livemode}, {"email", c.email},
          {"name", c.name},         {"address", c.address},
          {"tax_id", c.tax_id},     {"created_at", FormatRfc3339(c.created_at)}};
}

}  // namespace jopay
