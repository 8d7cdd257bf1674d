// Router: maps (method, path) to a Handler.
//
// Patterns are literal segments and "{name}" placeholders, e.g.
// "/v1/plans/{id}/archive". A placeholder matches one non-empty decoded
// segment and its value lands in req.params["name"]. When several patterns
// match a path, the most specific wins: at the first segment where they
// differ, a literal beats a placeholder ("/v1/customers/search" before
// "/v1/customers/{id}"). Matching is exact: no trailing-slash folding.
//
// Add all routes before serving: Dispatch may run on several threads at once
// and takes no lock.
#pragma once

#include <string>
#include <vector>

#include "daemon/http/message.h"

namespace jopay::http {

class Router {
 public:
  // `pattern` starts with '/'. Adding a (method, pattern) pair twice keeps the first.
  void Add(std::string method, std::string pattern, Handler h);

  // Finds the route and calls its handler with req.params filled. Unknown
  // path -> 404 JSON error (code "route_missing"); known path but another
  // method -> 405 JSON error (code "method_not_allowed") with an Allow header.
  // HEAD runs the GET route (req.method stays "HEAD"; the connection sends the head only).
  // Exceptions from the handler propagate to the caller.
  void Dispatch(Request& req, Respond respond) const;

 private:
  struct Segment {
    std::string text;  // the literal, or the placeholder's name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  // Fills `params` and returns true if `route` matches `path`.
  static bool Match(const Route& route, const std::vector<std::string>& path,
                    std::map<std::string, std::string>& params);
  // True if `a` should be preferred over `b` (both match the same path).
  static bool MoreSpecific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace jopay::http
