#include "cli/request_shapes.h"

#include <ostream>

namespace jopay::cli {

namespace json = boost::json;

Status ExpectObject(const json::value& v) {
  if (v.is_object()) return Status::Ok();
  return Status::Internal("unexpected answer from jopayd (not a JSON object)");
}

Status ListAndPrint(Invocation& inv, const Path& path, QueryParams query,
                    std::string_view object) {
  query.emplace_back("limit", inv.Get("limit"));
  AddQuery(query, inv, "starting-after", "starting_after");
  auto answer = inv.Call("GET", Target(path, query));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  const json::value* data = answer->as_object().if_contains("data");
  if (!data || !data->is_array()) return Status::Internal("unexpected answer from jopayd (no data)");
  inv.out().List(data->as_array(), object);
  const json::value* more = answer->as_object().if_contains("has_more");
  if (more && more->is_bool() && more->as_bool() && !data->as_array().empty()) {
    const json::value& last = data->as_array().back();
    std::string id = last.is_object() && last.as_object().contains("id")
                         ? std::string(last.at("id").as_string()) : "ID";
    inv.err() << "jopayctl: more results: rerun with --starting-after " << id << '\n';
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
