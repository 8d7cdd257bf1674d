// jopayctl webhooks add|list|get|update|remove|disable|enable|rotate|test: where events are
// delivered, and the secret that signs them.
#include <boost/json.hpp>

#include <chrono>
#include <ostream>
#include <thread>

#include "cli/exit_code.h"
#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

// Splits "a,b" into its non-empty parts.
json::array CommaList(const std::string& text) {
  json::array out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// The table form prints the secret alone on stdout (SECRET=$(jopayctl webhooks add URL)
// works); every form says on stderr that it will not be shown again.
Status PrintWithSecret(Invocation& inv, Result<json::value> answer) {
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  const json::value* secret = answer->as_object().if_contains("secret");
  if (inv.out().format() == Format::kTable && secret && secret->is_string()) {
    inv.out().stream() << std::string_view(secret->as_string()) << '\n';
    inv.err() << "jopayctl: endpoint " << std::string_view(answer->at("id").as_string())
              << ": this is the only time its signing secret is shown; store it now.\n";
  } else {
    inv.out().Object(*answer);
    inv.err() << "jopayctl: this is the only time the signing secret is shown; store it now.\n";
  }
  return Status::Ok();
}

// The first attempt of delivery `delivery_id` of event `event_id`, waiting for it up to
// `seconds`; a null value when it has not happened yet.
Result<json::value> WaitForAttempt(Invocation& inv, const std::string& event_id,
                                   int64_t delivery_id, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    auto event = inv.Call("GET", Target({"v1", "events", event_id}));
    if (!event.ok()) return event.status();
    JOPAY_RETURN_IF_ERROR(ExpectObject(*event));
    if (const json::value* attempts = event->as_object().if_contains("attempts");
        attempts && attempts->is_array()) {
      for (const auto& a : attempts->as_array()) {
        const json::value* id = a.is_object() ? a.as_object().if_contains("delivery_id") : nullptr;
        if (id && id->is_int64() && id->as_int64() == delivery_id) return a;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return json::value(nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

Status WebhooksAdd(Invocation& inv) {
  json::object body{{"url", inv.Get("URL")}};
  if (inv.Has("events")) body["events"] = CommaList(inv.Get("events"));
  AddField(body, inv, "description", "description");
  return PrintWithSecret(
      inv, inv.Call("POST", Target({"v1", "webhook_endpoints"}), RequestBody::Json(body)));
}

Status WebhooksList(Invocation& inv) {
  return ListAndPrint(inv, {"v1", "webhook_endpoints"}, {}, "webhook_endpoint");
}

Status WebhooksGet(Invocation& inv) {
  return GetAndPrint(inv, {"v1", "webhook_endpoints", inv.Get("ID")});
}

Status WebhooksUpdate(Invocation& inv) {
  json::object body;
  AddField(body, inv, "url", "url");
  if (inv.Has("events")) body["events"] = CommaList(inv.Get("events"));
  AddField(body, inv, "description", "description");
  if (body.empty()) {
    return UsageError("webhooks update: give --url, --events or --description");
  }
  return PostAndPrint(inv, {"v1", "webhook_endpoints", inv.Get("ID")}, body);
}

Status WebhooksRemove(Invocation& inv) {
  auto answer = inv.Call("DELETE", Target({"v1", "webhook_endpoints", inv.Get("ID")}));
  if (!answer.ok()) return answer.status();
  inv.out().Object(*answer);
  return Status::Ok();
}

Status WebhooksDisable(Invocation& inv) {
  return PostAndPrint(inv, {"v1", "webhook_endpoints", inv.Get("ID"), "disable"});
}

Status WebhooksEnable(Invocation& inv) {
  return PostAndPrint(inv, {"v1", "webhook_endpoints", inv.Get("ID"), "enable"});
}

Status WebhooksRotate(Invocation& inv) {
  auto answer = inv.Call("POST", Target({"v1", "webhook_endpoints", inv.Get("ID"), "rotate"}),
                         RequestBody::Json(json::object{}));
  Status st = PrintWithSecret(inv, std::move(answer));
  if (st.ok()) {
    inv.err() << "jopayctl: the previous secret keeps signing too for 24 hours.\n";
  }
  return st;
}

// Sends a webhook.test event to the endpoint and waits (up to 20 s) for the first attempt:
// exit 0 when it was delivered, 1 when it failed (it will be retried like any delivery).
Status WebhooksTest(Invocation& inv) {
  auto answer = inv.Call("POST", Target({"v1", "webhook_endpoints", inv.Get("ID"), "test"}),
                         RequestBody::Json(json::object{}));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  const json::object& event = answer->as_object();
  std::string event_id(event.at("id").as_string());
  int64_t delivery = event.at("delivery_id").to_number<int64_t>();
  auto attempt = WaitForAttempt(inv, event_id, delivery, 20);
  if (!attempt.ok()) return attempt.status();
  json::object result = event;
  result["attempt"] = *attempt;
  if (inv.out().format() == Format::kTable) {
    inv.out().stream() << event_id << '\n';
  } else {
    inv.out().Object(result);
  }
  if (attempt->is_null()) {
    inv.err() << "jopayctl: " << event_id << " not attempted yet (still pending); see "
              << "jopayctl events get " << event_id << "\n";
    return Status::Ok();
  }
  const json::object& a = attempt->as_object();
  const json::value& code = a.at("status_code");
  std::string status = code.is_null() ? "---" : json::serialize(code);
  std::string url;
  if (const json::value* data = event.if_contains("data"); data && data->is_object()) {
    if (const json::value* u = data->as_object().if_contains("url"); u && u->is_string()) {
      url = std::string(u->as_string());
    }
  }
  inv.err() << "<-- [" << status << "] POST " << url << " [" << event_id
            << "]";
  if (!a.at("error").is_null()) inv.err() << " " << std::string_view(a.at("error").as_string());
  inv.err() << '\n';
  bool ok = code.is_int64() && code.as_int64() >= 200 && code.as_int64() < 300;
  if (!ok) return Status::Make(Status::Kind::kInternal, "delivery_failed",
                               "the test delivery failed; it will be retried");
  return Status::Ok();
}

}  // namespace jopay::cli
