// The billing engine: the subscription rules (renewal.h, transitions.h) applied to stored subscriptions.
//
// Every method here runs on the writer thread, inside a writer job (so inside a SAVEPOINT of a
// group-committed transaction): a subscription's new state, its payment rows and its events
// commit together or not at all. Routes and the scheduler wrap these in Writer::Submit/Run.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/billing/invoices.h"
#include "daemon/billing/plans.h"
#include "daemon/billing/renewal.h"
#include "daemon/billing/subscription.h"
#include "daemon/billing/transitions.h"
#include "daemon/clock/clock.h"
#include "daemon/providers/provider.h"
#include "daemon/providers/push_provider.h"
#include "daemon/billing/push_renewal.h"
#include "daemon/store/db.h"

namespace jopay {

struct NewSubscription {
  std::string plan_id;
  std::string email;  // normalized
  std::string name;
  std::optional<std::string> card;
  std::optional<int> trial_days;  // overrides the plan's
  std::string metadata = "{}";    // validated JSON object
};

// The payment providers of both modes. Test mode without a card provider of its own takes
// sandbox cards; live mode has only what is configured.
struct Providers {
  std::unique_ptr<Provider> sandbox;     // test mode: the test cards (providers/sandbox.h)
  std::unique_ptr<Provider> test_cards;  // Stripe in test mode, when configured
  std::unique_ptr<Provider> live_cards;  // Stripe in live mode, when configured
  // "solana": Eventop subscriptions, renewed by reading their account through the mode's
  // Solana node (providers/solana/provider.h); in test mode without a node, the sandbox.
  std::unique_ptr<Provider> test_chain;
  std::unique_ptr<Provider> live_chain;
  // "paypal": PayPal wallets saved at a checkout, charged merchant-initiated (when configured).
  std::unique_ptr<Provider> test_wallets;
  std::unique_ptr<Provider> live_wallets;
  // Push rails (Lightning, on-chain): test mode's sandbox invoices and addresses, and the
  // Lightning / Bitcoin server configured for each mode (BTCPay or SatsPay), if any.
  std::unique_ptr<PushProvider> sandbox_push;
  std::unique_ptr<PushProvider> test_push;
  std::unique_ptr<PushProvider> live_push;
};

class Engine {
 public:
  Engine(Policy policy, Providers providers);

  const Policy& policy() const { return policy_; }
  // Set once at start, when the public face's address is known (before any due run).
  void set_public_url(std::string url) { policy_.public_url = std::move(url); }
  // Who the invoices name as issuer (merchant-* config keys) and their number prefix. Set at
  // start and on reload, before any job bills.
  const InvoiceIssuer& invoice_issuer() const { return issuer_; }
  void set_invoice_issuer(InvoiceIssuer issuer) { issuer_ = std::move(issuer); }
  // The provider named `name` in this mode (a saved method's), or nullptr.
  Provider* ProviderFor(bool livemode, std::string_view name) const;
  // Whether that provider answers in-process (refunds settle at once), or nullopt when it is
  // not configured: what CreditInvoice asks of the provider that was paid.
  std::optional<bool> AnswersAtOnce(bool livemode, std::string_view name) const;
  // The provider that takes new cards in this mode: Stripe when configured, else (test mode)
  // the sandbox; nullptr in live mode without one.
  Provider* CardProvider(bool livemode) const;
  // The push provider named `name` in this mode (a push subscription's), or nullptr.
  PushProvider* PushProviderFor(bool livemode, std::string_view name) const;
  // The provider that takes new subscriptions on push rail `rail` in this mode: test mode's
  // configured server when it offers the rail, else (test mode) the sandbox; nullptr when none.
  PushProvider* PushRailProvider(bool livemode, std::string_view rail) const;
  // A card number saved through the mode's card provider: the sandbox takes test card numbers;
  // Stripe takes none (kInvalid "card_numbers_not_accepted": cards go through its Checkout);
  // live mode without a provider -> kInvalid "provider_unavailable".
  Result<SavedCard> AttachCardNumber(bool livemode, const std::string& number) const;

  // Creates the customer if new, saves the card, starts the subscription. When the first
  // charge fails the incomplete subscription is still saved (job succeeds) and
  // `payment_status` carries the decline.
  Status Create(Db& db, bool livemode, const NewSubscription& req, UnixSeconds now,
                Subscription* out, Status* payment_status);
  // Create with a card already saved by a provider's hosted checkout. With `paid_ref` the
  // customer also paid the first period there (recorded as paid under that reference, never
  // charged again); without, the subscription must start with a trial.
  Status CreateWithCard(Db& db, bool livemode, const NewSubscription& req,
                        const std::optional<SavedCard>& card,
                        const std::optional<std::string>& paid_ref, UnixSeconds now,
                        Subscription* out, Status* payment_status);
  // A subscription waiting for its first payment (POST /public/subscribe): the customer is
  // found or created and the subscription stored `incomplete` with no card, no event, ending
  // silently at `expires_at` unless StartPending starts it first. `req.card` is ignored.
  Status CreatePending(Db& db, bool livemode, const NewSubscription& req, UnixSeconds expires_at,
                       UnixSeconds now, Subscription* out);
  // Starts a pending subscription as Create would: attaches `card`, then starts the trial
  // (trial_days, else the plan's) or charges the first period (subscription.created). A
  // declined first charge still succeeds with `payment_status` carrying the decline. Anything
  // but an incomplete subscription -> kConflict ("subscription_not_pending").
  Status StartPending(Db& db, bool livemode, const std::string& id, const std::string& card,
                      std::optional<int> trial_days, UnixSeconds now, Subscription* out,
                      Status* payment_status);
  // Starts a pending subscription (CreatePending) on push rail `rail`: with a trial
  // (trial_days, else the plan's) it starts now as trialing (subscription.created; `payment_id` stays empty);
  // otherwise its first charge is asked for, payable for `expires_in` seconds, and the
  // subscription starts when that is paid (ApplyPushPaid). No provider for the rail in this
  // mode -> kInvalid "payment_method_unavailable"; not incomplete -> kConflict.
  Status StartPushPending(Db& db, bool livemode, const std::string& id, std::string_view rail,
                          std::optional<int> trial_days, int64_t expires_in, UnixSeconds now,
                          Subscription* out, std::string* payment_id);
  // A push charge is paid (its provider, read back, says so; or the sandbox's test payment):
  // the payment is settled paid and what it pays moves on (push_renewal.h ApplyPushPayment):
  // a first payment starts its subscription, an open period renews, one paid ahead waits for
  // its period; a subscription that moved on keeps it as unapplied (payment.unapplied). A
  // payment already paid is left as it is (`*applied` unset). Not a pending push charge ->
  // kConflict "payment_not_payable".
  Status ApplyPushPaid(Db& db, const std::string& payment_id, bool livemode,
                       int64_t received_sats, UnixSeconds now,
                       std::optional<PushApplied>* applied, Summary* summary);
  // The answer (paid or declined) to a network charge that was sent: settles the pending
  // payment and moves its subscription on (renewal.h ApplyChargeAnswer) when it still waits
  // for it. A payment already settled is left as it is (the same answer came twice).
  Status ApplyChargeAnswer(Db& db, const std::string& payment_id, bool livemode,
                           const ChargeAnswer& answer, UnixSeconds now, Summary* summary);
  // StartPending with a card a provider's hosted checkout saved (and paid with, `paid_ref`).
  Status StartPendingWithCard(Db& db, bool livemode, const std::string& id,
                              const SavedCard& card, const std::optional<std::string>& paid_ref,
                              std::optional<int> trial_days, UnixSeconds now, Subscription* out,
                              Status* payment_status);
  Status Cancel(Db& db, bool livemode, const std::string& id, bool immediate,
                std::optional<std::string> reason, UnixSeconds now, Subscription* out);
  Status Pause(Db& db, bool livemode, const std::string& id, UnixSeconds now, Subscription* out);
  Status Resume(Db& db, bool livemode, const std::string& id, UnixSeconds now, Subscription* out);
  // Replaces the saved card and/or the metadata (subscription.updated). A new card on a
  // past_due subscription retries the unpaid period at once.
  Status Update(Db& db, bool livemode, const std::string& id, const std::optional<std::string>& card,
                const std::optional<std::string>& metadata, UnixSeconds now, Subscription* out);
  // Replaces the card with one a provider saved (the portal's card update through Stripe);
  // like Update, a past_due subscription retries its open period at once.
  Status UpdateWithCard(Db& db, bool livemode, const std::string& id, const SavedCard& card,
                        UnixSeconds now, Subscription* out);
  // A payment recorded failed that the provider now reports paid (the customer authenticated
  // it on-session later): paid, and the period it was for, if the subscription still dunns
  // for it, is paid (subscription.renewed). Otherwise only the payment changes (logged).
  Status ApplyLateSuccess(Db& db, const std::string& payment_id, bool livemode,
                          const std::string& provider_ref, UnixSeconds now);
  // A saved method changed at its provider: detached (the subscriptions that used it lose it,
  // so their next charge fails and dunning asks for a new card) or its card details updated
  // (card.provider_ref names it). subscription.updated for each subscription using it.
  Status ProviderMethodChanged(Db& db, bool livemode, const SavedCard& card, bool detached,
                               UnixSeconds now);
  // Archives the plan and cancels its subscriptions at period end; changes scheduled to move
  // subscriptions to it are dropped (engine_plan_change.h).
  Status ArchivePlan(Db& db, bool livemode, const std::string& id, UnixSeconds now, Plan* out,
                     int64_t* canceled);

  struct DueRun {
    int64_t processed = 0;  // rows of `due` run, from the front
    // No row it ran was scheduled again at or before `until`: no later batch of this window
    // will see those rows again.
    bool ran_left_window = true;
    // It stopped because `yield` asked; the rows from `processed` on were not touched.
    bool yielded = false;
  };
  // Runs the due actions of `due` (rows of LoadDue/LoadDueAfter, in due order). With
  // use_due_time each runs at its own due time (manual clock: as if the daemon had been
  // there) unless it was already overdue at `now`, the window's start; otherwise, and for the
  // overdue ones, at `now`. An action missed by more than a minute counts in
  // summary.work["caught_up"]; the retries and expiry it schedules are spaced from when it
  // ran. Stops early where a row it ran was scheduled again inside the window before the next
  // row's time, so that every action runs in time order. Stops early too when `yield` (asked
  // every few rows, once at least one row ran) says other work is waiting for the writer.
  DueRun RunDueRows(Db& db, std::vector<Subscription>& due, UnixSeconds until, bool use_due_time,
                    UnixSeconds now, Summary& summary,
                    const std::function<bool()>& yield = nullptr);
  // What RunDueRows would do to `s` up to `until`, computed in memory: nothing is written,
  // and only simulated providers are asked (a live provider's charge is assumed to succeed).
  void Simulate(Subscription s, UnixSeconds until, bool use_due_time, UnixSeconds now,
                Summary& summary) const;

 private:
  Status UpdateSubscription(Db& db, bool livemode, const std::string& id,
                            const std::optional<SavedCard>& card,
                            const std::optional<std::string>& metadata, UnixSeconds now,
                            Subscription* out);

  Policy policy_;
  InvoiceIssuer issuer_;
  Providers providers_;
};

}  // namespace jopay
