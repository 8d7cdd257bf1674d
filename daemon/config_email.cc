#include "daemon/config_email.h"

#include <CLI/CLI.hpp>

#include "daemon/email/settings.h"

namespace jopay {

void AddEmailOptions(CLI::App& app, Config& c) {
  app.add_option("--smtp-host", c.smtp_host,
                 "SMTP relay that customer emails go through (unset: no email is queued)");
  app.add_option("--smtp-port", c.smtp_port, "the relay's port (465 with smtp-tls = tls)")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  app.add_option("--smtp-tls", c.smtp_tls,
                 "none, starttls (required, certificate verified) or tls (from the first byte)")
      ->check(CLI::IsMember({"none", "starttls", "tls"}))
      ->capture_default_str();
  app.add_option("--smtp-ca-file", c.smtp_ca_file,
                 "PEM CA certificates the relay's certificate is verified against (default: the "
                 "system's)");
  app.add_option("--smtp-user", c.smtp_user, "user name for the relay's AUTH (unset: no AUTH)");
  app.add_option("--smtp-password", c.smtp_password, "password for the relay's AUTH")
      ->envname("JOPAY_SMTP_PASSWORD")
      ->option_text("SECRET");
  app.add_option("--smtp-from", c.smtp_from,
                 "sender of customer emails: \"Shop <billing@shop.example>\" or an address");
  app.add_option("--email-templates-dir", c.email_templates_dir,
                 "directory of template overrides: <kind>.subject, <kind>.txt, <kind>.html");
  app.add_option("--email-test-disabled", c.email_test_disabled,
                 "kinds of email not sent in test mode, comma-separated, or all");
  app.add_option("--email-live-disabled", c.email_live_disabled,
                 "kinds of email not sent in live mode, comma-separated, or all");
  app.add_option("--email-retry-schedule", c.email_retry_schedule,
                 "delays between attempts while the relay fails, then the email is failed")
      ->capture_default_str();
}

Status CheckEmailConfig(const Config& c) { return email::CheckSettings(c); }

}  // namespace jopay
