#include "daemon/email/settings.h"

#include <unistd.h>

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "common/log.h"
#include "common/validate.h"
#include "daemon/email/templates.h"

namespace jopay::email {

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// The name this host gives in EHLO: the public URL's host when it is a name, else the
// system's host name.
std::string HeloName(const std::string& public_url) {
  auto url = boost::urls::parse_absolute_uri(public_url);
  if (url && url->host_type() == boost::urls::host_type::name && url->host().find('.') != std::string::npos) {
    return std::string(url->host());
  }
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) == 0 && name[0]) return name;
  return "localhost";
}

}  // namespace

Result<SmtpTls> ParseTls(const std::string& text) {
  if (text == "none") return SmtpTls::kNone;
  if (text == "starttls") return SmtpTls::kStartTls;
  if (text == "tls") return SmtpTls::kImplicit;
  return Status::Invalid("smtp-tls must be none, starttls or tls", "smtp-tls");
}

Result<std::set<std::string>> ParseKinds(const std::string& text, const std::string& key) {
  std::set<std::string> kinds;
  if (Trim(text) == "all") return std::set<std::string>(kKinds.begin(), kKinds.end());
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = Trim(text.substr(start, comma == std::string::npos ? std::string::npos
                                                                          : comma - start));
    if (!item.empty()) {
      if (!IsKind(item)) {
        return Status::Invalid(fmt::format("{}: '{}' is not a kind of email; the kinds: {} (or all)",
                                           key, ToValidUtf8(item), fmt::join(kKinds, ", ")),
                               key);
      }
      kinds.insert(item);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return kinds;
}

Result<Mailbox> ParseFrom(const std::string& raw) {
  std::string text = Trim(raw);
  Mailbox m;
  size_t lt = text.rfind('<');
  if (lt != std::string::npos && text.back() == '>') {
    m.address = text.substr(lt + 1, text.size() - lt - 2);
    m.name = Trim(text.substr(0, lt));
    if (m.name.size() >= 2 && m.name.front() == '"' && m.name.back() == '"') {
      m.name = m.name.substr(1, m.name.size() - 2);
    }
  } else {
    m.address = text;
  }
  Status st = CheckAddress(m.address, "smtp-from");
  if (st.ok()) st = ValidateText(m.name, "smtp-from", 100);
  if (!st.ok()) {
    return Status::Invalid(st.message() + " (smtp-from: \"Shop <billing@shop.example>\" or an "
                           "address)", "smtp-from");
  }
  return m;
}

Result<RetrySchedule> ParseRetrySchedule(const std::string& text) {
  RetrySchedule r;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = Trim(text.substr(start, comma == std::string::npos ? std::string::npos
                                                                          : comma - start));
    auto d = ParseDuration(item);
    if (!d.ok() || d->months != 0) {
      return Status::Invalid(fmt::format("email-retry-schedule: '{}' is not a delay like 30s, 5m "
                                         "or 1h", ToValidUtf8(item)),
                             "email-retry-schedule");
    }
    r.delays.push_back(d->seconds);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (r.delays.size() > 100) {
    return Status::Invalid("email-retry-schedule: at most 100 delays", "email-retry-schedule");
  }
  return r;
}

Status CheckSettings(const Config& c) {
  if (auto tls = ParseTls(c.smtp_tls); !tls.ok()) return tls.status();
  for (auto [text, key] : {std::pair{&c.email_test_disabled, "email-test-disabled"},
                           std::pair{&c.email_live_disabled, "email-live-disabled"}}) {
    if (auto kinds = ParseKinds(*text, key); !kinds.ok()) return kinds.status();
  }
  if (auto r = ParseRetrySchedule(c.email_retry_schedule); !r.ok()) return r.status();
  if (c.smtp_host.empty()) return Status::Ok();
  if (c.smtp_host.find_first_of(" /\r\n") != std::string::npos) {
    return Status::Invalid("smtp-host must be a host name or an address", "smtp-host");
  }
  if (c.smtp_from.empty()) {
    return Status::Invalid("smtp-from is required with smtp-host: the address customer emails "
                           "come from", "smtp-from");
  }
  if (auto from = ParseFrom(c.smtp_from); !from.ok()) return from.status();
  if (!c.smtp_user.empty() && c.smtp_password.empty()) {
    return Status::Invalid("smtp-user needs smtp-password (or JOPAY_SMTP_PASSWORD)",
                           "smtp-password");
  }
  for (auto [value, key] : {std::pair{&c.smtp_user, "smtp-user"},
                            std::pair{&c.smtp_password, "smtp-password"}}) {
    for (char ch : *value) {
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
        return Status::Invalid(fmt::format("{} must not contain control characters", key), key);
      }
    }
  }
  if (!c.smtp_ca_file.empty() && !std::filesystem::exists(c.smtp_ca_file)) {
    return Status::Invalid(fmt::format("smtp-ca-file {} does not exist", c.smtp_ca_file),
                           "smtp-ca-file");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Sender>> MakeSender(const Config& c, Store& store, Clock& clock) {
  if (c.smtp_host.empty()) return std::unique_ptr<Sender>();
  auto templates = Templates::Load(c.email_templates_dir);
  if (!templates.ok()) return templates.status();
  for (const std::string& file : templates->overrides()) LogInfo("email: template {}", file);
  SenderOptions o;
  o.smtp.host = c.smtp_host;
  o.smtp.port = c.smtp_port;
  o.smtp.tls = *ParseTls(c.smtp_tls);
  o.smtp.ca_file = c.smtp_ca_file;
  o.smtp.user = c.smtp_user;
  o.smtp.password = c.smtp_password;
  o.smtp.helo_name = HeloName(c.public_url);
  o.off.test = *ParseKinds(c.email_test_disabled, "email-test-disabled");
  o.off.live = *ParseKinds(c.email_live_disabled, "email-live-disabled");
  o.retry = *ParseRetrySchedule(c.email_retry_schedule);
  ComposerConfig cc;
  cc.from = *ParseFrom(c.smtp_from);
  cc.merchant_name = c.merchant_name;
  cc.support_email = c.merchant_support_email;
  if (o.smtp.tls == SmtpTls::kNone && !o.smtp.user.empty()) {
    LogWarn("email: smtp-tls = none: the SMTP password goes to {} unencrypted", c.smtp_host);
  }
  return std::make_unique<Sender>(store, clock, std::move(o),
                                  Composer(std::move(cc), std::move(*templates)));
}

Status ForgetCursor(Store& store) {
  if (LoadCursor(store.reader()) < 0) return Status::Ok();
  return store.writer().Run([](Db& db) {
    StoreCursor(db, -1);
    return Status::Ok();
  });
}

}  // namespace jopay::email
