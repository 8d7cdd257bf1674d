// BTCPay Server as a push provider: an invoice per payment in the configured store, limited to
// the rail's payment method, read back with its payment methods for the BOLT11 / address, the
// sats due and paid, and the rate. Shapes: invoice.h; callbacks: webhook.h and signature.h.
#pragma once

#include <mutex>
#include <string>

#include "daemon/http/client.h"
#include "daemon/providers/btcpay/invoice.h"
#include "daemon/providers/json_api.h"
#include "daemon/providers/push_provider.h"

namespace jopay::btcpay {

struct Account {
  std::string api_base;        // the BTCPay server ("https://btcpay.example"); tests: a stand-in
  std::string api_key;         // a Greenfield API key (Authorization: token ...)
  std::string store_id;        // the store whose invoices these are
  std::string webhook_secret;  // the store webhook's secret: checks BTCPay-Sig
  bool livemode = false;
  int max_in_flight = 16;      // requests on the wire at once
};

class BtcPayProvider : public PushProvider {
 public:
  explicit BtcPayProvider(Account account);
  ~BtcPayProvider() override { client_.Stop(); }  // no callback may outlive api_

  std::string_view name() const override { return "btcpay"; }
  bool instant() const override { return false; }
  // POST /api/v1/stores/{storeId}/invoices, then its payment methods. kRefused without a
  // request when the invoice cannot be asked for (InvoiceBody). Once the invoice exists, a
  // failed read of its payment methods is kUnknown with the provider_ref: read it back
  // (ReadCharge), never create another. BTCPay takes no idempotency key: a create with no
  // answer may have made an invoice (metadata.orderId = the payment id finds it).
  void CreateCharge(const PushChargeRequest& request, Done done) override;
  // GET /api/v1/invoices/{invoiceId} and its payment methods. An invoice of another store,
  // or a charge of the other mode, is refused.
  void ReadCharge(const std::string& provider_ref, bool livemode, Done done) override;
  void Shutdown() override { client_.Stop(); }

  // True when `btcpay_sig` signs `raw_body` under the webhook secret in force.
  bool CallbackSigned(std::string_view raw_body, std::string_view btcpay_sig) const;
  // A reload's rolled key and webhook secret, in force from now on. Thread-safe.
  void SetSecrets(std::string api_key, std::string webhook_secret);

 private:
  // GET payment-methods of the invoice in `invoice_body`, then the combined answer.
  void ReadMethods(boost::json::value invoice_body, const PushChargeRequest* asked, Done done);

  std::string store_id_;
  bool livemode_;
  mutable std::mutex mu_;
  std::string webhook_secret_;  // guarded by mu_
  http::Client client_;
  providers::JsonApi api_;
};

}  // namespace jopay::btcpay
