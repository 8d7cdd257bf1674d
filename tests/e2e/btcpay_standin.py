"""A BTCPay Server stand-in for the e2e tests (Python standard library only): one store's
invoices through the Greenfield API, with the shapes of BTCPay's own Swagger templates
(../shared/reference/providers/btcpay/invoices.json: InvoiceData,
InvoicePaymentMethodDataModel, Payment; webhooks.json: the Invoice* webhook events and the
BTCPay-Sig header).

    with BTCPayStandin(api_key="k", store_id="S", webhook_secret="s", webhook_url=url) as bp:
        bp.base_url                          # jopayd's --btcpay-api-base
        bp.mark_paid(invoice_id)             # paid in full: Settled, webhooks sent
        bp.mark_paid(invoice_id, sats=5000)  # a partial payment: PaidPartial
        bp.expire(invoice_id)                # Expired (InvoiceExpired sent)
        status, delivery = bp.send_webhook(invoice_id, "InvoiceSettled")   # signed, by hand
        bp.redeliver(delivery)               # the same delivery again (an automatic retry)
        bp.redeliver(delivery, fresh_id=True)  # a redelivery from BTCPay's UI: new id, isRedelivery
        bp.fail_next(1, "drop"); bp.count("GET", "/api/v1/invoices/")

Routes (Authorization: token <api_key>, 401 otherwise): POST /api/v1/stores/{storeId}/invoices,
GET /api/v1/invoices/{id} (also .../stores/{storeId}/invoices/{id}), GET
/api/v1/invoices/{id}/payment-methods. Payment method ids answer in BTCPay 2's spelling
(BTC-LN, BTC-CHAIN); requests may name them that way or the older one (BTC-LightningNetwork,
BTC). Fiat converts at `rates` (invoice currency per BTC).
"""
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from decimal import ROUND_UP, Decimal, InvalidOperation

from standin_base import Standin, post, regtest_address, regtest_bolt11

LN, CHAIN = "BTC-LN", "BTC-CHAIN"
ALIASES = {"BTC-LightningNetwork": LN, "BTC-LN": LN, "BTC_LightningLike": LN,
           "BTC": CHAIN, "BTC-CHAIN": CHAIN, "BTC-OnChain": CHAIN}
SAT = Decimal("0.00000001")
MSAT = Decimal("0.00000000001")


def new_id(n=22):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(n))


def btc(d):
    return f"{d:.8f}" if d == d.quantize(SAT) else f"{d:.11f}"


class BTCPayStandin(Standin):
    name = "btcpay stand-in"

    def __init__(self, api_key="btcpay-api-key", store_id="StandinStore1", webhook_secret=None,
                 webhook_url=None, rates=None):
        super().__init__()
        self.api_key = api_key
        self.store_id = store_id
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url  # the store's webhook: sent on every invoice change
        self.webhook_id = new_id(10)
        self.rates = rates or {"SATS": Decimal(100_000_000), "BTC": Decimal(1),
                               "EUR": Decimal("64392.23"), "USD": Decimal("70210.50")}
        self.invoices = {}      # id -> InvoiceData
        self.methods = {}       # id -> [InvoicePaymentMethodDataModel]
        self.deliveries = {}    # delivery id -> (url, body bytes, headers)

    # ---- API ----

    def route(self, method, path, query, headers, body):
        if headers.get("authorization") != f"token {self.api_key}":
            return 401, {"code": "unauthenticated",
                         "message": "Authentication is required for accessing this endpoint"}
        m = re.fullmatch(r"/api/v1/stores/([^/]+)/invoices(?:/([^/]+))?", path)
        if m and m.group(1) != self.store_id:
            return 403, {"code": "forbidden", "message": "No access to this store"}
        if m and method == "POST" and not m.group(2):
            return self._create(body)
        invoice_id = m.group(2) if m else None
        m2 = re.fullmatch(r"/api/v1/invoices/([^/]+)(/payment-methods)?", path)
        if m2:
            invoice_id = m2.group(1)
        if method != "GET" or not invoice_id:
            return 404, {"code": "not-found", "message": "Not found"}
        if invoice_id not in self.invoices:
            return 404, {"code": "invoice-not-found", "message": "The invoice was not found"}
        if m2 and m2.group(2):
            return 200, self.methods[invoice_id]
        return 200, self.invoices[invoice_id]

    def _create(self, body):
        try:
            data = json.loads(body or b"null")
            assert isinstance(data, dict)
        except (ValueError, AssertionError):
            return 400, [{"path": "", "message": "The request body is not a JSON object"}]
        try:
            amount = Decimal(str(data.get("amount")))
            assert amount > 0
        except (InvalidOperation, AssertionError):
            return 400, [{"path": "amount", "message": "Amount should be a positive decimal"}]
        currency = str(data.get("currency") or "SATS").upper()
        if currency not in self.rates:
            return 400, [{"path": "currency", "message": f"Currency {currency} is not supported"}]
        checkout = data.get("checkout") or {}
        wanted = checkout.get("paymentMethods") or [LN, CHAIN]
        if any(w not in ALIASES for w in wanted):
            return 400, [{"path": "checkout.paymentMethods", "message": "Invalid payment method"}]
        minutes = checkout.get("expirationMinutes") or 15
        now = int(time.time())
        invoice = {
            "id": new_id(), "storeId": self.store_id, "amount": data["amount"] if isinstance(
                data["amount"], str) else str(amount), "paidAmount": "0", "currency": currency,
            "type": "Standard", "checkoutLink": f"{self.base_url}/i/", "createdTime": now,
            "expirationTime": now + int(Decimal(str(minutes)) * 60),
            "monitoringExpiration": now + int(Decimal(str(minutes)) * 60) + 86400,
            "status": "New", "additionalStatus": "None",
            "availableStatusesForManualMarking": ["Settled", "Invalid"], "archived": False,
            "metadata": data.get("metadata") or {}, "checkout": checkout,
            "receipt": data.get("receipt") or {}}
        invoice["checkoutLink"] += invoice["id"]
        self.invoices[invoice["id"]] = invoice
        rate = self.rates[currency]
        due = amount / rate
        self.methods[invoice["id"]] = [self._method(ALIASES[w], due, rate)
                                       for w in dict.fromkeys(ALIASES[w] for w in wanted)]
        return 200, invoice

    @staticmethod
    def _method(method_id, due, rate):
        """InvoicePaymentMethodDataModel: Lightning amounts to the msat, on-chain to the sat."""
        due = due.quantize(MSAT if method_id == LN else SAT, rounding=ROUND_UP)
        if method_id == LN:
            sats = int((due / SAT).to_integral_value(rounding=ROUND_UP))
            destination = regtest_bolt11(sats, hashlib.sha256(os.urandom(32)).hexdigest())
            link = "lightning:" + destination
        else:
            destination = regtest_address()
            link = f"bitcoin:{destination}?amount={btc(due)}"
        return {"paymentMethodId": method_id, "currency": "BTC", "destination": destination,
                "paymentLink": link, "rate": str(rate), "paymentMethodPaid": btc(Decimal(0)),
                "totalPaid": btc(Decimal(0)), "due": btc(due), "amount": btc(due),
                "paymentMethodFee": btc(Decimal(0)), "payments": [], "activated": True,
                "additionalData": {}}

    # ---- controls ----

    def mark_paid(self, invoice_id, sats=None, method=None, send=True):
        """A payment of `sats` (default: what is due) on `method` (default: the first). Paid in
        full -> status Settled (PaidOver when more); less -> additionalStatus PaidPartial.
        Sends InvoiceReceivedPayment, InvoicePaymentSettled and, when settled,
        InvoiceSettled to the store's webhook. Returns the invoice."""
        with self.lock:
            invoice, methods = self.invoices[invoice_id], self.methods[invoice_id]
            pm = next(p for p in methods if method is None or p["paymentMethodId"] == method)
            value = Decimal(pm["due"]) if sats is None else Decimal(sats) * SAT
            payment = {"id": new_id(16), "receivedDate": int(time.time()), "value": btc(value),
                       "fee": btc(Decimal(0)), "status": "Settled",
                       "destination": pm["destination"]}
            pm["payments"].append(payment)
            pm["paymentMethodPaid"] = btc(Decimal(pm["paymentMethodPaid"]) + value)
            total = sum(Decimal(p["paymentMethodPaid"]) for p in methods)
            for p in methods:
                p["totalPaid"] = btc(total)
                p["due"] = btc(Decimal(p["amount"]) - total)
            rate = Decimal(pm["rate"])
            invoice["paidAmount"] = format((total * rate).normalize(), "f")
            left = Decimal(pm["amount"]) - total
            if left <= 0:
                invoice["status"] = "Settled"
                invoice["additionalStatus"] = "PaidOver" if left < 0 else "None"
            else:
                invoice["additionalStatus"] = "PaidPartial"
            settled = invoice["status"] == "Settled"
        if send and self.webhook_url:
            extra = {"afterExpiration": False, "paymentMethodId": pm["paymentMethodId"],
                     "payment": payment}
            self.send_webhook(invoice_id, "InvoiceReceivedPayment", extra=extra)
            self.send_webhook(invoice_id, "InvoicePaymentSettled", extra=extra)
            if settled:
                self.send_webhook(invoice_id, "InvoiceSettled",
                                  extra={"manuallyMarked": False, "overPaid": left < 0})
        return dict(invoice)

    def expire(self, invoice_id, send=True):
        with self.lock:
            invoice = self.invoices[invoice_id]
            invoice["status"] = "Expired"
            partially = invoice["additionalStatus"] == "PaidPartial"
        if send and self.webhook_url:
            self.send_webhook(invoice_id, "InvoiceExpired", extra={"partiallyPaid": partially})
        return dict(invoice)

    def signature(self, body, secret=None):
        """The BTCPay-Sig header for `body` (bytes)."""
        key = (secret or self.webhook_secret or "").encode()
        return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()

    def send_webhook(self, invoice_id, event_type, url=None, delivery_id=None, extra=None,
                     secret=None, signature=None):
        """One signed delivery (WebhookInvoiceEvent + `extra`) POSTed to `url` (default: the
        store's webhook). `secret` signs with another secret, `signature` sends that header
        instead (forgeries). Returns (HTTP status, delivery id)."""
        delivery_id = delivery_id or new_id()
        with self.lock:
            invoice = self.invoices[invoice_id]
            payload = {"deliveryId": delivery_id, "webhookId": self.webhook_id,
                       "originalDeliveryId": delivery_id, "isRedelivery": False,
                       "type": event_type, "timestamp": int(time.time()),
                       "storeId": self.store_id, "invoiceId": invoice_id,
                       "metadata": invoice["metadata"], **(extra or {})}
        return self._deliver(url or self.webhook_url, payload, secret, signature), delivery_id

    def redeliver(self, delivery_id, fresh_id=False):
        """Sends a delivery again. By default the very same bytes and id (BTCPay's automatic
        retries: 10 s, 1 min, then every 10 min); with fresh_id=True a redelivery as BTCPay's UI
        and API make it: a new deliveryId naming the original, isRedelivery true, re-signed.
        Returns (HTTP status, delivery id sent)."""
        url, body, headers = self.deliveries[delivery_id]
        if not fresh_id:
            return self._send(delivery_id, url, body, headers), delivery_id
        payload = json.loads(body)
        payload.update({"deliveryId": new_id(), "isRedelivery": True,
                        "originalDeliveryId": payload["originalDeliveryId"]})
        return self._deliver(url, payload, None, None), payload["deliveryId"]

    def _deliver(self, url, payload, secret, signature):
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "BTCPayServer",
                   "BTCPay-Sig": signature or self.signature(body, secret)}
        return self._send(payload["deliveryId"], url, body, headers)

    def _send(self, delivery_id, url, body, headers):
        with self.lock:
            self.deliveries[delivery_id] = (url, body, headers)
        return post(url, body, headers)


if __name__ == "__main__":
    with BTCPayStandin() as s:
        print(json.dumps({"port": s.port}), flush=True)
        while True:
            time.sleep(3600)
