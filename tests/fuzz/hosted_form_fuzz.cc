// Fuzz target: the bodies of the hosted pages' forms (daemon/pages): the checkout page's pay
// form and the customer portal's cancel and card forms.
//
// Input: one byte choosing the form and the Content-Type, then the urlencoded body, in which
// ~FORM~ stands for the valid form token (face_fixture.h). Each pay attempt gets a fresh
// pending session, so that every input meets a payable one. Checked:
//  - ParseForm refuses or decodes exactly as a reference decoder written here, and what it
//    decodes, encoded again, decodes to the same fields (refuse or round-trip);
//  - every answer passes CheckAnswer (no server error, UTF-8), and its page holds no control
//    characters and never the card number that was sent (only the test cards it lists);
//  - pay: 303 only with the right token and a card that pays, to success_url with the
//    session id, the session then completed; any other answer leaves the session pending
//    (a decline, 402, counts one more attempt; a refusal changes nothing at all);
//  - portal: a 303 back to the portal with a flag the page knows; a refused card leaves the
//    subscription's card as it was.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "daemon/billing/subscription_rows.h"
#include "daemon/checkout/session.h"
#include "daemon/pages/form.h"
#include "tests/fuzz/face_fixture.h"
#include "tests/fuzz/fuzz_check.h"

namespace jopay::fuzz {
namespace {

using Fields = std::map<std::string, std::string>;

constexpr int kRunsPerStore = 5000;  // fewer stores, fewer leftover readers (public_http_fuzz.cc)
constexpr const char* kContentTypes[] = {"application/x-www-form-urlencoded", "",
                                         "application/x-www-form-urlencoded; charset=UTF-8",
                                         "text/plain"};
// The sandbox's test cards, which the test-mode page lists itself.
constexpr std::string_view kTestCards[] = {"4242424242424242", "4000000000000002",
                                           "4000000000009995", "4000000000000069",
                                           "4000000000000341"};

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded as browsers send it: '&'-separated name=value pairs,
// '+' a space, %XX a byte; a pair with neither name nor '=' is nothing. nullopt on a bad %XX.
std::optional<std::string> Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else if (i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<Fields> ReferenceForm(std::string_view body) {
  Fields out;
  while (true) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    size_t eq = pair.find('=');
    auto name = Decode(pair.substr(0, eq));
    auto value = Decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    if (!name->empty() || eq != std::string_view::npos) out[*name] = *value;
    if (amp == std::string_view::npos) return out;
    body.remove_prefix(amp + 1);
  }
}

std::string Encode(const Fields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    for (const std::string* part : {&name, &value}) {
      for (unsigned char c : *part) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
          out += static_cast<char>(c);
        else if (c == ' ')
          out += '+';
        else
          out += fmt::format("%{:02X}", c);
      }
      if (part == &name) out += '=';
    }
  }
  return out;
}

void CheckFormParsing(std::string_view body) {
  auto parsed = pages::ParseForm(body);
  auto want = ReferenceForm(body);
  if (!parsed.ok())
    return;  // Boost.URL may refuse more than the reference: bytes a URL may not hold
  FUZZ_CHECK(want.has_value(), "ParseForm accepted a body with a bad escape");
  FUZZ_CHECK(*parsed == *want, "ParseForm decoded {} fields, the reference {}", parsed->size(),
             want->size());
  std::string again = Encode(*parsed);
  auto reparsed = pages::ParseForm(again);
  FUZZ_CHECK(reparsed.ok() && *reparsed == *parsed, "fields encoded again do not decode back: {}",
             again.substr(0, 300));
}

// A card number as a customer types it: 12 or more digits, maybe spaced; without the spaces.
std::optional<std::string> CardNumber(const Fields& sent) {
  auto card = sent.find("card");
  if (card == sent.end()) return std::nullopt;
  std::string digits;
  for (char c : card->second) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c != ' ') return std::nullopt;
  }
  if (digits.size() < 12) return std::nullopt;
  return digits;
}

// The page an answer shows: printable, and without the card number that was sent.
void CheckPage(const http::Response& r, const Fields& sent) {
  for (char ch : r.body) {
    auto u = static_cast<unsigned char>(ch);
    FUZZ_CHECK(u >= 0x20 || u == '\n' || u == '\t' || u == '\r',
               "control character {:#x} in the page", u);
  }
  auto card = CardNumber(sent);
  if (!card) return;
  for (std::string_view test : kTestCards) {
    if (test.find(*card) != std::string_view::npos) return;  // listed on the page anyway
  }
  FUZZ_CHECK(r.body.find(*card) == std::string::npos, "the page shows the card number sent");
}

http::Request Post(std::string target, uint8_t selector, std::string body) {
  http::Request req;
  req.method = "POST";
  req.target = std::move(target);
  if (const char* type = kContentTypes[(selector >> 2) % 4]; *type)
    req.headers = {{"Content-Type", type}};
  req.body = std::move(body);
  req.remote_address = "203.0.113.7";
  return req;
}

Session Load(Face& face, const std::string& id) {
  auto s = LoadSession(face.store().reader(), id, false);
  FUZZ_CHECK(s.ok(), "session {}: {}", id, s.status().message());
  return *s;
}

void Pay(Face& face, uint8_t selector, std::string body) {
  bool subscription = selector & 1;
  std::string id = face.PendingSession(subscription);
  std::string token = HexEncode(HmacSha256(face.context().signing_key, "checkout-form:" + id));
  for (size_t at = body.find("~FORM~"); at != std::string::npos; at = body.find("~FORM~", at)) {
    body.replace(at, 6, token);
  }
  http::Request req = Post("/checkout/" + id, selector, face.Substitute(body));
  std::optional<Fields> sent = ReferenceForm(req.body);  // as the handler will read them
  http::Response r = face.Serve(req);
  CheckAnswer(req, r);
  if (sent) CheckPage(r, *sent);
  Session after = Load(face, id);
  if (r.status == 303) {
    FUZZ_CHECK(sent && sent->count("token") && sent->at("token") == token,
               "paid without the form token");
    FUZZ_CHECK(after.status == "completed", "303 but the session is {}", after.status);
    std::string location;
    for (const auto& [name, value] : r.headers) {
      if (name == "Location") location = value;
    }
    FUZZ_CHECK(location == "https://shop.example/ok?order=7&session_id=" + id, "303 to {}",
               location);
    return;
  }
  FUZZ_CHECK(after.status == "pending", "answered {} but the session is {}", r.status,
             after.status);
  FUZZ_CHECK(after.attempts == (r.status == 402 ? 1 : 0), "answered {} after {} attempts", r.status,
             after.attempts);
}

// The flag a portal redirect carries ("../<token>?done=canceled"); "" when there is none.
std::string FlagOf(const http::Response& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Location") return value.substr(std::min(value.find('?'), value.size()));
  }
  return "";
}

void Portal(Face& face, uint8_t selector, const std::string& body) {
  bool card = selector & 1;
  const std::string& sub_id = face.Value("~SUB~");
  auto before = LoadSubscription(face.store().reader(), sub_id, false);
  http::Request req =
      Post("/portal/~PORTAL~/" + std::string(card ? "card" : "cancel"), selector, body);
  req.target = face.Substitute(req.target);
  req.body = face.Substitute(req.body);
  std::optional<Fields> sent = ReferenceForm(req.body);
  http::Response r = face.Serve(req);
  CheckAnswer(req, r);
  if (sent) CheckPage(r, *sent);
  auto after = LoadSubscription(face.store().reader(), sub_id, false);
  FUZZ_CHECK(before.ok() && after.ok(), "the portal's subscription is gone");
  if (r.status != 303) {
    FUZZ_CHECK(r.status == 400, "the portal answered {}", r.status);
    FUZZ_CHECK(
        after->payment_method_id == before->payment_method_id && after->status == before->status,
        "a refused portal form changed the subscription");
    return;
  }
  static constexpr std::string_view kFlags[] = {"?done=canceled",
                                                "?done=card_updated",
                                                "?done=paid",
                                                "?done=card_updated_paying",
                                                "?error=card_declined",
                                                "?error=insufficient_funds",
                                                "?error=expired_card",
                                                "?error=incorrect_number",
                                                "?error=card_missing",
                                                "?error=retry_failed",
                                                "?error=already_canceled",
                                                "?error=subscription_expired",
                                                "?error=failed"};
  std::string flag = FlagOf(r);
  bool known = false;
  for (std::string_view f : kFlags) known |= f == flag;
  FUZZ_CHECK(known, "the portal redirects with a flag its page does not know: {}", flag);
  if (card && flag.starts_with("?error=")) {
    FUZZ_CHECK(after->payment_method_id == before->payment_method_id,
               "a refused card replaced the card");
  }
}

}  // namespace
}  // namespace jopay::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace jopay::fuzz;
  if (size == 0) return 0;
  uint8_t selector = data[0];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  CheckFormParsing(body);
  Face& face = CurrentFace(kRunsPerStore);
  if ((selector & 2) == 0) {
    Pay(face, selector, body);
  } else {
    Portal(face, selector, body);
  }
  return 0;
}
