#include "daemon/public_face.h"

#include <boost/json.hpp>

#include "daemon/email/unsubscribe.h"
#include "daemon/pages/pages.h"

namespace jopay {

void AddPublicFaceRoutes(http::Router& router, pub::Context& c) {
  router.Add("GET", "/healthz", [](http::Request&, http::Respond respond) {
    respond(http::JsonResponse(200, boost::json::object{{"ok", true}}));
  });
  pub::AddPublicRoutes(router, c);
  pages::AddPageRoutes(router, c);  // hosted checkout page and customer portal
  email::AddUnsubscribeRoutes(router, c);  // reminders' List-Unsubscribe
}

}  // namespace jopay
