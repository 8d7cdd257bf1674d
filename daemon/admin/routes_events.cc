// /v1/events: list, get (with its deliveries and every attempt), resend to endpoints, and the
// feed that `jopayctl events listen` polls.
#include <fmt/core.h>

#include <charconv>

#include "common/json_fields.h"
#include "common/time.h"
#include "daemon/admin/context.h"
#include "daemon/events/feed.h"
#include "daemon/events/outbox.h"
#include "daemon/webhooks/deliveries.h"
#include "daemon/webhooks/endpoints.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

void List(Context& c, http::Request& req, http::Respond respond) {
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  UnixSeconds since = 0;
  if (std::string s = QueryValue(req, "since"); !s.empty()) {
    auto t = ParseRfc3339(s);
    if (!t.ok()) return respond(http::ErrorResponse(Status::Invalid(t.status().message(), "since")));
    since = *t;
  }
  json::array items;
  for (const auto& e : ListEvents(c.store.reader(), IsLive(req), QueryValue(req, "type"),
                                  QueryValue(req, "object"), since, page->limit + 1,
                                  page->starting_after)) {
    items.push_back(EventView(e));
  }
  respond(Ok(ListAnswer(std::move(items), page->limit)));
}

void Get(Context& c, http::Request& req, http::Respond respond) {
  Db& db = c.store.reader();
  auto e = LoadEvent(db, req.params["id"], IsLive(req));
  if (!e.ok()) return respond(http::ErrorResponse(e.status()));
  json::object view = EventView(*e);
  view["deliveries"] = webhooks::DeliveriesOfEvent(db, e->id);
  view["attempts"] = webhooks::AttemptsOfEvent(db, e->id);
  respond(Ok(view));
}

// The endpoints a resend goes to: the one named, else every enabled one that takes the type.
Result<std::vector<webhooks::Endpoint>> ResendTargets(Db& db, const Event& ev, bool live,
                                                      const std::optional<std::string>& endpoint) {
  std::vector<webhooks::Endpoint> targets;
  if (endpoint) {
    auto e = webhooks::LoadEndpoint(db, *endpoint, live);
    if (!e.ok()) return Status::NotFound(e.status().message(), "endpoint");
    if (!e->enabled) {
      return Status::Conflict("The webhook endpoint is disabled; enable it first.",
                              "endpoint_disabled");
    }
    targets.push_back(*e);
    return targets;
  }
  for (auto& e : webhooks::ListEndpoints(db, live)) {
    bool wanted = ev.type == "webhook.test" ? e.id == ev.object_id : e.Wants(ev.type);
    if (e.enabled && wanted) targets.push_back(e);
  }
  if (targets.empty()) {
    return Status::Conflict(fmt::format("No enabled webhook endpoint takes {} events.", ev.type),
                            "no_endpoint");
  }
  return targets;
}

void Resend(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<std::string> endpoint;
  Status st = RejectUnknown(*body, {"endpoint"});
  if (st.ok()) st = GetString(*body, "endpoint", endpoint, 100);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  std::string id = req.params["id"];
  WriteValue<json::array>(
      c, respond,
      [call = CallOf(c, req), id, endpoint](Db& db, json::array& made) -> Status {
        auto ev = LoadEvent(db, id, call.livemode);
        if (!ev.ok()) return ev.status();
        auto targets = ResendTargets(db, *ev, call.livemode, endpoint);
        if (!targets.ok()) return targets.status();
        for (const auto& e : *targets) {
          int64_t delivery = webhooks::InsertDelivery(db, call.livemode, ev->pk, ev->id, e.id,
                                                      call.now);
          made.push_back(json::object{{"id", delivery},
                                      {"object", "webhook_delivery"},
                                      {"endpoint_id", e.id},
                                      {"url", e.url},
                                      {"status", "pending"}});
        }
        return Status::Ok();
      },
      [id](const json::array& made) {
        return json::object{{"event_id", id}, {"deliveries", made}};
      });
}

void Feed(Context& c, http::Request& req, http::Respond respond) {
  int64_t after = -1;
  if (req.query.contains("after")) {
    std::string s = QueryValue(req, "after");
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), after);
    if (ec != std::errc() || end != s.data() + s.size() || after < 0) {
      return respond(http::ErrorResponse(
          Status::Invalid("after must be a cursor from a previous answer", "after")));
    }
  }
  auto page = ParsePage(req);
  if (!page.ok()) return respond(http::ErrorResponse(page.status()));
  FeedPage feed = ReadFeed(c.store.reader(), IsLive(req), after, page->limit);
  json::array items;
  for (const auto& e : feed.events) items.push_back(EventView(e));
  respond(Ok(json::object{{"object", "list"},
                          {"data", std::move(items)},
                          {"cursor", std::to_string(feed.cursor)}}));
}

}  // namespace

void AddEventRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "GET", "/v1/events", List);
  AddRoute(r, c, "GET", "/v1/events/feed", Feed);
  AddRoute(r, c, "GET", "/v1/events/{id}", Get);
  AddRoute(r, c, "POST", "/v1/events/{id}/resend", Resend);
}

}  // namespace jopay::admin
