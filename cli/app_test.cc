#include "cli/app.h"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include "cli/fake_daemon.h"

namespace jopay::cli {

namespace json = boost::json;

namespace {

bool Has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

json::value Body(const RecordedCall& c) { return json::parse(c.body.bytes); }

}  // namespace

TEST_CASE("app: --live with a destructive command and no terminal refuses, exit 2") {
  Harness h;
  CHECK(h.Run({"--live", "subscriptions", "cancel", "sub_1"}) == 2);
  CHECK(Has(h.err(), "jopayctl: error: refusing"));
  CHECK(Has(h.err(), "--confirm"));
  CHECK(h.daemon.calls.empty());
}

TEST_CASE("app: --live with --confirm goes ahead, in live mode") {
  Harness h;
  CHECK(h.Run({"--live", "subscriptions", "cancel", "sub_1", "--confirm", "--immediate"}) == 0);
  REQUIRE(h.daemon.calls.size() == 1);
  CHECK(h.daemon.calls[0].live);
  CHECK(h.daemon.calls[0].target == "/v1/subscriptions/sub_1/cancel");
  CHECK(Body(h.daemon.calls[0]) == json::parse(R"({"immediate": true})"));
}

TEST_CASE("app: on a terminal, --live asks and needs a typed yes") {
  Harness yes;
  yes.env.in_tty = yes.env.err_tty = true;
  yes.in.str("yes\n");
  CHECK(yes.Run({"keys", "revoke", "key_1", "--live"}) == 0);
  CHECK(Has(yes.err(), "Type yes to continue"));
  CHECK(yes.daemon.calls.size() == 1);

  Harness no;
  no.env.in_tty = no.env.err_tty = true;
  no.in.str("y\n");
  CHECK(no.Run({"--live", "plans", "archive", "plan_1"}) == 2);
  CHECK(no.daemon.calls.empty());
}

TEST_CASE("app: test mode needs no confirmation; reads are never asked about") {
  Harness h;
  CHECK(h.Run({"subscriptions", "pause", "sub_1"}) == 0);
  CHECK_FALSE(h.daemon.calls[0].live);
  Harness live_read;
  live_read.daemon.Answer(R"({"object": "list", "data": [], "has_more": false})");
  CHECK(live_read.Run({"--live", "plans", "list"}) == 0);
  CHECK(live_read.daemon.calls[0].live);
}

TEST_CASE("app: parse errors are usage errors, exit 2") {
  Harness h;
  CHECK(h.Run({"plans", "create", "--name", "Pro", "--amount", "14.99", "--currency", "eur",
               "--interval", "month"}) == 2);
  CHECK(Has(h.err(), "jopayctl: error: --amount: must be a whole number"));
  CHECK(Harness().Run({"plans", "frobnicate"}) == 2);
  CHECK(Harness().Run({"plans", "create", "--name", "x"}) == 2);  // required options
  CHECK(Harness().Run({"plans", "create", "--name", "P", "--amount", "1", "--currency", "eur",
                       "--interval", "fortnight"}) == 2);
  CHECK(Harness().Run({"subscriptions", "create", "--plan", "p", "--email", "e", "--metadata",
                       "novalue"}) == 2);
  CHECK(Harness().Run({"-o", "yaml", "status"}) == 2);
  CHECK(Harness().Run({"clock", "advance", "soon"}) == 2);
  Harness noun;
  CHECK(noun.Run({"subscriptions"}) == 2);
  CHECK(Has(noun.err(), "subscriptions needs a command: create, list"));
}

TEST_CASE("app: a mistyped command says what was meant, exit 2, and calls nothing") {
  Harness noun;
  CHECK(noun.Run({"subscriptoins", "list"}) == 2);
  CHECK(Has(noun.err(), "unknown command: subscriptoins; did you mean subscriptions?"));
  CHECK(noun.daemon.calls.empty());
  Harness verb;
  CHECK(verb.Run({"subscriptions", "lsit"}) == 2);
  CHECK(Has(verb.err(), "unknown subscriptions command: lsit; did you mean list?"));
  Harness top;
  CHECK(top.Run({"renwe"}) == 2);
  CHECK(Has(top.err(), "did you mean renew?"));
  Harness far;
  CHECK(far.Run({"quotes", "list"}) == 2);
  CHECK(Has(far.err(), "unknown command: quotes\n"));
}

TEST_CASE("app: --help and --version exit 0 on stdout") {
  Harness h;
  CHECK(h.Run({"--help"}) == 0);
  CHECK(Has(h.out(), "subscriptions"));
  Harness v;
  CHECK(v.Run({"--version"}) == 0);
  CHECK(Has(v.out(), "jopayctl 0."));
  Harness sub;
  CHECK(sub.Run({"plans", "create", "--help"}) == 0);
  CHECK(Has(sub.out(), "--interval"));
}

TEST_CASE("app: the socket is --socket, else $JOPAY_SOCKET, else ./var/jopayd.sock") {
  Harness h;
  h.Run({"status"});
  CHECK(h.socket_used == "./var/jopayd.sock");
  Harness e;
  e.env.socket_env = "/run/jopay/admin.sock";
  e.Run({"status"});
  CHECK(e.socket_used == "/run/jopay/admin.sock");
  e.Run({"status", "--socket", "/tmp/s"});
  CHECK(e.socket_used == "/tmp/s");
}

TEST_CASE("app: plans create sends typed fields, currency lowercased") {
  Harness h;
  h.daemon.Answer(R"({"id": "plan_1", "object": "plan"})");
  CHECK(h.Run({"plans", "create", "--name", "Pro", "--amount", "1499", "--currency", "EUR",
               "--interval", "month", "--grace-days", "3", "-o", "id"}) == 0);
  CHECK(h.daemon.calls[0].method == "POST");
  CHECK(h.daemon.calls[0].target == "/v1/plans");
  CHECK(h.daemon.calls[0].body.content_type == "application/json");
  CHECK(Body(h.daemon.calls[0]) == json::parse(R"({"name": "Pro", "amount": 1499,
        "currency": "eur", "interval": "month", "grace_period_days": 3})"));
  CHECK(h.out() == "plan_1\n");
}

TEST_CASE("app: subscriptions create collects repeated --metadata") {
  Harness h;
  CHECK(h.Run({"subscriptions", "create", "--plan", "plan_1", "--email", "a@b.c",
               "--metadata", "team=blue", "--metadata", "seat=4"}) == 0);
  CHECK(Body(h.daemon.calls[0]).at("metadata") == json::parse(R"({"team":"blue","seat":"4"})"));
}

TEST_CASE("app: list filters become an encoded query, with the default limit") {
  Harness h;
  h.daemon.Answer(R"({"object": "list", "data": [], "has_more": false})");
  CHECK(h.Run({"subscriptions", "list", "--status", "past_due", "--email", "a+b@x.io"}) == 0);
  CHECK(h.daemon.calls[0].target ==
        "/v1/subscriptions?status=past_due&email=a%2Bb%40x.io&limit=100");
  Harness plans;
  plans.Run({"plans", "list", "--include-archived", "--limit", "5", "--starting-after",
             "plan_9"});
  CHECK(plans.daemon.calls[0].target == "/v1/plans?limit=5&starting_after=plan_9");
  Harness active;
  active.Run({"plans", "list"});
  CHECK(active.daemon.calls[0].target == "/v1/plans?active=true&limit=100");
}

TEST_CASE("app: when there are more results, stderr says how to get them") {
  Harness h;
  h.daemon.Answer(R"({"object": "list", "has_more": true, "data": [
      {"id": "evt_2", "object": "event"}, {"id": "evt_1", "object": "event"}]})");
  CHECK(h.Run({"events", "list", "-o", "id"}) == 0);
  CHECK(h.out() == "evt_2\nevt_1\n");
  CHECK(Has(h.err(), "--starting-after evt_1"));
}

TEST_CASE("app: daemon errors map to exit codes and print message and param") {
  Harness h;
  h.daemon.Fail(Status::NotFound("no such subscription: sub_x", "id"));
  CHECK(h.Run({"subscriptions", "get", "sub_x"}) == 4);
  CHECK(h.err() == "jopayctl: error: no such subscription: sub_x (param: id)\n");
  Harness card;
  card.daemon.Fail(StatusFromHttp(402, "", R"({"error": {"code": "card_declined",
      "message": "your card was declined", "param": "card"}})"));
  CHECK(card.Run({"subscriptions", "create", "--plan", "p", "--email", "e@x.io"}) == 5);
}

TEST_CASE("app: customers get takes an email as a path segment") {
  Harness h;
  h.Run({"customers", "get", "ann+x@example.com"});
  CHECK(h.daemon.calls[0].target == "/v1/customers/ann+x@example.com");
}

TEST_CASE("app: backup sends an absolute path, resolved against jopayctl's cwd") {
  Harness h;
  h.daemon.Answer(R"({"path": "/home/op/b.db", "bytes": 4096})");
  CHECK(h.Run({"backup", "b.db"}) == 0);
  CHECK(Body(h.daemon.calls[0]) == json::parse(R"({"path": "/home/op/b.db"})"));
  CHECK(h.out() == "path   /home/op/b.db\nbytes  4096\n");
}

TEST_CASE("app: keys create prints the secret alone, with a note on stderr") {
  Harness h;
  h.daemon.Answer(R"({"id": "key_1", "object": "api_key", "secret": "sk_test_abc"})");
  CHECK(h.Run({"keys", "create", "--read-only"}) == 0);
  CHECK(Body(h.daemon.calls[0]) == json::parse(R"({"read_only": true})"));
  CHECK(h.out() == "sk_test_abc\n");
  CHECK(Has(h.err(), "only time"));
}

TEST_CASE("app: renew prints the summary with money per currency") {
  Harness h;
  h.daemon.Answer(R"({"dry_run": false, "now": "2025-01-31T10:00:00Z", "renewed": 2,
      "failed": 1, "retried": 0, "expired": 0, "reminders": 3, "charged": {"eur": 2998}})");
  CHECK(h.Run({"renew"}) == 0);
  CHECK(Body(h.daemon.calls[0]) == json::parse(R"({"dry_run": false})"));
  CHECK(h.out() ==
        "now        2025-01-31T10:00:00Z\n"
        "renewed    2\n"
        "failed     1\n"
        "retried    0\n"
        "expired    0\n"
        "reminders  3\n"
        "charged    29.98 EUR\n");
}

TEST_CASE("app: clock advance posts the duration and prints what fired") {
  Harness h;
  h.daemon.Answer(R"({"mode": "manual", "now": "2025-02-04T10:00:00Z", "fired": {
      "renewed": 1, "failed": 0, "retried": 0, "expired": 0, "reminders": 0, "charged": {}}})");
  CHECK(h.Run({"clock", "advance", "4d"}) == 0);
  CHECK(h.daemon.calls[0].target == "/v1/clock/advance");
  CHECK(Body(h.daemon.calls[0]) == json::parse(R"({"by": "4d"})"));
  CHECK(Has(h.out(), "clock      manual\n"));
  CHECK(Has(h.out(), "charged    nothing\n"));
}

TEST_CASE("app: status against a missing socket is unreachable, exit 8") {
  Harness h;
  const char* argv[] = {"jopayctl", "--socket", "/nonexistent/jopayd.sock", "status"};
  CHECK(Run(4, argv, h.env, ConnectToSocket) == 8);
  CHECK(h.err() ==
        "jopayctl: error: cannot reach jopayd at /nonexistent/jopayd.sock: No such file or "
        "directory (is it running?)\n");
}

TEST_CASE("app: completion prints a script without touching the daemon") {
  Harness h;
  CHECK(h.Run({"completion", "fish"}) == 0);
  CHECK(Has(h.out(), "complete -c jopayctl"));
  CHECK(h.daemon.calls.empty());
}

}  // namespace jopay::cli
