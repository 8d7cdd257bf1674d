// The public API's create-session body, validated into a NewSession (session.h).
//
// Fields (docs/reference/jopay-checkout-api.txt): mode ("payment" default | "subscription"),
// line_items [{name, amount, currency, quantity (default 1)}] (payment mode, 1..100 items, one
// currency), plan (subscription mode: a plan id string, or {name, amount, interval, currency
// (default "eur"), interval_count (default 1)}), trial_period_days (subscription mode,
// 0..730), customer_email, client_reference_id, success_url (required), cancel_url (required;
// Eventop's defaults to success_url), metadata (<= 50 string keys), expires_in (1800..86400 s, default 1800).
// Unknown fields, wrong types and bad values fail naming the field, nested ones by path
// ("line_items[1].currency", "plan.interval").
#pragma once

#include <boost/json.hpp>

#include <string_view>

#include "common/status.h"
#include "daemon/checkout/session.h"

namespace jopay {

// The JoPay reference requires `cancel_url`; Eventop's `cancelUrl` defaults to its success URL.
enum class CancelUrl { kRequired, kDefaultsToSuccess };
Result<NewSession> ParseNewSession(const boost::json::object& body, bool livemode,
                                   CancelUrl cancel_url = CancelUrl::kRequired);

// An absolute http(s) URL with a host, at most 2048 characters; live mode accepts https only.
// Failure is Status::Invalid naming `param`.
Status ValidateRedirectUrl(std::string_view url, bool livemode, std::string_view param);

}  // namespace jopay
