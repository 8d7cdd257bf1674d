// Internal to daemon/pages: page handlers answer an unexpected exception with an HTML 500 page
// (logged), not the JSON error the public face's generic guard would send.
#pragma once

#include <exception>

#include "common/log.h"
#include "daemon/pages/page.h"
#include "daemon/public/context.h"

namespace jopay::pages {

template <pub::OpenFn Handler>
void HtmlGuarded(pub::Context& c, http::Request& req, http::Respond respond) {
  try {
    Handler(c, req, respond);
  } catch (const std::exception& e) {
    LogError("{} {}: {}", req.method, req.path, e.what());
    respond(MessagePage(500, false, "Something went wrong",
                        "The page could not be shown. Please try again later."));
  }
}

}  // namespace jopay::pages
