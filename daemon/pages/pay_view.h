// The hosted pay page of a push charge, /pay/{payment_id} (no I/O: pay_routes.cc loads): what
// is paid for, the amount in sats (and in the plan's currency with the rate), the QR code of
// the payment URI, the invoice or address to copy, a wallet link, the expiry; in test mode
// with the sandbox a button that pays it as a wallet would. A charge the server has not made
// yet, or one not paid, refreshes itself (a meta refresh: the pages carry no script); a paid
// one says so, with a link on to the merchant when a checkout ends here.
#pragma once

#include <optional>
#include <string>

#include "common/time.h"

namespace jopay::pages {

struct PayPageData {
  std::string payment_id;
  bool test_mode = false;
  std::string status;      // the payment's: pending, paid, failed, refunded
  std::string what;        // "Pro Plan, 2025-02-10 to 2025-03-10"
  std::string amount;      // in the plan's currency ("€14.99", "10000 sat")
  std::string rail;        // lightning, onchain
  int64_t amount_sats = 0;
  std::string rate;        // "" for sat plans
  std::string invoice;     // BOLT11, or ""
  std::string address;     // on-chain, or ""
  std::string uri;         // lightning:... / bitcoin:...?amount=
  std::optional<std::string> qr_svg;  // markup from QrSvg
  UnixSeconds expires_at = 0;
  bool expired = false;
  std::string test_pay_token;  // set: show the sandbox's pay button (a form token)
  std::string continue_url;    // set: after paying, the way on (the checkout's success link)
};

std::string PayPage(const PayPageData& d);

}  // namespace jopay::pages
