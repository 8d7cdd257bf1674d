// A customer email as the bytes an SMTP relay takes after DATA (RFC 5322 + MIME, RFC 2045-2049).
//
// Shape: a text part and, when there is one, an HTML part as multipart/alternative (text first,
// so a reader that shows one part shows the richer); with attachments, that inside
// multipart/mixed followed by each attachment. Bodies are UTF-8 in quoted-printable, attachments
// base64 in 76-column lines, every line ends in CRLF and none is longer than 78 characters: the
// message is 7-bit clean, so no relay has to convert it (no 8BITMIME or SMTPUTF8 needed).
// Headers: Date, From, Reply-To, To, Subject, Message-ID, MIME-Version, Auto-Submitted
// (RFC 3834: auto-responders stay quiet) and, when given, List-Unsubscribe (RFC 2369) with
// List-Unsubscribe-Post (RFC 8058 one-click). Non-ASCII subjects and display names become
// RFC 2047 encoded-words (UTF-8, base64).
//
// Header injection: every value that goes into a header is checked first, and a CR, LF or
// other control character in any of them fails the whole build with kInvalid (nothing is
// stripped silently). Addresses must be plain ASCII addr-specs (no quoted local parts, no
// SMTPUTF8): one that is not fails with kInvalid naming it.
//
// The output is a pure function of the input: the boundaries derive from the Message-ID, so a
// resend of the same email builds the same bytes, and tests can compare them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace jopay::email {

struct Mailbox {
  std::string name;     // display name, UTF-8; "" = the bare address
  std::string address;  // "someone@example.com"
};

struct Attachment {
  std::string filename;      // UTF-8 (non-ASCII names are sent as RFC 2231 filename*)
  std::string content_type;  // "application/pdf"
  std::string data;          // the raw bytes
};

struct MimeMessage {
  Mailbox from;
  Mailbox reply_to;  // address "" = none
  Mailbox to;
  std::string subject;  // UTF-8
  std::string text;     // UTF-8; LF or CRLF line ends
  std::string html;     // UTF-8; "" = a text-only message
  std::vector<Attachment> attachments;
  UnixSeconds date = 0;
  std::string message_id;        // "<local@domain>"
  std::string list_unsubscribe;  // an https URL; "" = no List-Unsubscribe header
};

// The message as CRLF-terminated lines, or kInvalid (code "email_invalid") naming the field
// that cannot go into a header.
Result<std::string> BuildMime(const MimeMessage& m);

// The pieces, for tests and for the SMTP envelope.

// Ok when `address` is an ASCII addr-spec a relay takes in `MAIL FROM:<...>` / `RCPT TO:<...>`
// and a header can carry without quoting: dot-atom local part, dotted domain of letters,
// digits and hyphens, at most 254 bytes. `what` names it in the message.
Status CheckAddress(std::string_view address, std::string_view what);
// "<id@domain>": a Message-ID that stays the same for every send of the email `email_id`.
std::string MessageIdFor(std::string_view email_id, std::string_view from_address);
// RFC 5322 date-time in UTC: "Fri, 31 Jan 2025 10:00:00 +0000".
std::string RfcDate(UnixSeconds t);
// The header line "Name: value" (without the final CRLF), folded at 78 columns; non-ASCII
// words of `value` become RFC 2047 encoded-words. `value` must be free of control characters.
std::string EncodeHeader(std::string_view name, std::string_view value);
// Quoted-printable (RFC 2045 6.7) of UTF-8 text: CRLF line ends, lines of at most 76
// characters (soft breaks "=" at the end), trailing spaces and tabs encoded.
std::string QuotedPrintable(std::string_view text);
// Base64 in lines of 76 characters, each ending in CRLF.
std::string Base64Lines(std::string_view bytes);

}  // namespace jopay::email
