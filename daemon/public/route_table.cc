// How public routes are registered (context.h): API routes check the key and replay a used
// Idempotency-Key before the handler runs; open routes only have the exception guard.
#include "daemon/public/context.h"
#include "daemon/public/idempotency.h"


namespace jopay::pub {

Status RequireJsonBody(const http::Request& req) {
  if (req.body.empty()) return Status::Ok();  // a bodiless POST (cancel) needs no type
  const std::string type = req.MediaType();
  if (type == "application/json" || (type.starts_with("application/") && type.ends_with("+json"))) {
    return Status::Ok();
  }
  // A form or text/plain post is what a page of another site can send without asking: JSON
  // routes refuse it, so no cross-site form can call them.
  return Status::Make(Status::Kind::kUnsupportedMedia, "content_type_unsupported",
                      "Send the body as JSON with Content-Type: application/json.");
}

void AddApiRoute(http::Router& r, Context& c, const char* method, const char* path, ApiFn fn) {
  r.Add(method, path, routes::Guarded([&c, fn](http::Request& req, http::Respond respond) {
          if (Status st = RequireJsonBody(req); !st.ok()) return respond(ErrorAnswer(st));
          auto caller = Authenticate(c, req);
          if (!caller.ok()) return respond(ErrorAnswer(caller.status()));
          if (auto answer = IdempotentAnswer(c, *caller, req)) return respond(std::move(*answer));
          fn(c, *caller, req, std::move(respond));
        }));
}

void AddOpenRoute(http::Router& r, Context& c, const char* method, const char* path, OpenFn fn,
                  routes::ExceptionAnswer on_exception) {
  r.Add(method, path,
        routes::Guarded(
            [&c, fn](http::Request& req, http::Respond respond) { fn(c, req, std::move(respond)); },
            on_exception));
}

Status RequireCardProvider(Context& c, bool livemode) {
  if (c.engine.CardProvider(livemode)) return Status::Ok();
  return Status::Invalid(
      "Live mode has no payment provider configured (stripe-live-secret-key): a live checkout "
      "could not take a payment.",
      "", "provider_unavailable");
}

Result<routes::Page> ParsePage(const http::Request& req) { return routes::ParsePage(req, 10, 100); }

void AddPublicRoutes(http::Router& r, Context& c) {
  AddCheckoutSessionRoutes(r, c);
  AddCheckoutSubscriptionRoutes(r, c);
  AddCheckoutInvoiceRoutes(r, c);
  AddLnbitsRoutes(r, c);
  AddEventopRoutes(r, c);
  AddProviderCallbackRoutes(r, c);
  AddPushCallbackRoutes(r, c);
  AddPayPalCallbackRoutes(r, c);
}

}  // namespace jopay::pub
