// BTCPay Server signs each webhook delivery with the webhook's secret:
//   BTCPay-Sig: sha256=<hex HMAC-SHA256(UTF8(secret), raw body bytes)>
// (webhooks.json, x-webhooks). There is no timestamp: a replayed delivery verifies again, so
// the receiver deduplicates by delivery id and re-reads the invoice before believing it.
#pragma once

#include <string_view>

namespace jopay::btcpay {

// True when `btcpay_sig_header` is "sha256=" and the 64 hex digits (either case) of the
// HMAC of `raw_body` under `secret`, compared in constant time. False for an empty secret,
// and for any other shape of header (a missing prefix, another length, spaces, a second
// value).
bool SignatureValid(std::string_view secret, std::string_view raw_body,
                    std::string_view btcpay_sig_header);

}  // namespace jopay::btcpay
