// jopayctl events resend and events listen: replaying events, and watching them live (and
// forwarding them, signed, to a local receiver: a development tunnel).
#include <signal.h>

#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <ostream>
#include <thread>

#include "cli/forward.h"
#include "cli/handlers.h"
#include "cli/request_shapes.h"
#include "common/time.h"
#include "common/webhook_signing.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void OnInterrupt(int) { g_interrupted = 1; }

// Ctrl-C (and SIGTERM) end the loop after the event in hand, not the process mid-line.
void CatchInterrupts() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool Wanted(const std::vector<std::string>& types, std::string_view type) {
  if (types.empty()) return true;
  for (const auto& t : types) {
    if (t == "*" || t == type) return true;
    if (t.size() > 2 && t.ends_with(".*") && type.starts_with(std::string_view(t).substr(0, t.size() - 1))) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> SplitTypes(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

void Forward(Invocation& inv, const json::object& event, const std::string& url,
             const std::string& secret, std::ostream& report) {
  std::string id = Str(event, "id");
  std::string body = WebhookBody(id, Str(event, "type"), event.at("data"),
                                 Str(event, "created_at"));
  WebhookSignatures sig = SignWebhook(body, id, SystemNow(), {secret});
  ForwardAnswer a = PostTo(url, body,
                           {{"Content-Type", "application/json"},
                            {"User-Agent", WebhookUserAgent()},
                            {"X-JoPay-Signature", sig.jopay},
                            {"webhook-id", sig.webhook_id},
                            {"webhook-timestamp", sig.webhook_timestamp},
                            {"webhook-signature", sig.webhook_signature}});
  if (a.status) {
    report << "<-- [" << a.status << "] POST " << url << " [" << id << "]\n";
  } else {
    report << "<-- [ERR] POST " << url << " [" << id << "] " << a.error << "\n";
  }
  report.flush();
  (void)inv;
}

}  // namespace

Status EventsResend(Invocation& inv) {
  json::object body;
  AddField(body, inv, "endpoint", "endpoint");
  return PostAndPrint(inv, {"v1", "events", inv.Get("ID"), "resend"}, body);
}

// Polls GET /v1/events/feed (every 200 ms while quiet) from the newest event on, printing
// each new event: "time type id" in the table form, the whole event in json/ndjson, the id
// alone with -o id. With --forward-to each is also POSTed, signed with --secret (or a fresh
// secret shown on stderr), and the answer printed as "<-- [200] POST url [evt_...]".
Status EventsListen(Invocation& inv) {
  std::vector<std::string> types = SplitTypes(inv.Get("events"));
  std::string forward = inv.Get("forward-to");
  std::string secret = inv.Has("secret") ? inv.Get("secret") : NewWebhookSecret();
  if (!forward.empty()) {
    JOPAY_RETURN_IF_ERROR(CheckForwardUrl(forward));
    if (!StandardWebhooksKey(secret).ok()) {
      return Status::Invalid("--secret must be whsec_ followed by base64", "secret");
    }
  }
  auto first = inv.Call("GET", Target({"v1", "events", "feed"}));
  if (!first.ok()) return first.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*first));
  std::string cursor = Str(first->as_object(), "cursor");
  CatchInterrupts();
  Format format = inv.out().format();
  std::ostream& out = inv.out().stream();
  // Responses go with the events on a terminal table; beside JSON output they go to stderr.
  std::ostream& report = format == Format::kTable ? out : inv.err();
  inv.err() << "jopayctl: listening for " << (inv.live() ? "live" : "test") << "-mode events";
  if (!forward.empty()) {
    inv.err() << ", forwarding to " << forward << " signed with " << secret;
  }
  inv.err() << " (Ctrl-C to stop)\n";
  inv.err().flush();
  while (!g_interrupted) {
    auto page = inv.Call("GET", Target({"v1", "events", "feed"},
                                       {{"after", cursor}, {"limit", "1000"}}));
    if (!page.ok()) {
      if (g_interrupted) break;
      return page.status();
    }
    JOPAY_RETURN_IF_ERROR(ExpectObject(*page));
    cursor = Str(page->as_object(), "cursor");
    const json::array& events = page->at("data").as_array();
    for (const auto& v : events) {
      const json::object& e = v.as_object();
      if (!Wanted(types, Str(e, "type"))) continue;
      switch (format) {
        case Format::kTable:
          out << Str(e, "created_at") << "  " << Str(e, "type") << "  " << Str(e, "id") << '\n';
          break;
        case Format::kId: out << Str(e, "id") << '\n'; break;
        default: out << json::serialize(e) << '\n'; break;
      }
      out.flush();
      if (!forward.empty()) Forward(inv, e, forward, secret, report);
    }
    if (events.empty()) {
      for (int i = 0; i < 4 && !g_interrupted; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  inv.err() << "jopayctl: stopped listening\n";
  return Status::Ok();
}

}  // namespace jopay::cli
