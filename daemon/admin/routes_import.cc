// /v1/imports: open, send NDJSON chunks (validated as they arrive), commit or drop.
#include <charconv>

#include "daemon/admin/context.h"

namespace jopay::admin {

namespace json = boost::json;

namespace {

Result<std::shared_ptr<ImportBatch>> FindImport(Context& c, http::Request& req) {
  auto batch = c.imports.Find(req.params["id"]);
  if (!batch || batch->livemode() != IsLive(req)) {
    return Status::NotFound("No such import: " + req.params["id"], "id");
  }
  return batch;
}

void Open(Context& c, http::Request& req, http::Respond respond) {
  respond(Ok(json::object{{"id", c.imports.Open(IsLive(req))}, {"object", "import"}}, 201));
}

void Lines(Context& c, http::Request& req, http::Respond respond) {
  auto batch = FindImport(c, req);
  if (!batch.ok()) return respond(http::ErrorResponse(batch.status()));
  auto first = http::QueryInt(req.query, "first_line", 1, INT64_MAX, 1);
  if (!first.ok()) return respond(http::ErrorResponse(first.status()));
  auto errors = (*batch)->AddLines(c.store.reader(), c.engine, req.body, *first);
  json::array list;
  for (const auto& e : errors) {
    list.push_back(json::object{{"line", e.line}, {"message", e.message}, {"param", e.param}});
  }
  respond(Ok(json::object{{"received", (*batch)->staged()}, {"errors", std::move(list)}}));
}

void Commit(Context& c, http::Request& req, http::Respond respond) {
  auto batch = FindImport(c, req);
  if (!batch.ok()) return respond(http::ErrorResponse(batch.status()));
  if ((*batch)->error_count() > 0) {
    return respond(http::ErrorResponse(Status::Conflict(
        "The import has lines with errors; nothing was imported.", "import_has_errors")));
  }
  auto imported = std::make_shared<int64_t>(0);
  std::string id = req.params["id"];
  UnixSeconds now = c.clock.Now();
  auto b = *batch;
  c.store.writer().Submit(
      [&c, b, imported, now](Db& db) {
        *imported = b->Commit(db, c.engine.policy(), now);
        return Status::Ok();
      },
      [&c, id, imported, respond](Status st) {
        if (!st.ok()) return respond(http::ErrorResponse(st));
        c.imports.Close(id);
        c.scheduler.Wake();
        respond(Ok(json::object{{"imported", *imported}}));
      });
}

void Drop(Context& c, http::Request& req, http::Respond respond) {
  auto batch = FindImport(c, req);
  if (!batch.ok()) return respond(http::ErrorResponse(batch.status()));
  c.imports.Close(req.params["id"]);
  respond(Ok(json::object{{"deleted", true}}));
}

}  // namespace

void AddImportRoutes(http::Router& r, Context& c) {
  AddRoute(r, c, "POST", "/v1/imports", Open);
  AddRoute(r, c, "POST", "/v1/imports/{id}/lines", Lines);
  AddRoute(r, c, "POST", "/v1/imports/{id}/commit", Commit);
  AddRoute(r, c, "DELETE", "/v1/imports/{id}", Drop);
}

}  // namespace jopay::admin
