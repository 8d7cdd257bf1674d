#include "cli/request_shapes.h"

#include <ostream>

namespace jopay::cli {

namespace json = boost::json;

Status ExpectObject(const json::value& v) {
  if (v.is_object()) return Status::Ok();
  return Status::Internal("unexpected answer from jopayd (not a JSON object)");
}

namespace {

// The id to continue after `data`, when the daemon says it has more.
std::string NextAfter(const json::object& answer, const json::array& data) {
  const json::value* more = answer.if_contains("has_more");
  if (!more || !more->is_bool() || !more->as_bool() || data.empty()) return {};
  const json::value& last = data.back();
  const json::value* id = last.is_object() ? last.as_object().if_contains("id") : nullptr;
  return id && id->is_string() ? std::string(id->as_string()) : "ID";
}

}  // namespace

Result<std::string> FetchPages(Invocation& inv, const Path& path, const QueryParams& query,
                               const std::string& page_size, std::string after,
                               bool every_page, const PageFn& on_page) {
  for (;;) {
    QueryParams q = query;
    q.emplace_back("limit", page_size);
    if (!after.empty()) q.emplace_back("starting_after", after);
    auto answer = inv.Call("GET", Target(path, q));
    if (!answer.ok()) return answer.status();
    JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
    const json::value* data = answer->as_object().if_contains("data");
    if (!data || !data->is_array()) {
      return Status::Internal("unexpected answer from jopayd (no data)");
    }
    JOPAY_RETURN_IF_ERROR(on_page(data->as_array()));
    std::string next = NextAfter(answer->as_object(), data->as_array());
    // "ID": the last object had no id to page after, so there is no going on.
    if (!every_page || next.empty() || next == "ID") return next;
    after = std::move(next);
  }
}

Status ListAndPrint(Invocation& inv, const Path& path, QueryParams query,
                    std::string_view object) {
  inv.out().ListBegin(object);
  auto next = FetchPages(inv, path, query, inv.Get("limit"), inv.Get("starting-after"),
                         inv.Has("all"), [&](const json::array& data) {
                           inv.out().ListPage(data);
                           return Status::Ok();
                         });
  if (!next.ok()) return next.status();
  inv.out().ListEnd();
  if (!next->empty()) {
    inv.err() << "jopayctl: more results: rerun with --starting-after " << *next
              << " (or --all for every page)\n";
  }
  return Status::Ok();
}

Status GetAndPrint(Invocation& inv, const Path& path) {
  auto answer = inv.Call("GET", Target(path));
  if (!answer.ok()) return answer.status();
  inv.out().Object(*answer);
  return Status::Ok();
}

Status PostAndPrint(Invocation& inv, const Path& path, const json::object& body) {
  auto answer = inv.Call("POST", Target(path), RequestBody::Json(body));
  if (!answer.ok()) return answer.status();
  inv.out().Object(*answer);
  return Status::Ok();
}

void AddQuery(QueryParams& query, const Invocation& inv, std::string_view option,
              std::string param) {
  if (inv.Has(option)) query.emplace_back(std::move(param), inv.Get(option));
}

void AddField(json::object& body, const Invocation& inv, std::string_view option,
              std::string_view key) {
  if (!inv.Has(option)) return;
  for (const auto& o : inv.command().options) {
    if (o.name != option) continue;
    if (o.kind == ValueKind::kInteger) {
      body[key] = inv.GetInt(option);
    } else {
      body[key] = inv.Get(option);
    }
  }
}

}  // namespace jopay::cli
