// Customers (one per email and mode) and their saved payment methods.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "daemon/providers/provider.h"
#include "daemon/store/db.h"

namespace jopay {

struct Customer {
  std::string id;
  bool livemode = false;
  std::string email;
  std::string name;
  UnixSeconds created_at = 0;
  std::string address;  // for invoices: lines separated by '\n'
  std::string tax_id;
};

// The customer with this (normalized) email in this mode, created if new.
Customer FindOrCreateCustomer(Db& db, bool livemode, const std::string& email,
                              const std::string& name, UnixSeconds now);
// What an operator may change of a customer (unset: unchanged). Invoices issued later carry it;
// those issued already keep what they were issued with.
struct CustomerUpdate {
  std::optional<std::string> name;     // at most 200 characters, one line
  std::optional<std::string> address;  // at most 300 characters, lines
  std::optional<std::string> tax_id;   // at most 50 characters, one line
};
// Checks every field (UTF-8, lengths, no control characters) and writes them; kInvalid naming
// the field and nothing written on bad input, kNotFound for an unknown customer.
Result<Customer> UpdateCustomer(Db& db, const std::string& id_or_email, bool livemode,
                                const CustomerUpdate& u);
// By id ("cus_...") or by email.
Result<Customer> LoadCustomer(Db& db, const std::string& id_or_email, bool livemode);
// Newest first; `search` matches a substring of the email or name.
std::vector<Customer> ListCustomers(Db& db, bool livemode, const std::string& search, int limit,
                                    const std::string& starting_after);
// Saves a card the provider accepted; returns the new payment method id.
std::string InsertPaymentMethod(Db& db, bool livemode, const std::string& customer_id,
                                const SavedCard& card, UnixSeconds now);
// The saved methods of `card.provider` with id card.provider_ref, changed at the provider:
// detached (marked), or their brand, last4 and expiry updated. Returns the ids of the
// subscriptions that use them.
std::vector<std::string> UpdatePaymentMethodsOf(Db& db, bool livemode, const SavedCard& card,
                                                bool detached, UnixSeconds now);
// A saved payment method as its provider knows it, if the id names one.
std::optional<SavedCard> LoadSavedCard(Db& db, const std::string& payment_method_id);

boost::json::object CustomerView(const Customer& c);

}  // namespace jopay
