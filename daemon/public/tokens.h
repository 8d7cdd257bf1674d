// Signed tokens of the public face: the hosted checkout form's per-session token and the
// customer portal's link token. Both are HMAC-SHA256 under the daemon's signing key, a random
// secret kept in the meta table ("public_signing_key"), created at first start: tokens survive
// restarts and nothing else needs storing.
//
// Portal URL: <public_url>/portal/<token>. The token is "<payload>.<mac>", both base64url
// without padding (safe in a path segment); the payload is compact JSON
// {"s": subscription_id, "l": livemode, "r": return_url, "e": expires_at}. It grants, until
// expires_at (issue time + 1 h), one subscription in one mode, and carries where to send the
// customer back. The portal page (another file) verifies it on every request.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "daemon/store/store.h"

namespace jopay {

// The signing key from meta, created (32 random base62 characters) if absent.
Result<std::string> LoadOrCreateSigningKey(Store& store);

// The hosted checkout page's form token for a session: hex HMAC(key, "checkout-form:" + id).
std::string CheckoutFormToken(std::string_view key, std::string_view session_id);
// Constant-time check of a submitted form token.
bool VerifyCheckoutFormToken(std::string_view key, std::string_view session_id,
                             std::string_view token);

// An invoice's hosted page and PDF: <public_url>/invoice/<id>?t=<token>, token = hex
// HMAC(key, "invoice:" + id). It does not expire: receipts and portals hand it out to be kept,
// and it shows one invoice only (whoever has the link may read it, as with Stripe's).
std::string InvoiceLinkToken(std::string_view key, std::string_view invoice_id);
bool VerifyInvoiceLinkToken(std::string_view key, std::string_view invoice_id,
                            std::string_view token);
// The page's URL; its PDF is the same with "/pdf" after the id.
std::string InvoiceUrl(std::string_view base, std::string_view key, std::string_view invoice_id);
std::string InvoicePdfUrl(std::string_view base, std::string_view key,
                          std::string_view invoice_id);

inline constexpr int64_t kPortalTokenTtl = 3600;

struct PortalGrant {
  std::string subscription_id;
  bool livemode = false;
  std::string return_url;
  UnixSeconds expires_at = 0;
};

// A token for `grant` (set grant.expires_at = now + kPortalTokenTtl).
std::string SignPortalToken(std::string_view key, const PortalGrant& grant);
// The grant a token carries, if its MAC verifies and now < expires_at. Failures are
// kUnauthenticated: "portal_token_invalid" (malformed or forged) or "portal_token_expired".
Result<PortalGrant> VerifyPortalToken(std::string_view key, std::string_view token,
                                      UnixSeconds now);
// `base` (no trailing slash) + "/portal/" + token.
std::string PortalUrl(std::string_view base, std::string_view token);

}  // namespace jopay
