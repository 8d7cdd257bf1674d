#include "daemon/http/router.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace jopay::http {
namespace {

// Splits "/a/b" into {"a", "b"}; "/" gives {}. Used for our own patterns and
// for requests built by hand without ParseTarget (already decoded).
std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  if (path.empty() || path == "/") return out;
  if (path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.emplace_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

Response MethodNotAllowed(const Request& req, const std::set<std::string>& allowed) {
  std::string allow;
  for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  Response r = ErrorResponse(Status::Make(
      Status::Kind::kMethodNotAllowed, "method_not_allowed",
      fmt::format("{} is not allowed on {}; allowed: {}", req.method, req.path, allow)));
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler h) {
  Route route{std::move(method), pattern, {}, std::move(h)};
  for (auto& text : SplitPath(pattern)) {
    bool is_param = text.size() >= 2 && text.front() == '{' && text.back() == '}';
    if (is_param) text = text.substr(1, text.size() - 2);
    route.segments.push_back({std::move(text), is_param});
  }
  routes_.push_back(std::move(route));
}

bool Router::Match(const Route& route, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params) {
  if (route.segments.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    const Segment& seg = route.segments[i];
    if (seg.is_param ? path[i].empty() : seg.text != path[i]) return false;
  }
  for (size_t i = 0; i < path.size(); ++i) {
    if (route.segments[i].is_param) params[route.segments[i].text] = path[i];
  }
  return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

void Router::Dispatch(Request& req, Respond respond) const {
  if (req.segments.empty()) req.segments = SplitPath(req.path);
  const Route* best = nullptr;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> ignored;
    if (!Match(route, req.segments, ignored)) continue;
    allowed.insert(route.method);
    if (route.method == "GET") allowed.insert("HEAD");
    bool head_of_get = req.method == "HEAD" && route.method == "GET";
    if (route.method != req.method && !head_of_get) continue;
    if (best == nullptr || MoreSpecific(route, *best)) best = &route;
  }
  if (best != nullptr) {
    Match(*best, req.segments, req.params);
    req.route = best->pattern;
    best->handler(req, std::move(respond));
  } else if (!allowed.empty()) {
    respond(MethodNotAllowed(req, allowed));
  } else {
    respond(ErrorResponse(Status::Make(Status::Kind::kNotFound, "route_missing",
                                       fmt::format("no route for {} {}", req.method, req.path))));
  }
}

}  // namespace jopay::http
