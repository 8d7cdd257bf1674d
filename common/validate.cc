#include "common/validate.h"

#include <algorithm>
#include <cctype>

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

Status ValidateEmail(std::string_view email, std::string_view param) {
  if (email.size() > kMaxEmailBytes) {
    return BadEmail(Excerpt(email), param, "longer than 254 characters");
  }
  if (std::any_of(email.begin(), email.end(), IsSpaceOrControl)) {
    return BadEmail(email, param, "contains spaces or control characters");
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
