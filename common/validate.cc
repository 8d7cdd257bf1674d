#include "common/validate.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

namespace jopay {
namespace {

constexpr size_t kMaxEmailBytes = 254;  // RFC 5321's limit on a path
constexpr size_t kMaxMetadataKeys = 50;
constexpr size_t kMaxMetadataKeyChars = 40;
constexpr size_t kMaxMetadataValueChars = 500;

// Boost.JSON only holds valid UTF-8, so counting the bytes that start a code
// point counts characters as a person would.
size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// At most `max` bytes of s for quoting in a message, cut on a code point
// boundary so the message stays valid UTF-8 in JSON.
std::string Excerpt(std::string_view s, size_t max = 40) {
  if (s.size() <= max) return std::string(s);
  while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80) --max;
  return std::string(s.substr(0, max)) + "...";
}

bool IsSpaceOrControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7F;
}

bool IsAsciiSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// A domain with at least two labels, none empty.
bool IsDottedDomain(std::string_view domain) {
  return domain.find('.') != std::string_view::npos && !domain.starts_with('.') &&
         !domain.ends_with('.') && domain.find("..") == std::string_view::npos;
}

Status BadEmail(std::string_view email, std::string_view param, std::string_view why) {
  return Status::Invalid(fmt::format("{} \"{}\" is not a valid email address: {}", param,
                                     email, why),
                         std::string(param));
}

Status BadMetadata(std::string_view param, std::string message) {
  return Status::Invalid(fmt::format("{}: {}", param, message), std::string(param));
}

}  // namespace

namespace {
// The length of the well-formed UTF-8 sequence at s[i], 0 if there is none.
size_t Utf8SequenceAt(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t cp;
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) { len = 2; cp = b & 0x1F; }
  else if (b >= 0xE0 && b <= 0xEF) { len = 3; cp = b & 0x0F; }
  else if (b >= 0xF0 && b <= 0xF4) { len = 4; cp = b & 0x07; }
  else return 0;  // a continuation byte, or a lead byte no code point uses (C0, C1, F5+)
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (c & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;  // overlong, out of range, or a surrogate
  }
  return len;
}
}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceAt(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceAt(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

Status ValidateText(std::string_view text, std::string_view param, size_t max_chars,
                    bool multiline) {
  auto bad = [&](std::string why) {
    return Status::Invalid(fmt::format("{} {}", param, why), std::string(param));
  };
  if (!IsValidUtf8(text)) return bad("must be valid UTF-8 text");
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool allowed_space = multiline && (c == '\n' || c == '\t' || c == '\r');
    if ((u < 0x20 || u == 0x7F) && !allowed_space) {
      return bad("must not contain control characters");
    }
  }
  if (Utf8Length(text) > max_chars) {
    return bad(fmt::format("must be at most {} characters", max_chars));
  }
  return Status::Ok();
}

Status ValidateEmail(std::string_view email, std::string_view param) {
  // Bytes that are not text are refused without being quoted: the hosted checkout page shows
  // this message, and must not show them again (found by tests/fuzz/hosted_form_fuzz.cc).
  if (!IsValidUtf8(email)) {
    return Status::Invalid(fmt::format("{} is not a valid email address: not UTF-8 text", param),
                           std::string(param));
  }
  auto is_control = [](char c) { return c != ' ' && IsSpaceOrControl(c); };
  if (std::any_of(email.begin(), email.end(), is_control)) {
    return Status::Invalid(
        fmt::format("{} is not a valid email address: it contains control characters", param),
        std::string(param));
  }
  if (email.size() > kMaxEmailBytes) {
    return BadEmail(Excerpt(email), param, "longer than 254 characters");
  }
  if (email.find(' ') != std::string_view::npos) {
    return BadEmail(email, param, "contains spaces");
  }
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return BadEmail(email, param, "expected exactly one '@'");
  }
  if (at == 0) return BadEmail(email, param, "nothing before the '@'");
  if (!IsDottedDomain(email.substr(at + 1))) {
    return BadEmail(email, param, "the domain needs a dot, like example.com");
  }
  return Status::Ok();
}

Status ValidateMetadata(const boost::json::value& v, std::string_view param) {
  if (!v.is_object()) {
    return BadMetadata(param, "must be an object of string keys and string values");
  }
  const boost::json::object& object = v.get_object();
  if (object.size() > kMaxMetadataKeys) {
    return BadMetadata(param, fmt::format("at most {} keys, got {}", kMaxMetadataKeys,
                                          object.size()));
  }
  for (const auto& [key, value] : object) {
    const size_t key_chars = Utf8Length(key);
    if (key_chars == 0 || key_chars > kMaxMetadataKeyChars) {
      return BadMetadata(param, fmt::format("key \"{}\" must be 1 to {} characters",
                                            Excerpt(key), kMaxMetadataKeyChars));
    }
    if (!value.is_string()) {
      return BadMetadata(param, fmt::format("value of key \"{}\" must be a string", key));
    }
    if (Utf8Length(value.get_string()) > kMaxMetadataValueChars) {
      return BadMetadata(param, fmt::format("value of key \"{}\" is longer than {} characters",
                                            key, kMaxMetadataValueChars));
    }
  }
  return Status::Ok();
}

std::string NormalizeEmail(std::string_view email) {
  while (!email.empty() && IsAsciiSpace(email.front())) email.remove_prefix(1);
  while (!email.empty() && IsAsciiSpace(email.back())) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace jopay
