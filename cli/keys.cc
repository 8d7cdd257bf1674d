// jopayctl keys create|list|revoke
#include <ostream>

#include "cli/handlers.h"
#include "cli/request_shapes.h"

namespace jopay::cli {

namespace json = boost::json;

// The table form prints the secret alone on stdout (KEY=$(jopayctl keys
// create) works); every form says on stderr that it will not be shown again.
Status KeysCreate(Invocation& inv) {
  json::object body;
  if (inv.Has("read-only")) body["read_only"] = true;
  auto answer = inv.Call("POST", Target({"v1", "keys"}), RequestBody::Json(body));
  if (!answer.ok()) return answer.status();
  JOPAY_RETURN_IF_ERROR(ExpectObject(*answer));
  const json::value* secret = answer->as_object().if_contains("secret");
  if (inv.out().format() == Format::kTable && secret && secret->is_string()) {
    inv.out().stream() << std::string_view(secret->as_string()) << '\n';
  } else {
    inv.out().Object(*answer);
  }
  inv.err() << "jopayctl: this is the only time the key's secret is shown; store it now.\n";
  return Status::Ok();
}

Status KeysList(Invocation& inv) { return ListAndPrint(inv, {"v1", "keys"}, {}, "api_key"); }

Status KeysRevoke(Invocation& inv) {
  return PostAndPrint(inv, {"v1", "keys", inv.Get("ID"), "revoke"});
}

}  // namespace jopay::cli
