#include "daemon/routes/kit.h"

#include <fmt/core.h>

#include <algorithm>

#include "common/log.h"

namespace jopay::routes {

namespace json = boost::json;

Result<Page> ParsePage(const http::Request& req, int default_limit, int max_limit) {
  auto limit = http::QueryInt(req.query, "limit", 1, max_limit, default_limit);
  if (!limit.ok()) return limit.status();
  return Page{static_cast<int>(*limit), QueryValue(req, "starting_after")};
}

json::object ListAnswer(json::array items, int limit) {
  bool more = static_cast<int>(items.size()) > limit;
  if (more) items.resize(limit);
  return {{"object", "list"}, {"data", std::move(items)}, {"has_more", more}};
}

Status RejectUnknownQuery(const http::Request& req,
                          std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : req.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Status::Invalid(fmt::format("unknown query parameter: {}", name), name,
                             "parameter_unknown");
    }
  }
  return Status::Ok();
}

std::string QueryValue(const http::Request& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? "" : it->second;
}

http::Response Ok(const json::value& v, int status) { return http::JsonResponse(status, v); }

http::Response JsonInternalError() {
  return http::ErrorResponse(Status::Internal("The request failed inside jopayd; it is logged."));
}

http::Handler Guarded(http::Handler h, ExceptionAnswer on_exception) {
  return [h = std::move(h), on_exception](http::Request& req, http::Respond respond) {
    try {
      h(req, respond);
    } catch (const std::exception& e) {
      LogError("{} {}: {}", req.method, req.path, e.what());
      respond(on_exception());
    }
  };
}

void WriteThen(Writer& writer, http::Respond respond, Writer::Job job,
               std::function<json::value()> answer, WriteOptions options) {
  struct Outcome {
    std::optional<http::Response> kept;  // an answer kept from before; the job did not run
    std::string body;
  };
  auto out = std::make_shared<Outcome>();
  auto keeper = options.keeper;
  int status = options.status;
  writer.Submit(
      [out, keeper, status, job = std::move(job), answer = std::move(answer)](Db& db) -> Status {
        if (keeper && (out->kept = keeper->Kept(db))) return Status::Ok();
        JOPAY_RETURN_IF_ERROR(job(db));
        try {
          out->body = json::serialize(answer());
        } catch (const std::exception& e) {  // a view error must not escape onto the writer
          return Status::Internal(e.what());
        }
        if (keeper) keeper->Keep(db, status, out->body);
        return Status::Ok();
      },
      [out, status, respond = std::move(respond),
       after = std::move(options.after_commit)](Status st) {
        if (!st.ok()) return respond(http::ErrorResponse(st));
        if (out->kept) return respond(std::move(*out->kept));
        if (after) after();
        http::Response r;
        r.status = status;
        r.body = std::move(out->body);
        respond(std::move(r));
      });
}

}  // namespace jopay::routes
