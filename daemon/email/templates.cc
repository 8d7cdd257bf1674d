#include "daemon/email/templates.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/validate.h"
#include "daemon/email/default_templates.h"
#include "daemon/pages/html.h"

namespace jopay::email {

namespace {

constexpr size_t kMaxTemplateBytes = 256 * 1024;

const std::vector<std::string> kCommon = {"merchant_name", "support_email",  "customer_name",
                                          "customer_email", "portal_url",    "plan_name",
                                          "amount",         "subscription_id"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string_view ValueOf(const Values& values, std::string_view name) {
  auto it = values.find(name);
  return it == values.end() ? std::string_view() : std::string_view(it->second);
}

// One "{{...}}" tag of `t` at or after `from`: where it starts and ends, and its inside.
struct Tag {
  size_t open = std::string_view::npos;
  size_t end = 0;  // just past "}}"
  std::string_view inside;
};

Tag NextTag(std::string_view t, size_t from) {
  Tag tag;
  size_t open = t.find("{{", from);
  if (open == std::string_view::npos) return tag;
  size_t close = t.find("}}", open + 2);
  if (close == std::string_view::npos) return tag;
  tag.open = open;
  tag.end = close + 2;
  tag.inside = Trim(t.substr(open + 2, close - open - 2));
  return tag;
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(fmt::format("cannot read {}", path.string()), "email-templates-dir");
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > kMaxTemplateBytes) {
    return Status::Invalid(fmt::format("{} is larger than 256 KiB", path.string()),
                           "email-templates-dir");
  }
  if (!IsValidUtf8(text)) {
    return Status::Invalid(fmt::format("{} is not UTF-8 text", path.string()), "email-templates-dir");
  }
  return text;
}

// A subject file holds one line; its final newline is not part of it.
Result<std::string> SubjectOf(std::string text, const std::filesystem::path& path) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.find_first_of("\r\n") != std::string::npos) {
    return Status::Invalid(fmt::format("{} must hold one line", path.string()),
                           "email-templates-dir");
  }
  return text;
}

}  // namespace

bool IsKind(std::string_view kind) {
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

std::vector<std::string> KnownPlaceholders(std::string_view kind) {
  static const std::map<std::string, std::vector<std::string>, std::less<>> own = {
      {"receipt", {"invoice_number", "invoice_id", "amount_paid", "paid_date", "period"}},
      {"payment_failed", {"failure_message", "next_attempt_date"}},
      {"trial_ending", {"trial_end_date"}},
      {"cancelled", {"access_until_date"}},
      {"expired", {"ended_date"}},
      {"card_expiring", {"card_brand", "card_last4", "card_expiry"}},
  };
  std::vector<std::string> names = kCommon;
  if (auto it = own.find(kind); it != own.end()) {
    names.insert(names.end(), it->second.begin(), it->second.end());
  }
  return names;
}

std::string Render(std::string_view t, const Values& values, bool html) {
  std::string out;
  size_t i = 0;
  while (i < t.size()) {
    Tag tag = NextTag(t, i);
    if (tag.open == std::string_view::npos) break;
    out.append(t.substr(i, tag.open - i));
    i = tag.end;
    char sigil = tag.inside.empty() ? 0 : tag.inside.front();
    if (sigil == '#' || sigil == '^') {
      std::string_view name = Trim(tag.inside.substr(1));
      std::string closing = "{{/" + std::string(name) + "}}";
      size_t end = t.find(closing, i);
      if (end == std::string_view::npos) end = t.size();  // CheckTemplate refuses this
      bool show = !ValueOf(values, name).empty() == (sigil == '#');
      if (show) out += Render(t.substr(i, end - i), values, html);
      i = std::min(t.size(), end + closing.size());
    } else if (sigil != '/') {
      std::string_view v = ValueOf(values, tag.inside);
      out += html ? pages::Escape(v) : std::string(v);
    }
  }
  if (i < t.size()) out.append(t.substr(i));
  return out;
}

Status CheckTemplate(std::string_view t, const std::vector<std::string>& known,
                     std::string_view what) {
  std::vector<std::string> open;
  for (Tag tag = NextTag(t, 0); tag.open != std::string_view::npos; tag = NextTag(t, tag.end)) {
    char sigil = tag.inside.empty() ? 0 : tag.inside.front();
    std::string name(sigil == '#' || sigil == '^' || sigil == '/' ? Trim(tag.inside.substr(1))
                                                                   : tag.inside);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Status::Invalid(fmt::format("{}: unknown placeholder {{{{{}}}}}; known: {}", what,
                                         name, fmt::join(known, ", ")),
                             "email-templates-dir");
    }
    if (sigil == '#' || sigil == '^') {
      open.push_back(name);
    } else if (sigil == '/') {
      if (open.empty() || open.back() != name) {
        return Status::Invalid(fmt::format("{}: {{{{/{}}}}} closes no open section", what, name),
                               "email-templates-dir");
      }
      open.pop_back();
    }
  }
  if (!open.empty()) {
    return Status::Invalid(fmt::format("{}: the section {{{{#{}}}}} is never closed", what,
                                       open.back()),
                           "email-templates-dir");
  }
  return Status::Ok();
}

std::string RenderSubject(std::string_view tmpl, const Values& values) {
  std::string s = Render(tmpl, values, false);
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return s;
}

Templates::Templates() : by_kind_(DefaultTemplates()) {}

Result<Templates> Templates::Load(const std::string& dir) {
  Templates t;
  if (dir.empty()) return t;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::Invalid(fmt::format("email-templates-dir {} is not a directory", dir),
                           "email-templates-dir");
  }
  for (const std::string& kind : kKinds) {
    Template& tmpl = t.by_kind_[kind];
    std::vector<std::string> known = KnownPlaceholders(kind);
    for (auto [suffix, field] : {std::pair{".subject", &tmpl.subject}, std::pair{".txt", &tmpl.text},
                                 std::pair{".html", &tmpl.html}}) {
      std::filesystem::path path = std::filesystem::path(dir) / (kind + suffix);
      if (!std::filesystem::exists(path, ec)) continue;
      auto text = ReadFile(path);
      if (text.ok() && std::string_view(suffix) == ".subject") text = SubjectOf(*text, path);
      if (!text.ok()) return text.status();
      JOPAY_RETURN_IF_ERROR(CheckTemplate(*text, known, path.string()));
      *field = std::move(*text);
      t.overrides_.push_back(path.string());
    }
  }
  return t;
}

const Template& Templates::For(std::string_view kind) const { return by_kind_.find(kind)->second; }

}  // namespace jopay::email
