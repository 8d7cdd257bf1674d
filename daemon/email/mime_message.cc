#include "daemon/email/mime_message.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/crypto.h"
#include "common/validate.h"

namespace jopay::email {

namespace {

// RFC 5322 2.1.1: lines SHOULD stay within 78 characters.
constexpr size_t kLineLimit = 78;
// Bytes of UTF-8 in one encoded-word: 39 bytes are 52 base64 characters, 64 with "=?UTF-8?B?"
// and "?=", so "Subject: " plus one word stays within kLineLimit (RFC 2047 caps a word at 75).
constexpr size_t kWordBytes = 39;

Status Bad(std::string message) {
  return Status::Invalid(std::move(message), "", "email_invalid");
}

bool IsAtext(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Ok when `value` can sit in a header: UTF-8 without CR, LF or any other control character.
Status CheckHeaderText(std::string_view value, std::string_view what) {
  if (!IsValidUtf8(value)) return Bad(fmt::format("{} is not UTF-8 text", what));
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Bad(fmt::format("{} contains a line break or another control character", what));
    }
  }
  return Status::Ok();
}

bool IsDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!IsAtext(s[i])) {
      return false;
    }
  }
  return true;
}

bool IsHostname(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// The longest prefix of `s` of at most `max` bytes that ends on a UTF-8 character boundary.
size_t Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n == 0 ? max : n;
}

// `text` as RFC 2047 encoded-words, each a token of its own.
std::vector<std::string> EncodedWords(std::string_view text) {
  std::vector<std::string> words;
  while (!text.empty()) {
    size_t n = Utf8Prefix(text, kWordBytes);
    words.push_back("=?UTF-8?B?" + Base64Encode(text.substr(0, n)) + "?=");
    text.remove_prefix(n);
  }
  return words;
}

// Words of plain ASCII text, split at spaces (runs of spaces collapse: header text is not
// preformatted).
std::vector<std::string> PlainWords(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t space = text.find(' ', start);
    if (space == std::string_view::npos) space = text.size();
    if (space > start) words.emplace_back(text.substr(start, space - start));
    start = space + 1;
  }
  return words;
}

// Header text as tokens: plain words when it is ASCII that a decoder cannot mistake for an
// encoded-word, else encoded-words for the whole of it.
std::vector<std::string> TextTokens(std::string_view text) {
  if (IsAscii(text) && text.find("=?") == std::string_view::npos) return PlainWords(text);
  return EncodedWords(text);
}

// "Name: t1 t2 ..." folded before a token that would pass kLineLimit.
std::string Fold(std::string_view name, const std::vector<std::string>& tokens) {
  std::string out = std::string(name) + ":";
  size_t column = out.size();
  for (const std::string& t : tokens) {
    if (column + 1 + t.size() > kLineLimit && column > name.size() + 1) {
      out += "\r\n";
      column = 0;
    }
    out += " " + t;
    column += 1 + t.size();
  }
  return out;
}

// The display name as tokens: bare atoms, one quoted string, or encoded-words.
std::vector<std::string> NameTokens(std::string_view name) {
  if (!IsAscii(name) || name.find("=?") != std::string_view::npos) return EncodedWords(name);
  bool atoms = std::all_of(name.begin(), name.end(), [](char c) { return c == ' ' || IsAtext(c); });
  if (atoms) return PlainWords(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return {quoted + "\""};
}

std::vector<std::string> MailboxTokens(const Mailbox& m) {
  if (m.name.empty()) return {m.address};
  std::vector<std::string> tokens = NameTokens(m.name);
  tokens.push_back("<" + m.address + ">");
  return tokens;
}

// A Content-Disposition with the file's name: quoted when plain ASCII, else RFC 2231.
std::string Disposition(std::string_view filename) {
  bool plain = IsAscii(filename) && filename.find_first_of("\"\\") == std::string_view::npos;
  if (plain) return fmt::format("Content-Disposition: attachment;\r\n filename=\"{}\"", filename);
  std::string encoded;
  for (unsigned char c : filename) {
    if (std::isalnum(c) || std::string_view("-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      encoded += static_cast<char>(c);
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  return "Content-Disposition: attachment;\r\n filename*=utf-8''" + encoded;
}

// '=' then '_' never occurs in quoted-printable or base64 text, so no body can hold this.
std::string Boundary(std::string_view message_id, char which) {
  return "=_jp_" + Sha256Hex(message_id).substr(0, 24) + "_" + which;
}

std::string MultipartHeader(std::string_view subtype, const std::string& boundary) {
  return fmt::format("Content-Type: multipart/{};\r\n boundary=\"{}\"\r\n", subtype, boundary);
}

std::string TextPart(std::string_view subtype, std::string_view body) {
  return fmt::format("Content-Type: text/{}; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n\r\n{}",
                     subtype, QuotedPrintable(body));
}

// The text part, or text and HTML as multipart/alternative.
std::string BodyPart(const MimeMessage& m) {
  if (m.html.empty()) return TextPart("plain", m.text);
  std::string b = Boundary(m.message_id, 'a');
  return MultipartHeader("alternative", b) + "\r\n--" + b + "\r\n" + TextPart("plain", m.text) +
         "\r\n--" + b + "\r\n" + TextPart("html", m.html) + "\r\n--" + b + "--\r\n";
}

std::string AttachmentPart(const Attachment& a) {
  return fmt::format("Content-Type: {}\r\n{}\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                     a.content_type, Disposition(a.filename), Base64Lines(a.data));
}

Status CheckContentType(std::string_view type) {
  size_t slash = type.find('/');
  auto token = [](std::string_view t) {
    return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '+';
    });
  };
  if (slash == std::string_view::npos || !token(type.substr(0, slash)) ||
      !token(type.substr(slash + 1))) {
    return Bad("an attachment's content type must be type/subtype");
  }
  return Status::Ok();
}

Status CheckMessage(const MimeMessage& m) {
  JOPAY_RETURN_IF_ERROR(CheckAddress(m.from.address, "the sender's address (smtp-from)"));
  JOPAY_RETURN_IF_ERROR(CheckHeaderText(m.from.name, "the sender's name"));
  JOPAY_RETURN_IF_ERROR(CheckAddress(m.to.address, "the recipient's address"));
  JOPAY_RETURN_IF_ERROR(CheckHeaderText(m.to.name, "the recipient's name"));
  if (!m.reply_to.address.empty()) {
    JOPAY_RETURN_IF_ERROR(CheckAddress(m.reply_to.address, "the reply-to address"));
    JOPAY_RETURN_IF_ERROR(CheckHeaderText(m.reply_to.name, "the reply-to name"));
  }
  JOPAY_RETURN_IF_ERROR(CheckHeaderText(m.subject, "the subject"));
  if (m.message_id.size() < 5 || m.message_id.front() != '<' || m.message_id.back() != '>' ||
      m.message_id.find('@') == std::string::npos || !IsAscii(m.message_id) ||
      m.message_id.find_first_of(" <>", 1) != m.message_id.size() - 1) {
    return Bad("the Message-ID must look like <id@domain>");
  }
  JOPAY_RETURN_IF_ERROR(CheckHeaderText(m.message_id, "the Message-ID"));
  if (!m.list_unsubscribe.empty()) {
    JOPAY_RETURN_IF_ERROR(CheckHeaderText(m.list_unsubscribe, "the unsubscribe link"));
    if (!IsAscii(m.list_unsubscribe) || m.list_unsubscribe.find_first_of(" <>") != std::string::npos) {
      return Bad("the unsubscribe link must be an ASCII URL without spaces or angle brackets");
    }
  }
  for (const Attachment& a : m.attachments) {
    JOPAY_RETURN_IF_ERROR(CheckHeaderText(a.filename, "an attachment's file name"));
    if (a.filename.empty()) return Bad("an attachment needs a file name");
    JOPAY_RETURN_IF_ERROR(CheckContentType(a.content_type));
  }
  return Status::Ok();
}

}  // namespace

Status CheckAddress(std::string_view address, std::string_view what) {
  if (!IsAscii(address)) {
    return Bad(fmt::format("{} has non-ASCII characters, which SMTP without SMTPUTF8 cannot "
                           "carry", what));
  }
  size_t at = address.rfind('@');
  if (address.size() > 254 || at == std::string_view::npos || !IsDotAtom(address.substr(0, at)) ||
      !IsHostname(address.substr(at + 1))) {
    return Bad(fmt::format("{} is not a plain address like someone@example.com", what));
  }
  return Status::Ok();
}

std::string MessageIdFor(std::string_view email_id, std::string_view from_address) {
  size_t at = from_address.rfind('@');
  std::string_view domain = at == std::string_view::npos ? "jopay.invalid" : from_address.substr(at + 1);
  return fmt::format("<{}@{}>", email_id, domain);
}

std::string RfcDate(UnixSeconds t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string EncodeHeader(std::string_view name, std::string_view value) {
  return Fold(name, TextTokens(value));
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    bool last = nl == std::string_view::npos;
    std::string_view line = text.substr(start, last ? text.npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty() && start > 0) break;  // the text ended with its newline
    size_t column = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      bool at_end = i + 1 == line.size();
      bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
      std::string token = literal ? std::string(1, static_cast<char>(c)) : fmt::format("={:02X}", c);
      // 75 + the soft break's "=" = 76; the last token of a line needs no room for one.
      size_t room = at_end ? 76 : 75;
      if (column + token.size() > room) {
        out += "=\r\n";
        column = 0;
      }
      out += token;
      column += token.size();
    }
    out += "\r\n";
    if (last) break;
    start = nl + 1;
  }
  return out;
}

std::string Base64Lines(std::string_view bytes) {
  std::string b64 = Base64Encode(bytes);
  std::string out;
  out.reserve(b64.size() + b64.size() / 38 + 2);
  for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

Result<std::string> BuildMime(const MimeMessage& m) {
  JOPAY_RETURN_IF_ERROR(CheckMessage(m));
  std::string out;
  auto header = [&out](std::string line) { out += line + "\r\n"; };
  header("Date: " + RfcDate(m.date));
  header(Fold("From", MailboxTokens(m.from)));
  if (!m.reply_to.address.empty()) header(Fold("Reply-To", MailboxTokens(m.reply_to)));
  header(Fold("To", MailboxTokens(m.to)));
  header(EncodeHeader("Subject", m.subject));
  header("Message-ID: " + m.message_id);
  header("MIME-Version: 1.0");
  header("Auto-Submitted: auto-generated");
  if (!m.list_unsubscribe.empty()) {
    header("List-Unsubscribe: <" + m.list_unsubscribe + ">");
    header("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
  }
  if (m.attachments.empty()) {
    out += BodyPart(m);
    return out;
  }
  std::string b = Boundary(m.message_id, 'm');
  out += MultipartHeader("mixed", b) + "\r\n--" + b + "\r\n" + BodyPart(m);
  for (const Attachment& a : m.attachments) out += "\r\n--" + b + "\r\n" + AttachmentPart(a);
  out += "\r\n--" + b + "--\r\n";
  return out;
}

}  // namespace jopay::email
