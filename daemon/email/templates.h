// The words of each kind of customer email: a subject, a text body and an HTML body, built in
// and each overridable by a file in the directory named by `email-templates-dir`
// (<kind>.subject, <kind>.txt, <kind>.html; a missing file keeps the built-in one).
//
// Templates are text with placeholders:
//   {{name}}             the value; in an HTML body HTML-escaped (safe in element content and in
//                        quoted attribute values), in the subject and text body as it is.
//   {{#name}}...{{/name}} the enclosed text only when the value is not empty,
//   {{^name}}...{{/name}} only when it is (sections do not nest within one of the same name).
// Each kind has a closed set of names (KnownPlaceholders): an override naming another one, or
// a section left open, is refused when the daemon starts, with the file and the name, so a typo
// is found before any customer gets an email with a hole in it. Files must be UTF-8; a subject
// file is one line.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace jopay::email {

// The kinds of email, in the order the docs list them.
inline const std::vector<std::string> kKinds = {"receipt",   "payment_failed", "trial_ending",
                                                "cancelled", "expired",        "card_expiring"};
bool IsKind(std::string_view kind);

struct Template {
  std::string subject;
  std::string text;
  std::string html;
};

using Values = std::map<std::string, std::string, std::less<>>;

// The placeholder names `kind` fills (every kind: merchant_name, support_email,
// customer_name, customer_email, portal_url, plan_name, amount, subscription_id; then its own).
std::vector<std::string> KnownPlaceholders(std::string_view kind);

class Templates {
 public:
  // The built-in templates only.
  Templates();
  // The built-in templates with the overrides found in `dir` ("" = none). kInvalid names the
  // file and what is wrong with it; an unreadable directory is kInvalid too.
  static Result<Templates> Load(const std::string& dir);

  // The template of `kind` (which must be one of kKinds).
  const Template& For(std::string_view kind) const;
  // The files that replaced a built-in template, for the log.
  const std::vector<std::string>& overrides() const { return overrides_; }

 private:
  std::map<std::string, Template, std::less<>> by_kind_;
  std::vector<std::string> overrides_;
};

// `tmpl` with its placeholders and sections filled from `values` (a missing value is empty);
// `html`: values HTML-escaped.
std::string Render(std::string_view tmpl, const Values& values, bool html);
// Ok when `tmpl` opens and closes its sections and names only `known` placeholders; kInvalid
// naming `what` (a file name) otherwise.
Status CheckTemplate(std::string_view tmpl, const std::vector<std::string>& known,
                     std::string_view what);
// The subject line: rendered, then any line break or control character turned into a space.
std::string RenderSubject(std::string_view tmpl, const Values& values);

}  // namespace jopay::email
