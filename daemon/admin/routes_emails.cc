// /v1/emails: the customer emails queued, sent and failed (daemon/email/queue.h): list with
// filters, get one, and resend (pending again, the same id and Message-ID).
#include <fmt/format.h>

#include <algorithm>

#include "common/ids.h"
#include "common/json_fields.h"
#include "common/validate.h"
#include "daemon/admin/context.h"
#include "daemon/billing/customers.h"
#include "daemon/email/queue.h"
#include "daemon/email/sender.h"
#include "daemon/email/templates.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

const std::vector<std::string> kStatuses = {"pending", "sent", "failed"};

std::string FromAddress(const Context& c) { return c.email ? c.email->from_address() : ""; }

// An id jopayd could have made for an email: em_ and 24 base62 characters.
Status CheckId(const std::string& id) {
  if (HasIdPrefix(id, "em_")) return Status::Ok();
  return Status::Invalid(fmt::format("'{}' is not an email id: email ids look like em_ followed "
                                     "by 24 letters and digits (jopayctl emails list shows them)",
                                     ToValidUtf8(id.substr(0, 60))),
                         "id");
}

Status OneOf(const std::string& value, const std::vector<std::string>& allowed, const char* param) {
  if (value.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
    return Status::Ok();
  }
  return Status::Invalid(fmt::format("{} must be one of {}", param, fmt::join(allowed, ", ")),
                         param);
}

void List(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  email::EmailFilter f;
  f.status = QueryValue(req, "status");
  f.kind = QueryValue(req, "kind");
  f.limit = page->limit + 1;
  f.starting_after = page->starting_after;
  Status st = OneOf(f.status, kStatuses, "status");
  if (st.ok()) st = OneOf(f.kind, email::kKinds, "kind");
  if (!st.ok()) return respond(http::ErrorResponse(st));
  Db& db = c.store.reader();
  bool live = IsLive(req);
  if (std::string who = QueryValue(req, "customer"); !who.empty()) {
    auto customer = LoadCustomer(db, who, live);
    if (!customer.ok()) {
      return respond(http::ErrorResponse(Status::NotFound(
          fmt::format("No such customer: '{}'", ToValidUtf8(who.substr(0, 200))), "customer")));
    }
    f.customer_id = customer->id;
  }
  json::array items;
  for (const auto& e : email::ListEmails(db, live, f)) items.push_back(EmailView(e, FromAddress(c)));
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void Get(Context& c, http::Request& req, http::Respond respond) {
  std::string id = req.params["id"];
  if (Status st = CheckId(id); !st.ok()) return respond(http::ErrorResponse(st));
  auto e = email::LoadEmail(c.store.reader(), id, IsLive(req));
  if (!e.ok()) return respond(http::ErrorResponse(e.status()));
  respond(Ok(EmailView(*e, FromAddress(c))));
}

void Resend(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {}) : body.status();
  std::string id = req.params["id"];
  if (st.ok()) st = CheckId(id);
  if (st.ok() && !c.email) {
    st = Status::Conflict("Email is off: smtp-host is not set (jopayd.conf(5), EMAIL), so nothing "
                          "would send it.", "email_off");
  }
  if (!st.ok()) return respond(http::ErrorResponse(st));
  WriteValue<email::EmailRow>(
      c, respond,
      [id, live = IsLive(req)](Db& db, email::EmailRow& row) {
        auto e = email::LoadEmail(db, id, live);
        if (!e.ok()) return e.status();
        row = std::move(*e);
        return email::Resend(db, row, SystemNow());
      },
      [from = FromAddress(c)](const email::EmailRow& row) { return EmailView(row, from); },
      {200, [&c] { c.email->Wake(); }, nullptr});
}

}  // namespace

void AddEmailRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/emails", List);
  AddRoute(r, c, "GET", "/v1/emails/{id}", Get);
  AddRoute(r, c, "POST", "/v1/emails/{id}/resend", Resend);
}

}  // namespace jopay::admin
