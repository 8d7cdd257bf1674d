#include "daemon/webhooks/admin_routes.h"

#include <fmt/core.h>

#include <charconv>

#include "common/json_fields.h"
#include "daemon/events/outbox.h"
#include "daemon/webhooks/deliveries.h"
#include "daemon/webhooks/endpoint_url.h"
#include "daemon/webhooks/endpoints.h"
#include "daemon/webhooks/event_feed.h"

namespace jopay::webhooks {

namespace json = boost::json;
using admin::Context;
using admin::IsLive;
using admin::Ok;
using admin::WriteThen;

namespace {

struct Routes {
  Context& c;
  Dispatcher& d;

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

  // A url an endpoint of this mode may send to (https in live mode, and by default no
  // loopback, private or link-local address).
  Status CheckUrl(const std::string& url, bool livemode) {
    auto parsed = ParseEndpointUrl(url);
    if (!parsed.ok()) return parsed.status();
    JOPAY_RETURN_IF_ERROR(CheckScheme(*parsed, livemode));
    return CheckResolvesOutside(*parsed, livemode, d.options().allow_private);
  }

  void Create(http::Request& req, http::Respond respond) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return respond(http::ErrorResponse(body.status()));
    std::optional<std::string> url, description;
    auto e = std::make_shared<Endpoint>();
    e->livemode = IsLive(req);
    Status st = RejectUnknown(*body, {"url", "events", "description"});
    if (st.ok()) st = GetString(*body, "url", url, 2000);
    if (st.ok()) st = Require(url.has_value(), "url");
    if (st.ok()) st = GetString(*body, "description", description, 500);
    if (st.ok()) st = ReadTypes(*body, e->events);
    if (st.ok()) st = CheckUrl(*url, e->livemode);
    if (!st.ok()) return respond(http::ErrorResponse(st));
    e->url = *url;
    e->description = description.value_or("");
    e->created_at = e->updated_at = c.clock.Now();
    UnixSeconds now = e->created_at;
    WriteThen(
        c, respond,
        [e](Db& db) {
          InsertEndpoint(db, *e);
          return Status::Ok();
        },
        [this, e, now] {
          d.EndpointsChanged();
          return EndpointView(*e, now, true);
        },
        201);
  }

  void Update(http::Request& req, http::Respond respond) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return respond(http::ErrorResponse(body.status()));
    bool live = IsLive(req);
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
    if (st.ok() && change.url) st = CheckUrl(*change.url, live);
    if (!st.ok()) return respond(http::ErrorResponse(st));
    auto out = std::make_shared<Endpoint>();
    std::string id = req.params["id"];
    UnixSeconds now = c.clock.Now();
    WriteThen(
        c, respond,
        [out, id, live, change, now](Db& db) {
          auto e = UpdateEndpoint(db, id, live, change, now);
          if (!e.ok()) return e.status();
          *out = *e;
          return Status::Ok();
        },
        [this, out, now] {
          d.EndpointsChanged();
          return EndpointView(*out, now);
        });
  }

  void List(http::Request& req, http::Respond respond) {
    json::array items;
    UnixSeconds now = c.clock.Now();
    for (const auto& e : ListEndpoints(c.store.reader(), IsLive(req))) {
      items.push_back(EndpointView(e, now));
    }
    int n = static_cast<int>(items.size());
    respond(Ok(admin::ListAnswer(std::move(items), n)));
  }

  void Get(http::Request& req, http::Respond respond) {
    auto e = LoadEndpoint(c.store.reader(), req.params["id"], IsLive(req));
    if (!e.ok()) return respond(http::ErrorResponse(e.status()));
    respond(Ok(EndpointView(*e, c.clock.Now())));
  }

  // A change to one endpoint through `change`, answered with its view (and the secret when
  // `with_secret`).
  void Change(http::Request& req, http::Respond respond,
              std::function<Result<Endpoint>(Db&, const std::string&, bool, UnixSeconds)> change,
              bool with_secret = false) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return respond(http::ErrorResponse(body.status()));
    Status st = RejectUnknown(*body, {});
    if (!st.ok()) return respond(http::ErrorResponse(st));
    auto out = std::make_shared<Endpoint>();
    std::string id = req.params["id"];
    bool live = IsLive(req);
    UnixSeconds now = c.clock.Now();
    WriteThen(
        c, respond,
        [out, change, id, live, now](Db& db) {
          auto e = change(db, id, live, now);
          if (!e.ok()) return e.status();
          *out = *e;
          return Status::Ok();
        },
        [this, out, now, with_secret] {
          d.EndpointsChanged();
          return EndpointView(*out, now, with_secret);
        });
  }

  void Test(http::Request& req, http::Respond respond) {
    std::string id = req.params["id"];
    bool live = IsLive(req);
    UnixSeconds now = c.clock.Now();
    auto event = std::make_shared<Event>();
    auto delivery = std::make_shared<int64_t>(0);
    WriteThen(
        c, respond,
        [=](Db& db) {
          auto e = LoadEndpoint(db, id, live);
          if (!e.ok()) return e.status();
          if (!e->enabled) {
            return Status::Conflict("The webhook endpoint is disabled; enable it first.",
                                    "endpoint_disabled");
          }
          auto& q = db.Cached("SELECT IFNULL(MAX(sequence), 0) + 1 FROM events WHERE object_id=?");
          q.Args(id);
          q.Step();
          int64_t sequence = q.Int(0);
          q.Reset();
          event->livemode = live;
          event->type = "webhook.test";
          event->object_id = id;
          event->sequence = sequence;
          event->created_at = now;
          event->data = json::serialize(json::object{
              {"object", "webhook_endpoint"}, {"id", id}, {"url", e->url},
              {"message", "A test event sent by jopayctl webhooks test."},
              {"sequence", sequence}});
          InsertEvent(db, *event);
          *delivery = InsertDelivery(db, live, event->pk, event->id, id, now);
          return Status::Ok();
        },
        [event, delivery] {
          json::object view = EventView(*event);
          view["delivery_id"] = *delivery;
          return view;
        },
        201);
  }

  void Resend(http::Request& req, http::Respond respond) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return respond(http::ErrorResponse(body.status()));
    std::optional<std::string> endpoint;
    Status st = RejectUnknown(*body, {"endpoint"});
    if (st.ok()) st = GetString(*body, "endpoint", endpoint, 100);
    if (!st.ok()) return respond(http::ErrorResponse(st));
    std::string id = req.params["id"];
    bool live = IsLive(req);
    UnixSeconds now = c.clock.Now();
    auto made = std::make_shared<json::array>();
    WriteThen(
        c, respond,
        [=](Db& db) -> Status {
          auto ev = LoadEvent(db, id, live);
          if (!ev.ok()) return ev.status();
          std::vector<Endpoint> targets;
          if (endpoint) {
            auto e = LoadEndpoint(db, *endpoint, live);
            if (!e.ok()) return Status::NotFound(e.status().message(), "endpoint");
            if (!e->enabled) {
              return Status::Conflict("The webhook endpoint is disabled; enable it first.",
                                      "endpoint_disabled");
            }
            targets.push_back(*e);
          } else {
            for (auto& e : ListEndpoints(db, live)) {
              bool wanted = ev->type == "webhook.test" ? e.id == ev->object_id : e.Wants(ev->type);
              if (e.enabled && wanted) targets.push_back(e);
            }
            if (targets.empty()) {
              return Status::Conflict(
                  fmt::format("No enabled webhook endpoint takes {} events.", ev->type),
                  "no_endpoint");
            }
          }
          made->clear();
          for (const auto& e : targets) {
            int64_t delivery = InsertDelivery(db, live, ev->pk, ev->id, e.id, now);
            made->push_back(json::object{{"id", delivery},
                                         {"object", "webhook_delivery"},
                                         {"endpoint_id", e.id},
                                         {"url", e.url},
                                         {"status", "pending"}});
          }
          return Status::Ok();
        },
        [id, made] {
          return json::object{{"event_id", id}, {"deliveries", *made}};
        });
  }

  void Feed(http::Request& req, http::Respond respond) {
    int64_t after = -1;
    if (auto it = req.query.find("after"); it != req.query.end()) {
      const std::string& s = it->second;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), after);
      if (ec != std::errc() || end != s.data() + s.size() || after < 0) {
        return respond(http::ErrorResponse(
            Status::Invalid("after must be a cursor from a previous answer", "after")));
      }
    }
    auto page = admin::ParsePage(req);
    if (!page.ok()) return respond(http::ErrorResponse(page.status()));
    FeedPage feed = ReadFeed(c.store.reader(), IsLive(req), after, page->limit);
    json::array items;
    for (const auto& e : feed.events) items.push_back(EventView(e));
    respond(Ok(json::object{{"object", "list"},
                            {"data", std::move(items)},
                            {"cursor", std::to_string(feed.cursor)}}));
  }
};

}  // namespace

void AddWebhookRoutes(http::Router& r, Context& c, Dispatcher& dispatcher) {
  auto routes = std::make_shared<Routes>(Routes{c, dispatcher});
  auto add = [&](const char* method, const char* path,
                 void (Routes::*fn)(http::Request&, http::Respond)) {
    r.Add(method, path, admin::Guarded(c, [routes, fn](http::Request& req, http::Respond respond) {
            ((*routes).*fn)(req, std::move(respond));
          }));
  };
  add("POST", "/v1/webhook_endpoints", &Routes::Create);
  add("GET", "/v1/webhook_endpoints", &Routes::List);
  add("GET", "/v1/webhook_endpoints/{id}", &Routes::Get);
  add("POST", "/v1/webhook_endpoints/{id}", &Routes::Update);
  add("POST", "/v1/webhook_endpoints/{id}/test", &Routes::Test);
  add("POST", "/v1/events/{id}/resend", &Routes::Resend);
  add("GET", "/v1/events/feed", &Routes::Feed);
  auto change = [&](const char* method, const char* path, auto fn, bool with_secret) {
    r.Add(method, path,
          admin::Guarded(c, [routes, fn, with_secret](http::Request& req, http::Respond respond) {
            routes->Change(req, std::move(respond), fn, with_secret);
          }));
  };
  change("DELETE", "/v1/webhook_endpoints/{id}",
         [](Db& db, const std::string& id, bool live, UnixSeconds now) {
           return RemoveEndpoint(db, id, live, now);
         },
         false);
  change("POST", "/v1/webhook_endpoints/{id}/disable",
         [](Db& db, const std::string& id, bool live, UnixSeconds now) {
           return SetEndpointEnabled(db, id, live, false, "disabled by the operator", now);
         },
         false);
  change("POST", "/v1/webhook_endpoints/{id}/enable",
         [](Db& db, const std::string& id, bool live, UnixSeconds now) {
           return SetEndpointEnabled(db, id, live, true, "", now);
         },
         false);
  change("POST", "/v1/webhook_endpoints/{id}/rotate",
         [](Db& db, const std::string& id, bool live, UnixSeconds now) {
           return RotateEndpointSecret(db, id, live, now);
         },
         true);
}

}  // namespace jopay::webhooks
