// A public face of jopayd on a fresh store, for the fuzz targets that send it requests
// (public_http_fuzz.cc, hosted_form_fuzz.cc): the router jopayd serves on its TCP port
// (AddPublicFaceRoutes) over a real store, writer, engine and scheduler, in test mode with the
// sandbox cards and a manual clock, so that nothing expires during a run and a replayed input
// meets the same state.
//
// The store is made with two test API keys (full and read-only), plans with fixed ids, an
// active and a trialing subscription, a portal link, and a pending checkout session of each
// mode. Keys and most ids are random, so requests name them by placeholders, replaced in the
// target, the header values and the body before dispatch (after Beast has framed the bytes,
// so a Content-Length stays right):
//   ~KEY~ ~RKEY~        sk_test_ and rk_test_ keys
//   ~SUB~ ~TRIALSUB~    the active and the trialing subscription
//   ~PORTAL~            a portal token of ~SUB~ (return_url https://shop.example/account)
//   ~SESSION~ ~FORM~    a pending payment session and its checkout form token
//   ~SUBSESSION~ ~SUBFORM~  a pending subscription session and its form token
// Plan ids are literal: plan_FuzzMonthPlan00000000001 (eur 1499 a month),
// plan_FuzzTrialPlan00000000002 (usd 900 a week, 7-day trial), plan_FuzzYearPlan000000000003
// (jpy 12000 every 2 years), plan_FuzzSatsPlan000000000004 (sat 21000 a day).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "daemon/http/message.h"
#include "daemon/public/context.h"
#include "daemon/store/store.h"

namespace jopay::fuzz {

class Face {
 public:
  Face();
  ~Face();
  Face(const Face&) = delete;
  Face& operator=(const Face&) = delete;

  // Answers `req` as connection.cc does once Beast has read it: ParseTarget (a bad target is
  // answered with its error), Router::Dispatch, then waits for the one answer, which may come
  // from the writer thread. A handler that throws, answers twice, drops its Respond without
  // answering, or has not answered after 60 s breaks an invariant (the run stops).
  http::Response Serve(http::Request req);

  // `text` with every placeholder replaced by its value.
  std::string Substitute(std::string text) const;
  // A placeholder's value ("~SESSION~" -> "cs_...").
  const std::string& Value(const std::string& placeholder) const;

  // A fresh pending checkout session (payment mode like ~SESSION~, or subscription mode like
  // ~SUBSESSION~), for an input that pays one: the shared ones are paid once and for all.
  std::string PendingSession(bool subscription_mode);

  pub::Context& context();
  Store& store();
  const std::string& dir() const { return dir_; }

 private:
  struct Parts;
  std::string dir_;
  std::unique_ptr<Parts> parts_;
  std::map<std::string, std::string> values_;
};

// The face for this run: made at first use and made again, on a fresh store, every
// `runs_per_store` calls, so that state the inputs pile up (sessions paid, subscriptions
// canceled, rows added) stays small and the store does not grow through a long run.
Face& CurrentFace(int runs_per_store);

// The invariants of every answer of the public face: a status from 200 to 499 (nothing an
// outsider sends may cause a server error); safe header names and values (no CR, LF or NUL);
// JSON answers valid UTF-8 JSON, errors in the shape {"error": {"code", "message", "param"}}
// with a short, printable message, a 401 with WWW-Authenticate; HTML answers valid UTF-8;
// a redirect with its Location, a 405 with its Allow.
void CheckAnswer(const http::Request& req, const http::Response& r);

}  // namespace jopay::fuzz
