// /v1/keys: create (secret shown once), list, revoke.
#include "common/json_fields.h"
#include "daemon/admin/context.h"
#include "daemon/auth/keys.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

void CreateKey(Context& c, http::Request& req, http::Respond respond) {
  auto body = ParseObject(req.body);
  if (!body.ok()) return respond(http::ErrorResponse(body.status()));
  std::optional<bool> read_only;
  Status st = RejectUnknown(*body, {"read_only"});
  if (st.ok()) st = GetBool(*body, "read_only", read_only);
  if (!st.ok()) return respond(http::ErrorResponse(st));
  struct State {
    ApiKey key;
    std::string secret;
  };
  auto state = std::make_shared<State>();
  bool live = IsLive(req);
  UnixSeconds now = c.clock.Now();
  WriteThen(
      c, respond,
      [state, live, ro = read_only.value_or(false), now](Db& db) {
        state->key = CreateApiKey(db, live, ro, now, &state->secret);
        return Status::Ok();
      },
      [state] {
        json::object view = ApiKeyView(state->key);
        view["secret"] = state->secret;
        return view;
      },
      201);
}

void ListKeys(Context& c, http::Request& req, http::Respond respond) {
  json::array items;
  for (const auto& k : ListApiKeys(c.store.reader(), IsLive(req))) items.push_back(ApiKeyView(k));
  int count = static_cast<int>(items.size());
  respond(Ok(ListAnswer(std::move(items), count)));
}

void RevokeKey(Context& c, http::Request& req, http::Respond respond) {
  auto key = std::make_shared<ApiKey>();
  std::string id = req.params["id"];
  bool live = IsLive(req);
  UnixSeconds now = c.clock.Now();
  WriteThen(
      c, respond, [key, id, live, now](Db& db) { return RevokeApiKey(db, id, live, now, key.get()); },
      [key, &c] {
        c.api_keys.Invalidate();  // committed: the public API refuses the key from here on
        return ApiKeyView(*key);
      });
}

}  // namespace

void AddKeyRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "POST", "/v1/keys", CreateKey);
  AddRoute(r, c, "GET", "/v1/keys", ListKeys);
  AddRoute(r, c, "POST", "/v1/keys/{id}/revoke", RevokeKey);
}

}  // namespace jopay::admin
