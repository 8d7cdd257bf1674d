#include "daemon/public/tokens.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <fmt/core.h>

#include "common/crypto.h"
#include "common/ids.h"

namespace jopay {

namespace json = boost::json;

namespace {

std::string Base64Url(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

// Inverse of Base64Url; nullopt for anything that is not its output.
std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (!std::isalnum(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  if (s.size() % 4 == 1) return std::nullopt;
  size_t pad = (4 - s.size() % 4) % 4;
  s.append(pad, '=');
  std::string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string PortalMac(std::string_view key, std::string_view payload) {
  return Base64Url(HmacSha256(key, fmt::format("portal:{}", payload)));
}

Status Invalid() {
  return Status::Make(Status::Kind::kUnauthenticated, "portal_token_invalid",
                      "The portal link is not valid.");
}

}  // namespace

Result<std::string> LoadOrCreateSigningKey(Store& store) {
  std::string key;
  Status st = store.writer().Run([&key](Db& db) {
    db.Cached("INSERT OR IGNORE INTO meta (key, value) VALUES ('public_signing_key', ?)")
        .Args(RandomBase62(32))
        .Exec();
    auto& q = db.Cached("SELECT value FROM meta WHERE key='public_signing_key'");
    q.Reset();
    if (q.Step()) key = q.Text(0);
    q.Reset();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return key;
}

std::string CheckoutFormToken(std::string_view key, std::string_view session_id) {
  return HexEncode(HmacSha256(key, fmt::format("checkout-form:{}", session_id)));
}

bool VerifyCheckoutFormToken(std::string_view key, std::string_view session_id,
                             std::string_view token) {
  return ConstantTimeEquals(CheckoutFormToken(key, session_id), token);
}

std::string InvoiceLinkToken(std::string_view key, std::string_view invoice_id) {
  return HexEncode(HmacSha256(key, fmt::format("invoice:{}", invoice_id)));
}

bool VerifyInvoiceLinkToken(std::string_view key, std::string_view invoice_id,
                            std::string_view token) {
  return ConstantTimeEquals(InvoiceLinkToken(key, invoice_id), token);
}

std::string InvoiceUrl(std::string_view base, std::string_view key, std::string_view invoice_id) {
  return fmt::format("{}/invoice/{}?t={}", base, invoice_id, InvoiceLinkToken(key, invoice_id));
}

std::string InvoicePdfUrl(std::string_view base, std::string_view key,
                          std::string_view invoice_id) {
  return fmt::format("{}/invoice/{}/pdf?t={}", base, invoice_id,
                     InvoiceLinkToken(key, invoice_id));
}

std::string SignPortalToken(std::string_view key, const PortalGrant& grant) {
  json::object o{{"s", grant.subscription_id},
                 {"l", grant.livemode},
                 {"r", grant.return_url},
                 {"e", grant.expires_at}};
  std::string payload = Base64Url(json::serialize(o));
  return payload + "." + PortalMac(key, payload);
}

Result<PortalGrant> VerifyPortalToken(std::string_view key, std::string_view token,
                                      UnixSeconds now) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 4096) return Invalid();
  std::string_view payload = token.substr(0, dot);
  if (!ConstantTimeEquals(PortalMac(key, payload), token.substr(dot + 1))) return Invalid();
  auto text = FromBase64Url(payload);
  if (!text) return Invalid();
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return Invalid();
  const json::object& o = v.get_object();
  const json::value *s = o.if_contains("s"), *l = o.if_contains("l"), *r = o.if_contains("r"),
                    *e = o.if_contains("e");
  if (!s || !s->is_string() || !l || !l->is_bool() || !r || !r->is_string() || !e ||
      !e->is_int64()) {
    return Invalid();
  }
  PortalGrant grant{std::string(s->get_string()), l->get_bool(), std::string(r->get_string()),
                    e->get_int64()};
  if (now >= grant.expires_at) {
    return Status::Make(Status::Kind::kUnauthenticated, "portal_token_expired",
                        "The portal link has expired; ask for a new one.");
  }
  return grant;
}

std::string PortalUrl(std::string_view base, std::string_view token) {
  return fmt::format("{}/portal/{}", base, token);
}

}  // namespace jopay
