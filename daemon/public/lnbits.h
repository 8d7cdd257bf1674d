// Internal to daemon/public: what the LNbits-style routes (/api/v1, /public) share.
//
// Shapes follow docs/reference/lnbits-subscriptions-manager-endpoints.txt: lists are JSON arrays
// (windowed by `limit` and `offset`, lnbits_fields.h), times are Unix seconds as the reference
// shows them (created_at: 1704067200), `interval` is LNbits' adverb ("monthly"). Every object
// also carries JoPay's exact terms: amount + currency (minor units), interval_unit
// (day/week/month/year) + interval_count, livemode. amount_sats appears when the currency is
// "sat". Statuses are JoPay's spellings ("canceled"); filters also take "cancelled".
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "common/status.h"
#include "daemon/billing/customers.h"
#include "daemon/billing/payments.h"
#include "daemon/billing/plans.h"
#include "daemon/billing/push_charges.h"
#include "daemon/billing/subscription.h"
#include "daemon/public/context.h"
#include "daemon/public/lnbits_fields.h"
#include "daemon/store/db.h"

namespace jopay::pub {

// An LNbits plan body split into JoPay's plan fields (for ApplyPlanFields) and the allow_*
// flags (applied onto `flags`; PlanFlags, LoadPlanFlags and SavePlanFlags are billing/plans.h's). amount_sats becomes amount + currency "sat" (not together with
// amount or currency). On update, `interval`/`interval_count` are taken out into the
// optionals so the caller can accept the plan's unchanged values (LNbits clients PUT whole
// objects) and refuse a change. Wrong types fail naming the field.
struct PlanBody {
  boost::json::object fields;
  std::optional<Interval> interval;  // update only
  std::optional<int64_t> interval_count;
};
Result<PlanBody> SplitPlanBody(const boost::json::object& body, bool creating, PlanFlags& flags);

// A subscriber: a customer with the LNbits contacts.
struct Subscriber {
  std::string id;
  bool livemode = false;
  std::string email;
  std::string name;
  std::optional<std::string> telegram;
  std::optional<std::string> nostr;
  UnixSeconds created_at = 0;
};
Result<Subscriber> LoadSubscriber(Db& db, const std::string& id, bool livemode);
// Newest first; `search` matches a substring of email, name, telegram or nostr (any case).
std::vector<Subscriber> ListSubscribers(Db& db, bool livemode, const std::string& search,
                                        const Window& w);
// Fills the customer's name, telegram and nostr where they are still empty: an anonymous
// POST /public/subscribe must not overwrite what an existing customer already gave.
void FillContacts(Db& db, const std::string& customer_id, const std::string& name,
                  const std::optional<std::string>& telegram,
                  const std::optional<std::string>& nostr);

boost::json::object LnbitsPlanView(const Plan& p, const PlanFlags& flags);
// A plan's public terms for /public/plan/{id}: no livemode, grace period, counts or times.
boost::json::object PublicPlanView(const Plan& p, const PlanFlags& f);
boost::json::object LnbitsSubscriptionView(const Subscription& s);
// payment_method: the push charge's rail ("lightning", "onchain"), else the provider's
// ("card" for sandbox and Stripe, "paypal"); payment_hash: not kept (null).
boost::json::object LnbitsPaymentView(Db& db, const Payment& p);
boost::json::object LnbitsSubscriberView(const Subscriber& s);

// Route groups (routes_lnbits_*.cc), registered by AddLnbitsRoutes.
void AddLnbitsPlanRoutes(http::Router& r, Context& c);
void AddLnbitsSubscriptionRoutes(http::Router& r, Context& c);
void AddLnbitsPeopleRoutes(http::Router& r, Context& c);  // subscribers and payments
void AddLnbitsPublicRoutes(http::Router& r, Context& c);

// A push rail's charge as /public answers show it (push_fields.cc): the payment and where to
// pay it.
struct PushDetails {
  Payment payment;
  PushChargeRow row;
};
std::optional<PushDetails> LoadPushDetails(Db& db, const std::string& payment_id, bool livemode);
// The subscription's newest push charge that is pending or paid, if any.
std::optional<PushDetails> LatestPushDetails(Db& db, const std::string& subscription_id,
                                             bool livemode);
// Adds payment_id, payment_status, invoice / address, amount_sats, rate, payment_uri,
// expires_at (the charge's, Unix seconds), pay_url and qr_code_url to `o`.
void AddPushFields(const Context& c, const std::string& subscription_id, const PushDetails& d,
                   boost::json::object& o);

// Shared route bits: a body that must be empty or {} (POST .../pause), and the caller a
// keyless /public route acts as (the plan's or subscription's own mode).
Status RequireEmptyBody(const http::Request& req);
inline Caller ModeCaller(bool livemode) { return Caller{"", livemode, false}; }

}  // namespace jopay::pub
