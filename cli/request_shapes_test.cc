#include "cli/request_shapes.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json/parse.hpp>

#include "cli/fake_daemon.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A daemon with `total` customers cus_<total-1> .. cus_0 (newest first) that
// pages them as jopayd does: `limit` a page after `starting_after`.
void ServeCustomers(FakeDaemon& d, int total) {
  d.respond = [total](const RecordedCall& c) -> Result<json::value> {
    auto query = [&](const std::string& key) {
      size_t at = c.target.find(key + "=");
      if (at == std::string::npos) return std::string();
      size_t end = c.target.find('&', at);
      return c.target.substr(at + key.size() + 1, end == std::string::npos ? end : end - at - key.size() - 1);
    };
    int limit = std::stoi(query("limit"));
    std::string after = query("starting_after");
    int next = after.empty() ? total - 1 : std::stoi(after.substr(4)) - 1;
    json::array data;
    for (int i = next; i >= 0 && static_cast<int>(data.size()) < limit; --i) {
      data.push_back(json::object{{"id", "cus_" + std::to_string(i)}, {"object", "customer"}});
    }
    bool more = !data.empty() && next - limit >= 0;
    return json::value(json::object{{"object", "list"}, {"data", data}, {"has_more", more}});
  };
}

}  // namespace

TEST_CASE("paging: --all follows every page, --limit a page, each row once in order") {
  Harness h;
  ServeCustomers(h.daemon, 7);
  CHECK(h.Run({"customers", "list", "--all", "--limit", "3", "-o", "id"}) == 0);
  CHECK(h.out() == "cus_6\ncus_5\ncus_4\ncus_3\ncus_2\ncus_1\ncus_0\n");
  CHECK(h.err() == "");  // nothing left to say about more pages
  REQUIRE(h.daemon.calls.size() == 3);
  CHECK(h.daemon.calls[0].target == "/v1/customers?limit=3");
  CHECK(h.daemon.calls[1].target == "/v1/customers?limit=3&starting_after=cus_4");
  CHECK(h.daemon.calls[2].target == "/v1/customers?limit=3&starting_after=cus_1");
}

TEST_CASE("paging: without --all one page, and stderr names the next") {
  Harness h;
  ServeCustomers(h.daemon, 7);
  CHECK(h.Run({"customers", "list", "--limit", "3", "-o", "id"}) == 0);
  CHECK(h.out() == "cus_6\ncus_5\ncus_4\n");
  CHECK(h.daemon.calls.size() == 1);
  CHECK(Has(h.err(), "rerun with --starting-after cus_4"));
}

TEST_CASE("paging: --all with --starting-after goes on from there to the end") {
  Harness h;
  ServeCustomers(h.daemon, 7);
  CHECK(h.Run({"customers", "list", "--all", "--limit", "2", "--starting-after", "cus_3",
               "-o", "ndjson"}) == 0);
  CHECK(h.out() ==
        "{\"id\":\"cus_2\",\"object\":\"customer\"}\n"
        "{\"id\":\"cus_1\",\"object\":\"customer\"}\n"
        "{\"id\":\"cus_0\",\"object\":\"customer\"}\n");
}

TEST_CASE("paging: --all -o json is one array; the table has one header") {
  Harness json_run;
  ServeCustomers(json_run.daemon, 5);
  CHECK(json_run.Run({"customers", "list", "--all", "--limit", "2", "-o", "json"}) == 0);
  json::value all = json::parse(json_run.out());
  REQUIRE(all.is_array());
  CHECK(all.as_array().size() == 5);
  Harness table;
  ServeCustomers(table.daemon, 5);
  CHECK(table.Run({"customers", "list", "--all", "--limit", "2"}) == 0);
  std::string text = table.out();
  CHECK(text.find("ID") == 0);
  CHECK(text.find("ID", 1) == std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 6);
}

TEST_CASE("paging: an error on a later page fails the command with its exit code") {
  Harness h;
  h.daemon.Answer(R"({"object": "list", "has_more": true, "data": [{"id": "evt_2"}]})");
  h.daemon.Fail(Status::Unavailable("jopayd is shutting down"));
  CHECK(h.Run({"events", "list", "--all", "-o", "json"}) == 8);
  CHECK(h.daemon.calls.size() == 2);
  // The array stays open: a half list cannot be parsed as a whole one.
  CHECK_THROWS(json::parse(h.out()));
}

TEST_CASE("paging: every list command takes --all; plans name archived ones otherwise") {
  for (const auto& c : Commands()) {
    if (!c.list) continue;
    CAPTURE(c.Name());
    bool all = false;
    for (const auto& o : c.options) all = all || o.name == "all";
    CHECK(all);
  }
  Harness plans;
  ServeCustomers(plans.daemon, 0);
  CHECK(plans.Run({"plans", "list", "--all", "--include-archived"}) == 0);
  CHECK(plans.daemon.calls[0].target == "/v1/plans?limit=100");
}

}  // namespace jopay::cli
