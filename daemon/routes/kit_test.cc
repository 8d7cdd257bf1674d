#include "daemon/routes/kit.h"

#include <doctest/doctest.h>

#include <future>

#include "tests/count.h"
#include "tests/temp_dir.h"

namespace jopay::routes {
namespace {

using testing::Count;
using testing::TempDir;
namespace json = boost::json;

http::Request Get(std::map<std::string, std::string> query) {
  http::Request req;
  req.method = "GET";
  req.path = "/v1/things";
  req.query = std::move(query);
  return req;
}

// Calls `handler` and waits for its answer (handlers may answer from another thread).
http::Response Answer(const std::function<void(http::Respond)>& handler) {
  auto answered = std::make_shared<std::promise<http::Response>>();
  auto future = answered->get_future();
  handler([answered](http::Response r) { answered->set_value(std::move(r)); });
  return future.get();
}

// A keeper that remembers one answer in memory, as the public API's Idempotency-Key does in
// the store.
class MemoryKeeper : public AnswerKeeper {
 public:
  std::optional<std::string> body;
  std::optional<http::Response> Kept(Db&) override {
    if (!body) return std::nullopt;
    http::Response r;
    r.body = *body;
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
  }
  void Keep(Db&, int, const std::string& b) override { body = b; }
};

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;
  Fixture() {
    store = std::move(*Store::Open(dir.file("jopay.db")));
    REQUIRE(store->writer()
                .Run([](Db& db) {
                  db.Exec("CREATE TABLE t (x INTEGER)");
                  return Status::Ok();
                })
                .ok());
  }
  int64_t Rows() { return Count(store->reader(), "SELECT count(*) FROM t"); }
};

Writer::Job Insert(int64_t x) {
  return [x](Db& db) {
    db.Cached("INSERT INTO t (x) VALUES (?)").Args(x).Exec();
    return Status::Ok();
  };
}

}  // namespace

TEST_CASE("ParsePage takes the face's default and maximum and names a bad limit") {
  auto page = ParsePage(Get({}), 10, 100);
  REQUIRE(page.ok());
  CHECK(page->limit == 10);
  CHECK(page->starting_after.empty());
  page = ParsePage(Get({{"limit", "100"}, {"starting_after", "plan_x"}}), 10, 100);
  REQUIRE(page.ok());
  CHECK(page->limit == 100);
  CHECK(page->starting_after == "plan_x");
  for (const char* bad : {"0", "101", "ten", "", "-1"}) {
    auto refused = ParsePage(Get({{"limit", bad}}), 10, 100);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().param() == "limit");
  }
}

TEST_CASE("ListAnswer drops the extra item and says there is more") {
  json::array three{1, 2, 3};
  json::object more = ListAnswer(three, 2);
  CHECK(more.at("data").as_array().size() == 2);
  CHECK(more.at("has_more").as_bool());
  CHECK(more.at("object").as_string() == "list");
  json::object all = ListAnswer(three, 3);
  CHECK(all.at("data").as_array().size() == 3);
  CHECK_FALSE(all.at("has_more").as_bool());
}

TEST_CASE("RejectUnknownQuery names the first unknown parameter") {
  CHECK(RejectUnknownQuery(Get({{"limit", "1"}}), {"limit", "status"}).ok());
  Status st = RejectUnknownQuery(Get({{"limti", "1"}}), {"limit"});
  CHECK(st.kind() == Status::Kind::kInvalid);
  CHECK(st.param() == "limti");
  CHECK(st.code() == "parameter_unknown");
}

TEST_CASE("Guarded turns an exception into the face's 500 answer") {
  http::Handler throws = [](http::Request&, http::Respond) { throw std::runtime_error("boom"); };
  http::Request req = Get({});
  http::Response json_answer;
  Guarded(throws)(req, [&](http::Response r) { json_answer = std::move(r); });
  CHECK(json_answer.status == 500);
  CHECK(json::parse(json_answer.body).at("error").at("code").as_string() == "internal_error");
  CHECK(json_answer.body.find("boom") == std::string::npos);  // not shown to the caller
  http::Response html;
  Guarded(throws, [] {
    http::Response r;
    r.status = 500;
    r.content_type = "text/html";
    return r;
  })(req, [&](http::Response r) { html = std::move(r); });
  CHECK(html.content_type == "text/html");
}

TEST_CASE("WriteThen answers after the commit, and a failed job answers its error and changes "
          "nothing") {
  Fixture f;
  bool after = false;
  http::Response r = Answer([&](http::Respond respond) {
    WriteThen(f.store->writer(), respond, Insert(1), [] { return json::object{{"x", 1}}; },
              {201, [&] { after = true; }, nullptr});
  });
  CHECK(r.status == 201);
  CHECK(r.body == R"({"x":1})");
  CHECK(after);
  CHECK(f.Rows() == 1);

  after = false;
  r = Answer([&](http::Respond respond) {
    WriteThen(
        f.store->writer(), respond,
        [](Db& db) {
          db.Exec("INSERT INTO t (x) VALUES (2)");
          return Status::Conflict("no second row", "row_conflict");
        },
        [] { return json::object{}; }, {200, [&] { after = true; }, nullptr});
  });
  CHECK(r.status == 409);
  CHECK(json::parse(r.body).at("error").at("code").as_string() == "row_conflict");
  CHECK_FALSE(after);
  CHECK(f.Rows() == 1);
}

TEST_CASE("WriteThen with a keeper runs the job once and sends the kept answer after") {
  Fixture f;
  auto keeper = std::make_shared<MemoryKeeper>();
  for (int i = 0; i < 3; ++i) {
    http::Response r = Answer([&](http::Respond respond) {
      WriteThen(f.store->writer(), respond, Insert(i), [i] { return json::object{{"run", i}}; },
                {200, nullptr, keeper});
    });
    CHECK(r.body == R"({"run":0})");
  }
  CHECK(f.Rows() == 1);
}

TEST_CASE("WriteValue fills a value in the job and answers its view") {
  Fixture f;
  http::Response r = Answer([&](http::Respond respond) {
    WriteValue<int64_t>(
        f.store->writer(), respond,
        [](Db& db, int64_t& n) {
          Insert(7)(db);
          n = Count(db, "SELECT count(*) FROM t");
          return Status::Ok();
        },
        [](const int64_t& n) { return json::object{{"rows", n}}; });
  });
  CHECK(r.body == R"({"rows":1})");
}

}  // namespace jopay::routes
