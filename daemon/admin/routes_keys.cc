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
  struct Created {
    ApiKey key;
    std::string secret;
  };
  WriteValue<Created>(
      c, respond,
      [call = CallOf(c, req), ro = read_only.value_or(false)](Db& db, Created& made) {
        made.key = CreateApiKey(db, call.livemode, ro, call.now, &made.secret);
        return Status::Ok();
      },
      [](const Created& made) {
        json::object view = ApiKeyView(made.key);
        view["secret"] = made.secret;
        return view;
      },
      routes::WithStatus(201));
}

void ListKeys(Context& c, http::Request& req, http::Respond respond) {
  json::array items;
  for (const auto& k : ListApiKeys(c.store.reader(), IsLive(req))) items.push_back(ApiKeyView(k));
  int count = static_cast<int>(items.size());
  respond(Ok(ListAnswer(std::move(items), count)));
}

void RevokeKey(Context& c, http::Request& req, http::Respond respond) {
  WriteValue<ApiKey>(
      c, respond,
      [call = CallOf(c, req), id = req.params["id"]](Db& db, ApiKey& key) {
        return RevokeApiKey(db, id, call.livemode, call.now, &key);
      },
      ApiKeyView,
      // Committed: the public API refuses the key from here on.
      {200, [&c] { c.api_keys.Invalidate(); }, nullptr});
}

}  // namespace

void AddKeyRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "POST", "/v1/keys", CreateKey);
  AddRoute(r, c, "GET", "/v1/keys", ListKeys);
  AddRoute(r, c, "POST", "/v1/keys/{id}/revoke", RevokeKey);
}

}  // namespace jopay::admin
