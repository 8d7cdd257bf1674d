// The route kit: what every HTTP face of jopayd (the admin socket, the public API, the hosted
// pages, the payment providers' callbacks) builds its routes from, so that each face writes
// only what is its own (how it authenticates, which mode a request is in, how it shows an
// error).
//
// A route handler parses and checks its input on an io thread, then either answers from a
// read connection or hands one job to the writer (WriteThen) and answers once the job has
// committed. Errors become the JSON error answer here, once; an exception in a handler
// becomes a 500 answer (Guarded), never a dropped connection.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "daemon/auth/key_cache.h"
#include "daemon/billing/engine.h"
#include "daemon/charges/charge_sender.h"
#include "daemon/clock/clock.h"
#include "daemon/http/message.h"
#include "daemon/providers/stripe/provider.h"
#include "daemon/scheduler/scheduler.h"
#include "daemon/store/store.h"

namespace jopay::routes {

// The daemon's parts that routes work with. Each face's Context extends it.
struct Services {
  Store& store;
  Engine& engine;
  Scheduler& scheduler;
  Clock& clock;
  ApiKeyCache& api_keys;  // invalidated after a key changes
  ChargeSender& charges;
  stripe::Accounts stripe;
};

// What a handler knows of the request it serves: the mode it acts in (test or live; each face
// decides how) and the billing clock's time it acts at.
struct Call {
  bool livemode = false;
  UnixSeconds now = 0;
};

// A page of a list: `limit` (1..max_limit, default_limit when absent) and `starting_after`
// (an id; "" = from the newest) from the query. A bad limit -> kInvalid naming "limit".
struct Page {
  int limit = 0;
  std::string starting_after;
};
Result<Page> ParsePage(const http::Request& req, int default_limit, int max_limit);
// {"object": "list", "data": [...], "has_more": bool}. `items` holds up to limit + 1 views (the
// extra one only says that there is more; it is dropped).
boost::json::object ListAnswer(boost::json::array items, int limit);
// Query parameters other than `known` -> kInvalid naming the first ("parameter_unknown").
Status RejectUnknownQuery(const http::Request& req, std::initializer_list<std::string_view> known);
// The query parameter `name`, "" when absent.
std::string QueryValue(const http::Request& req, const std::string& name);

// `v` as a JSON answer (200 unless told otherwise).
http::Response Ok(const boost::json::value& v, int status = 200);

// A 500 answer for an exception a handler let escape: JSON by default; the hosted pages
// answer an HTML page instead.
using ExceptionAnswer = http::Response (*)();
http::Response JsonInternalError();
// Wraps `h` so that an exception it throws is logged and answered with `on_exception()`.
http::Handler Guarded(http::Handler h, ExceptionAnswer on_exception = JsonInternalError);

// Answers kept with the change they answer: the public API's Idempotency-Key (public/
// idempotency.h). Both calls run on the writer, inside the route's job.
class AnswerKeeper {
 public:
  virtual ~AnswerKeeper() = default;
  // Before the job: the answer already kept for this request, if any (the job then does not
  // run, and this answer is sent instead).
  virtual std::optional<http::Response> Kept(Db& db) = 0;
  // After the job succeeded: keep its answer, in the same transaction.
  virtual void Keep(Db& db, int status, const std::string& body) = 0;
};

struct WriteOptions {
  int status = 200;
  // Runs once the job has committed, before the answer is sent: side effects that must not
  // run before the change is visible (a key cache invalidated, a dispatcher told).
  std::function<void()> after_commit;
  std::shared_ptr<AnswerKeeper> keeper;
};

// Options that only set the answer's status (201 for a creation).
inline WriteOptions WithStatus(int status) {
  WriteOptions o;
  o.status = status;
  return o;
}

// Runs `job` on the writer. When it succeeds, `answer()` renders the answer inside the same job
// (from the state the job left) and it is sent after the commit; when it fails, or the commit
// does, its error is the answer and nothing is changed.
void WriteThen(Writer& writer, http::Respond respond, Writer::Job job,
               std::function<boost::json::value()> answer, WriteOptions options = {});

// The same for the common shape "the job fills a T, the answer is a view of it".
template <class T>
void WriteValue(Writer& writer, http::Respond respond, std::function<Status(Db&, T&)> job,
                std::function<boost::json::value(const T&)> view, WriteOptions options = {}) {
  auto value = std::make_shared<T>();
  WriteThen(
      writer, std::move(respond),
      [value, job = std::move(job)](Db& db) { return job(db, *value); },
      [value, view = std::move(view)] { return view(*value); }, std::move(options));
}

}  // namespace jopay::routes
