#include "cli/exit_code.h"

#include <doctest/doctest.h>

#include <sstream>

#include "cli/admin_client.h"

namespace jopay::cli {

TEST_CASE("exit codes follow the daemon's HTTP statuses as documented") {
  auto code = [](int http) { return ExitCodeFor(StatusFromHttp(http, "", "{}")); };
  CHECK(code(200) == 0);
  CHECK(code(201) == 0);
  CHECK(code(400) == 5);
  CHECK(code(402) == 5);
  CHECK(code(409) == 5);
  CHECK(code(413) == 5);
  CHECK(code(404) == 4);
  CHECK(code(401) == 3);
  CHECK(code(403) == 3);
  CHECK(code(500) == 1);
  CHECK(code(405) == 1);
}

TEST_CASE("exit codes: usage 2, unreachable 8") {
  CHECK(ExitCodeFor(UsageError("x")) == 2);
  CHECK(ExitCodeFor(Status::Unavailable("no socket")) == 8);
  CHECK(ExitCodeFor(Status::Ok()) == 0);
}

TEST_CASE("errors print as 'jopayctl: error:' with the param when known") {
  std::ostringstream err;
  PrintError(err, Status::Invalid("amount must be positive", "amount"));
  PrintError(err, Status::NotFound("no such plan"));
  CHECK(err.str() ==
        "jopayctl: error: amount must be positive (param: amount)\n"
        "jopayctl: error: no such plan\n");
}

}  // namespace jopay::cli
