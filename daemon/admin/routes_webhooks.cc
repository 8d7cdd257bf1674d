// /v1/webhook_endpoints: add, list, get, update, remove, disable, enable, rotate, test. Every
// change tells the dispatcher once it has committed, so it sends to the endpoints as they are.
#include <fmt/core.h>

#include "common/json_fields.h"
#include "daemon/admin/context.h"
#include "daemon/events/outbox.h"
#include "daemon/webhooks/deliveries.h"
#include "daemon/http/outgoing_url.h"
#include "daemon/webhooks/endpoints.h"

namespace jopay::admin {

namespace json = boost::json;
using namespace webhooks;  // NOLINT: this file is the admin face of webhooks

namespace {

Status ReadTypes(const json::object& body, std::vector<std::string>& out) {
  out = {"*"};
  const json::value* v = body.if_contains("events");
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_array()) return Status::Invalid("events must be an array of event types", "events");
  out.clear();
  for (const auto& t : v->as_array()) {
    if (!t.is_string()) return Status::Invalid("events must be an array of event types", "events");
    out.emplace_back(t.as_string());
  }
  return ValidateEventTypes(out);
}

// A url an endpoint of this mode may send to (https in live mode, and by default no loopback,
// private or link-local address).
Status CheckUrl(Context& c, const std::string& url, bool livemode) {
  auto parsed = http::ParseOutgoingUrl(url);
  if (!parsed.ok()) return parsed.status();
  JOPAY_RETURN_IF_ERROR(http::CheckScheme(*parsed, livemode));
  return http::CheckResolvesOutside(*parsed, livemode, c.dispatcher.options().allow_private);
}

// Writes one endpoint change, then tells the dispatcher and answers the endpoint's view (with
// its secret when `with_secret`).
void WriteEndpoint(Context& c, http::Request& req, http::Respond respond,
                   std::function<Result<Endpoint>(Db&, const routes::Call&)> change,
                   bool with_secret = false, int status = 200) {
  routes::Call call = CallOf(c, req);
  WriteValue<Endpoint>(
      c, respond,
      [call, change = std::move(change)](Db& db, Endpoint& out) {
        auto e = change(db, call);
        if (!e.ok()) return e.status();
        out = std::move(*e);
        return Status::Ok();
      },
      [now = call.now, with_secret](const Endpoint& e) { return EndpointView(e, now, with_secret); },
      {status, [&c] { c.dispatcher.EndpointsChanged(); }, nullptr});
}

void Create(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<std::string> url, description;
  Endpoint e;
  e.livemode = IsLive(req);
  Status st = RejectUnknown(*body, {"url", "events", "description"});
  if (st.ok()) st = GetString(*body, "url", url, 2000);
  if (st.ok()) st = Require(url.has_value(), "url");
  if (st.ok()) st = GetString(*body, "description", description, 500);
  if (st.ok()) st = ReadTypes(*body, e.events);
  if (st.ok()) st = CheckUrl(c, *url, e.livemode);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  e.url = *url;
  e.description = description.value_or("");
  WriteEndpoint(
      c, req, respond,
      [e](Db& db, const routes::Call& call) mutable -> Result<Endpoint> {
        e.created_at = e.updated_at = call.now;
        InsertEndpoint(db, e);
        return e;
      },
      true, 201);
}

void Update(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  EndpointChange change;
  std::vector<std::string> events;
  Status st = RejectUnknown(*body, {"url", "events", "description"});
  if (st.ok()) st = GetString(*body, "url", change.url, 2000);
  if (st.ok()) st = GetString(*body, "description", change.description, 500);
  if (st.ok() && body->contains("events")) {
    st = ReadTypes(*body, events);
    change.events = events;
  }
  if (st.ok() && !change.url && !change.events && !change.description) {
    st = Status::Invalid("Nothing to update: give url, events or description.", "url");
  }
  if (st.ok() && change.url) st = CheckUrl(c, *change.url, IsLive(req));
  if (!st.ok()) return respond(http::ErrorResponse(st));
  WriteEndpoint(c, req, respond,
                [change, id = req.params["id"]](Db& db, const routes::Call& call) {
                  return UpdateEndpoint(db, id, call.livemode, change, call.now);
                });
}

void List(Context& c, http::Request& req, http::Respond respond) {
  json::array items;
  UnixSeconds now = c.clock.Now();
  for (const auto& e : ListEndpoints(c.store.reader(), IsLive(req))) {
    items.push_back(EndpointView(e, now));
  }
  int n = static_cast<int>(items.size());
  respond(Ok(ListAnswer(std::move(items), n)));
}

void Get(Context& c, http::Request& req, http::Respond respond) {
  auto e = LoadEndpoint(c.store.reader(), req.params["id"], IsLive(req));
  if (!e.ok()) return respond(http::ErrorResponse(e.status()));
  respond(Ok(EndpointView(*e, c.clock.Now())));
}

// remove, disable, enable, rotate: an empty body and one call on the endpoint.
using EndpointFn = Result<Endpoint> (*)(Db&, const std::string&, bool, UnixSeconds);
void ChangeEndpoint(Context& c, http::Request& req, http::Respond respond, EndpointFn fn,
                    bool with_secret) {
  auto body = ParseObject(req.body);
  Status st = body.ok() ? RejectUnknown(*body, {}) : body.status();
  if (!st.ok()) return respond(http::ErrorResponse(st));
  WriteEndpoint(
      c, req, respond,
      [fn, id = req.params["id"]](Db& db, const routes::Call& call) {
        return fn(db, id, call.livemode, call.now);
      },
      with_secret);
}

void Remove(Context& c, http::Request& req, http::Respond respond) {
  ChangeEndpoint(c, req, respond, RemoveEndpoint, false);
}

void Disable(Context& c, http::Request& req, http::Respond respond) {
  ChangeEndpoint(
      c, req, respond,
      [](Db& db, const std::string& id, bool live, UnixSeconds now) {
        return SetEndpointEnabled(db, id, live, false, "disabled by the operator", now);
      },
      false);
}

void Enable(Context& c, http::Request& req, http::Respond respond) {
  ChangeEndpoint(
      c, req, respond,
      [](Db& db, const std::string& id, bool live, UnixSeconds now) {
        return SetEndpointEnabled(db, id, live, true, "", now);
      },
      false);
}

void Rotate(Context& c, http::Request& req, http::Respond respond) {
  ChangeEndpoint(c, req, respond, RotateEndpointSecret, true);
}

// A webhook.test event written for this one endpoint with its delivery.
void Test(Context& c, http::Request& req, http::Respond respond) {
  struct Sent {
    Event event;
    int64_t delivery = 0;
  };
  WriteValue<Sent>(
      c, respond,
      [call = CallOf(c, req), id = req.params["id"]](Db& db, Sent& sent) {
        auto e = LoadEndpoint(db, id, call.livemode);
        if (!e.ok()) return e.status();
        if (!e->enabled) {
          return Status::Conflict("The webhook endpoint is disabled; enable it first.",
                                  "endpoint_disabled");
        }
        Event& event = sent.event;
        event.livemode = call.livemode;
        event.type = "webhook.test";
        event.object_id = id;
        event.sequence = NextSequence(db, id);
        event.created_at = call.now;
        event.data = json::serialize(json::object{
            {"object", "webhook_endpoint"}, {"id", id}, {"url", e->url},
            {"message", "A test event sent by jopayctl webhooks test."},
            {"sequence", event.sequence}});
        InsertEvent(db, event);
        sent.delivery = InsertDelivery(db, call.livemode, event.pk, event.id, id, call.now);
        return Status::Ok();
      },
      [](const Sent& sent) {
        json::object view = EventView(sent.event);
        view["delivery_id"] = sent.delivery;
        return view;
      },
      routes::WithStatus(201));
}

}  // namespace

void AddWebhookRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "POST", "/v1/webhook_endpoints", Create);
  AddRoute(r, c, "GET", "/v1/webhook_endpoints", List);
  AddRoute(r, c, "GET", "/v1/webhook_endpoints/{id}", Get);
  AddRoute(r, c, "POST", "/v1/webhook_endpoints/{id}", Update);
  AddRoute(r, c, "DELETE", "/v1/webhook_endpoints/{id}", Remove);
  AddRoute(r, c, "POST", "/v1/webhook_endpoints/{id}/disable", Disable);
  AddRoute(r, c, "POST", "/v1/webhook_endpoints/{id}/enable", Enable);
  AddRoute(r, c, "POST", "/v1/webhook_endpoints/{id}/rotate", Rotate);
  AddRoute(r, c, "POST", "/v1/webhook_endpoints/{id}/test", Test);
}

}  // namespace jopay::admin
