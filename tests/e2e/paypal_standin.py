"""A PayPal stand-in for the e2e tests (Python standard library only): one REST app's OAuth2
tokens, Orders v2 with vaulting, merchant-initiated orders paid from a vault id, capture
refunds, Vault v3 setup and payment tokens, and webhook signature verification, with the
shapes of PayPal's OpenAPI specs (../shared/reference/providers/paypal/: checkout_orders_v2.json
`order`, `capture`, `refund`, error_4xx with details[].issue; vault_payment_tokens_v3.json
setup_token_response, payment_token_response; notifications_webhooks_v1.json `event`,
verify_webhook_signature(_response)).

    with PayPalStandin(client_id="id", client_secret="s", webhook_id="WH1") as pp:
        pp.base_url                         # jopayd's --paypal-api-base
        pp.approve(order_id)                # the payer approves at PayPal (wallet choice implied)
        pp.approve(order_id, decline=True)  # ... with a funding source the capture declines
        pp.approve_setup(setup_token_id)
        pp.decline_vault(vault_id)          # every later charge of that wallet: INSTRUMENT_DECLINED
        pp.fail_next(2, "500"|"429"|"drop"); pp.lose_next(1)  # lose: done, then no answer
        pp.revoke_tokens()                  # issued access tokens now answer 401
        status, event, headers = pp.send_webhook(url, "PAYMENT.CAPTURE.COMPLETED", resource)
        pp.resend(url, event, headers)      # the same delivery again (PayPal's retry)
        pp.count("POST", "/v2/checkout/orders")

Idempotency (PayPal-Request-Id on POSTs): the same id and the same body replay the first
answer (a first 201 as 200, as the spec's "duplicate response" wording says); the same id with
another body is 422 UNPROCESSABLE_ENTITY (the spec names no conflict status; this stand-in's
choice). Verification answers SUCCESS only for a delivery this stand-in sent, with every
header and the event unchanged and the configured webhook id; FAILURE otherwise.
"""
import base64
import hashlib
import json
import secrets
import socket
import threading
import time
import urllib.parse
from decimal import Decimal, InvalidOperation

from standin_base import Standin, post

ALNUM = "ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789"
LOWER = "abcdefghijkmnpqrstuvwxyz0123456789"
ZERO_DECIMALS = {"JPY", "HUF", "TWD"}


def new_id(n=17, alphabet=ALNUM):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def error(status, name, message, issue=None, description=None):
    """error_4xx: name, message, debug_id, details[{issue, description}]."""
    body = {"name": name, "message": message, "debug_id": new_id(13, LOWER),
            "links": [{"href": "https://developer.paypal.com/docs/api/orders/v2/#error-" + (
                issue or name), "rel": "information_link", "method": "GET"}]}
    if issue:
        body["details"] = [{"issue": issue, "description": description or issue}]
    return status, body


def unprocessable(issue, description):
    return error(422, "UNPROCESSABLE_ENTITY",
                 "The requested action could not be performed, semantically incorrect, or "
                 "failed business validation.", issue, description)


def not_found():
    return error(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.",
                 "INVALID_RESOURCE_ID", "Specified resource ID does not exist. Please check the "
                 "resource ID and try again.")


def invalid(field, issue="MISSING_REQUIRED_PARAMETER"):
    status, body = error(400, "INVALID_REQUEST", "Request is not well-formed, syntactically "
                         "incorrect, or violates schema.", issue,
                         "A required field / parameter is missing or invalid.")
    body["details"][0]["field"] = field
    return status, body


class PayPalStandin(Standin):
    name = "paypal stand-in"

    def __init__(self, client_id="paypal-client-id", client_secret="paypal-client-secret",
                 webhook_id="1JE4291016473214C", webhook_url=None, token_ttl=32400):
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.webhook_id = webhook_id
        self.webhook_url = webhook_url  # PAYMENT.CAPTURE.* events are sent here when set
        self.token_ttl = token_ttl
        self.tokens = set()
        self.orders = {}          # id -> order
        self.captures = {}        # capture id -> (order id, capture)
        self.refunds = {}         # id -> refund
        self.vault = {}           # vault id -> {"customer", "email", "declines"}
        self.setup_tokens = {}    # id -> setup token
        self.idempotency = {}     # (path, request id) -> (body digest, status, answer)
        self.deliveries = {}      # transmission id -> (headers, event)
        self.vault_needs_capture = False  # vault-id orders wait for a capture (APPROVED)
        self._lose = 0

    # ---- serving ----

    def _handle(self, h):
        """As Standin's, plus lose_next (answer computed, then the connection dropped) and
        Retry-After on an injected 429."""
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(h.path)
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self.lock:
            self.requests.append((h.command, url.path, headers, body))
            how = self._failures.pop(0) if self._failures else None
        if how == "drop":
            return self._drop(h)
        if how:
            status, out = error(int(how), "INTERNAL_SERVER_ERROR" if how == "500"
                                else "RATE_LIMIT_REACHED", f"{self.name}: injected failure")
        else:
            try:
                with self.lock:
                    status, out = self.route(h.command, url.path,
                                             urllib.parse.parse_qs(url.query), headers, body)
                    lose = self._lose > 0
                    self._lose -= 1 if lose else 0
            except Exception as e:  # a stand-in bug answers 500, visibly
                status, out, lose = 500, {"name": "INTERNAL_SERVER_ERROR",
                                          "message": f"{self.name} error: {e!r}"}, False
            if lose:
                return self._drop(h)
        data = json.dumps(out).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("Paypal-Debug-Id", new_id(13, LOWER))
        if status == 429:
            h.send_header("Retry-After", "1")
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def _drop(h):
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    def route(self, method, path, query, headers, body):
        if path == "/v1/oauth2/token" and method == "POST":
            return self._token(headers, body)
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return error(401, "AUTHENTICATION_FAILURE", "Authentication failed due to invalid "
                         "authentication credentials or a missing Authorization header.")
        request_id = headers.get("paypal-request-id")
        if method == "POST" and request_id:
            return self._idempotent(path, request_id, body,
                                    lambda: self._api(method, path, body))
        return self._api(method, path, body)

    def _idempotent(self, path, request_id, body, make):
        digest = hashlib.sha256(body).hexdigest()
        seen = self.idempotency.get((path, request_id))
        if seen:
            if seen[0] != digest:
                return unprocessable("INCOMPATIBLE_PARAMETER_VALUE",
                                     "PayPal-Request-Id was used before with another request body.")
            return (200 if seen[1] == 201 else seen[1]), seen[2]
        status, answer = make()
        if status < 500:  # a server error is not an answer to keep
            self.idempotency[(path, request_id)] = (digest, status, answer)
        return status, answer

    def _api(self, method, path, body):
        parts = path.strip("/").split("/")
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return invalid("/", "MALFORMED_REQUEST_JSON")
        if method == "POST" and path == "/v2/checkout/orders":
            return self._create_order(data)
        if parts[:3] == ["v2", "checkout", "orders"] and len(parts) == 4 and method == "GET":
            order = self.orders.get(parts[3])
            return (200, order) if order else not_found()
        if parts[:3] == ["v2", "checkout", "orders"] and parts[4:] == ["capture"]:
            return self._capture_order(parts[3])
        if parts[:3] == ["v2", "payments", "captures"] and parts[4:] == ["refund"]:
            return self._refund(parts[3], data)
        if parts[:3] == ["v2", "payments", "refunds"] and len(parts) == 4 and method == "GET":
            refund = self.refunds.get(parts[3])
            return (200, refund) if refund else not_found()
        if parts[:3] == ["v3", "vault", "setup-tokens"] and len(parts) == 4 and method == "GET":
            token = self.setup_tokens.get(parts[3])
            return (200, self._public(token)) if token else not_found()
        if method == "POST" and path == "/v3/vault/setup-tokens":
            return self._setup_token(data)
        if method == "POST" and path == "/v3/vault/payment-tokens":
            return self._payment_token(data)
        if method == "POST" and path == "/v1/notifications/verify-webhook-signature":
            return self._verify(data)
        return not_found()

    # ---- OAuth2 ----

    def _token(self, headers, body):
        expected = "Basic " + base64.b64encode(
            f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
        if headers.get("authorization") != expected:
            return 401, {"error": "invalid_client",
                         "error_description": "Client Authentication failed"}
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {"error": "unsupported_grant_type",
                         "error_description": "Grant Type is NULL"}
        token = "A21AA" + secrets.token_urlsafe(40)
        self.tokens.add(token)
        return 200, {"scope": "https://uri.paypal.com/services/payments/payment "
                              "https://uri.paypal.com/services/vault/payment-tokens/readwrite",
                     "access_token": token, "token_type": "Bearer",
                     "app_id": "APP-80W284485P519543T", "expires_in": self.token_ttl,
                     "nonce": now_rfc3339() + new_id(20, LOWER)}

    # ---- orders ----

    def _links(self, order_id, action=None):
        base = f"{self.base_url}/v2/checkout/orders/{order_id}"
        links = [{"href": base, "rel": "self", "method": "GET"}]
        if action == "payer-action":
            links.append({"href": f"{self.base_url}/checkoutnow?token={order_id}",
                          "rel": "payer-action", "method": "GET"})
        if action == "capture":
            links.append({"href": base + "/capture", "rel": "capture", "method": "POST"})
        return links

    @staticmethod
    def _amount(unit):
        amount = unit.get("amount") if isinstance(unit, dict) else None
        if not isinstance(amount, dict) or not isinstance(amount.get("value"), str):
            return None
        code = amount.get("currency_code")
        try:
            value = Decimal(amount["value"])
        except InvalidOperation:
            return None
        places = 0 if code in ZERO_DECIMALS else 2
        if not isinstance(code, str) or len(code) != 3 or value <= 0 or \
                value != value.quantize(Decimal(1).scaleb(-places)):
            return None
        return {"currency_code": code, "value": amount["value"]}

    def _create_order(self, data):
        if data.get("intent") not in ("CAPTURE", "AUTHORIZE"):
            return invalid("/intent")
        units = data.get("purchase_units")
        if not isinstance(units, list) or not units:
            return invalid("/purchase_units")
        amount = self._amount(units[0])
        if not amount:
            return unprocessable("DECIMAL_PRECISION", "If the currency supports decimals, only "
                                 "two decimal place precision is supported.")
        wallet = (data.get("payment_source") or {}).get("paypal")
        unit = {k: v for k, v in units[0].items() if k in (
            "reference_id", "description", "custom_id", "invoice_id", "soft_descriptor")}
        unit.update({"amount": amount, "payee": {"merchant_id": "7KNGBPH2U58GQ"}})
        order = {"id": new_id(), "intent": data["intent"], "purchase_units": [unit],
                 "create_time": now_rfc3339(), "update_time": now_rfc3339()}
        if isinstance(wallet, dict) and wallet.get("vault_id"):
            return self._vault_order(order, wallet["vault_id"])
        if not isinstance(wallet, dict):
            order.update(status="CREATED", links=self._links(order["id"]))
            order["links"].append({"href": f"{self.base_url}/checkoutnow?token={order['id']}",
                                   "rel": "approve", "method": "GET"})
        else:
            context = wallet.get("experience_context") or {}
            if not context.get("return_url") or not context.get("cancel_url"):
                return unprocessable("RETURN_URL_REQUIRED", "The return url is required when "
                                     "attempting to vault this source.")
            vault = (wallet.get("attributes") or {}).get("vault")
            if vault is not None and (vault.get("store_in_vault") != "ON_SUCCESS"
                                      or vault.get("usage_type") not in ("MERCHANT", "PLATFORM")):
                return invalid("/payment_source/paypal/attributes/vault",
                               "INVALID_PARAMETER_VALUE")
            order.update(status="PAYER_ACTION_REQUIRED", payment_source={"paypal": {}},
                         links=self._links(order["id"], "payer-action"))
            order["_vault"] = vault  # what to save at capture (hidden from answers)
        self.orders[order["id"]] = order
        return 201, self._public(order)

    def _vault_order(self, order, vault_id):
        saved = self.vault.get(vault_id)
        if not saved:
            return unprocessable("PAYMENT_SOURCE_CANNOT_BE_USED", "The provided payment source "
                                 "cannot be used to pay for the order.")
        if saved["declines"]:
            return unprocessable("INSTRUMENT_DECLINED", "The instrument presented  was either "
                                 "declined by the processor or bank, or it can't be used for "
                                 "this payment.")
        order["payment_source"] = {"paypal": self._wallet(saved, vault_id, with_vault=False)}
        self.orders[order["id"]] = order
        if self.vault_needs_capture:
            order.update(status="APPROVED", links=self._links(order["id"], "capture"))
            return 201, self._public(order)
        self._complete(order)
        return 201, self._public(order)

    def _wallet(self, saved, vault_id, with_vault=True):
        wallet = {"email_address": saved["email"], "account_id": saved["account_id"],
                  "account_status": "VERIFIED",
                  "name": {"given_name": "Ada", "surname": "Lovelace"}}
        if with_vault:
            wallet["attributes"] = {"vault": {
                "id": vault_id, "status": "VAULTED", "customer": {"id": saved["customer"]},
                "links": [{"href": f"{self.base_url}/v3/vault/payment-tokens/{vault_id}",
                           "rel": "self", "method": "GET"}]}}
        return wallet

    def _complete(self, order):
        """Captures the order's amount: status COMPLETED, one COMPLETED capture."""
        unit = order["purchase_units"][0]
        capture = {"id": new_id(), "status": "COMPLETED", "amount": unit["amount"],
                   "final_capture": True, "seller_protection": {"status": "ELIGIBLE"},
                   "seller_receivable_breakdown": {"gross_amount": unit["amount"]},
                   "create_time": now_rfc3339(), "update_time": now_rfc3339()}
        if "custom_id" in unit:
            capture["custom_id"] = unit["custom_id"]
        capture["links"] = [
            {"href": f"{self.base_url}/v2/payments/captures/{capture['id']}", "rel": "self",
             "method": "GET"},
            {"href": f"{self.base_url}/v2/payments/captures/{capture['id']}/refund",
             "rel": "refund", "method": "POST"}]
        unit["payments"] = {"captures": [capture]}
        order.update(status="COMPLETED", update_time=now_rfc3339(),
                     links=self._links(order["id"]))
        self.captures[capture["id"]] = (order["id"], capture)
        self._notify("PAYMENT.CAPTURE.COMPLETED", "capture", capture, order["id"])

    def _capture_order(self, order_id):
        order = self.orders.get(order_id)
        if not order:
            return not_found()
        if order["status"] == "COMPLETED":
            return unprocessable("ORDER_ALREADY_CAPTURED", "Order already captured.If "
                                 "'intent=CAPTURE' only one capture per order is allowed.")
        if order["status"] != "APPROVED":
            return unprocessable("ORDER_NOT_APPROVED", "Payer has not yet approved the Order "
                                 "for payment.")
        if order.get("_declines"):
            return unprocessable("INSTRUMENT_DECLINED", "The instrument presented  was either "
                                 "declined by the processor or bank, or it can't be used for "
                                 "this payment.")
        payer = order.pop("_payer", None)
        vault = order.pop("_vault", None)
        if payer:
            vault_id = None
            if vault:
                vault_id = new_id(7, LOWER)
                self.vault[vault_id] = dict(payer, declines=False)
            wallet = self._wallet(payer, vault_id, with_vault=bool(vault_id))
            order["payment_source"] = {"paypal": wallet}
            order["payer"] = {"email_address": payer["email"], "payer_id": payer["account_id"],
                              "name": wallet["name"]}
        self._complete(order)
        return 201, self._public(order)

    @staticmethod
    def _public(order):
        return {k: v for k, v in order.items() if not k.startswith("_")}

    # ---- refunds ----

    def _refund(self, capture_id, data):
        found = self.captures.get(capture_id)
        if not found:
            return not_found()
        order_id, capture = found
        refunded = sum(Decimal(r["amount"]["value"]) for r in self.refunds.values()
                       if r["_capture"] == capture_id)
        left = Decimal(capture["amount"]["value"]) - refunded
        amount = data.get("amount") or {"currency_code": capture["amount"]["currency_code"],
                                         "value": str(left)}
        if amount.get("currency_code") != capture["amount"]["currency_code"]:
            return unprocessable("REFUND_CURRENCY_MISMATCH", "Refund must be in the same "
                                 "currency as the capture.")
        try:
            value = Decimal(amount.get("value"))
        except (InvalidOperation, TypeError):
            return invalid("/amount/value", "INVALID_PARAMETER_VALUE")
        if left <= 0:
            return unprocessable("CAPTURE_FULLY_REFUNDED", "The capture has already been fully "
                                 "refunded")
        if value <= 0 or value > left:
            return unprocessable("REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than "
                                 "or equal to the capture amount that has not yet been refunded.")
        refund = {"id": new_id(), "status": "COMPLETED", "amount": amount,
                  "create_time": now_rfc3339(), "update_time": now_rfc3339(),
                  "links": [{"href": f"{self.base_url}/v2/payments/refunds/", "rel": "self",
                             "method": "GET"}], "_capture": capture_id}
        refund["links"][0]["href"] += refund["id"]
        for key in ("custom_id", "note_to_payer", "invoice_id"):
            if key in data:
                refund[key] = data[key]
        self.refunds[refund["id"]] = refund
        capture["status"] = "REFUNDED" if value == left else "PARTIALLY_REFUNDED"
        public = self._public(refund)
        self._notify("PAYMENT.CAPTURE.REFUNDED", "refund", public, order_id)
        return 201, public

    # ---- vault v3 ----

    def _setup_token(self, data):
        wallet = (data.get("payment_source") or {}).get("paypal")
        if not isinstance(wallet, dict):
            return invalid("/payment_source")
        context = wallet.get("experience_context") or {}
        if not context.get("return_url") or not context.get("cancel_url"):
            return invalid("/payment_source/paypal/experience_context/return_url")
        token = {"id": new_id(), "customer": {"id": new_id(10, LOWER + ALNUM)},
                 "status": "PAYER_ACTION_REQUIRED", "payment_source": {"paypal": {
                     "description": wallet.get("description", ""),
                     "usage_type": wallet.get("usage_type", "MERCHANT"),
                     "customer_type": wallet.get("customer_type", "CONSUMER")}}}
        token["links"] = [
            {"href": f"{self.base_url}/checkoutnow?token={token['id']}", "rel": "approve",
             "method": "GET"},
            {"href": f"{self.base_url}/v3/vault/setup-tokens/{token['id']}", "rel": "self",
             "method": "GET", "encType": "application/json"},
            {"href": f"{self.base_url}/v3/vault/payment-tokens", "rel": "confirm",
             "method": "POST", "encType": "application/json"}]
        self.setup_tokens[token["id"]] = token
        return 201, self._public(token)

    def _payment_token(self, data):
        source = (data.get("payment_source") or {}).get("token") or {}
        # The spec's enum says BILLING_AGREEMENT; PayPal's guides say SETUP_TOKEN.
        if source.get("type") not in ("BILLING_AGREEMENT", "SETUP_TOKEN"):
            return invalid("/payment_source/token/type", "INVALID_PARAMETER_VALUE")
        setup = self.setup_tokens.get(source.get("id"))
        if not setup:
            return not_found()
        if setup["status"] != "APPROVED":
            return error(422, "UNPROCESSABLE_ENTITY", "The requested action could not be "
                         "performed, semantically incorrect, or failed business validation.",
                         "SETUP_TOKEN_NOT_APPROVED", "The payer has not approved the setup token.")
        payer = setup["_payer"]
        vault_id = setup.get("_vault_id") or new_id(7, LOWER)
        setup["_vault_id"] = vault_id
        self.vault.setdefault(vault_id, dict(payer, customer=setup["customer"]["id"],
                                             declines=False))
        return 201, {"id": vault_id, "customer": setup["customer"],
                     "payment_source": {"paypal": {
                         "email_address": payer["email"], "payer_id": payer["account_id"],
                         "usage_type": setup["payment_source"]["paypal"]["usage_type"]}},
                     "links": [{"rel": "self", "href": f"{self.base_url}/v3/vault/"
                                f"payment-tokens/{vault_id}", "method": "GET",
                                "encType": "application/json"}]}

    # ---- webhooks ----

    def _verify(self, data):
        need = ("auth_algo", "cert_url", "transmission_id", "transmission_sig",
                "transmission_time", "webhook_id", "webhook_event")
        missing = [k for k in need if k not in data]
        if missing:
            return error(400, "VALIDATION_ERROR", "Invalid request - see details",
                         "MISSING_REQUIRED_PARAMETER", missing[0])
        sent = self.deliveries.get(data["transmission_id"])
        ok = (sent is not None and data["webhook_id"] == self.webhook_id and
              sent[1] == data["webhook_event"] and
              all(sent[0][h] == data[k] for h, k in (
                  ("PAYPAL-TRANSMISSION-SIG", "transmission_sig"),
                  ("PAYPAL-TRANSMISSION-TIME", "transmission_time"),
                  ("PAYPAL-CERT-URL", "cert_url"), ("PAYPAL-AUTH-ALGO", "auth_algo"))))
        return 200, {"verification_status": "SUCCESS" if ok else "FAILURE"}

    def event(self, event_type, resource, resource_type=None, summary=None):
        """An `event` as PayPal's webhooks carry it."""
        return {"id": "WH-" + new_id(17) + "-" + new_id(17), "create_time": now_rfc3339(),
                "resource_type": resource_type or event_type.split(".")[1].lower(),
                "event_type": event_type, "event_version": "1.0", "resource_version": "2.0",
                "summary": summary or event_type, "resource": resource,
                "links": [{"href": f"{self.base_url}/v1/notifications/webhooks-events/",
                           "rel": "self", "method": "GET"}]}

    def send_webhook(self, url, event_type, resource, resource_type=None):
        """Sends a new delivery with its transmission headers; (status, event, headers)."""
        event = self.event(event_type, resource, resource_type)
        headers = {"PAYPAL-TRANSMISSION-ID": new_id(8, LOWER) + "-" + new_id(4, LOWER) +
                   "-11e5-baa3-" + new_id(12, LOWER),
                   "PAYPAL-TRANSMISSION-TIME": now_rfc3339(),
                   "PAYPAL-TRANSMISSION-SIG": base64.b64encode(secrets.token_bytes(256)).decode(),
                   "PAYPAL-CERT-URL": f"{self.base_url}/v1/notifications/certs/CERT-"
                                      + new_id(8, LOWER),
                   "PAYPAL-AUTH-ALGO": "SHA256withRSA"}
        with self.lock:
            self.deliveries[headers["PAYPAL-TRANSMISSION-ID"]] = (headers, event)
        return self.resend(url, event, headers), event, headers

    @staticmethod
    def resend(url, event, headers, body=None):
        """Posts a delivery (the same one again: PayPal's retry); the HTTP status."""
        raw = body if body is not None else json.dumps(event).encode()
        return post(url, raw, dict(headers, **{"Content-Type": "application/json"}))

    def _notify(self, event_type, resource_type, resource, order_id):
        if not self.webhook_url:
            return
        resource = dict(resource, supplementary_data={"related_ids": {"order_id": order_id}})
        # After the answer: jopayd may ask to verify it while this request holds the lock.
        threading.Timer(0.05, self.send_webhook,
                        (self.webhook_url, event_type, resource, resource_type)).start()

    # ---- controls (the payer, PayPal's side) ----

    def approve(self, order_id, email="ada@example.com", decline=False):
        """The payer logs in and approves: APPROVED; with decline, its capture is declined."""
        with self.lock:
            order = self.orders[order_id]
            assert order["status"] in ("PAYER_ACTION_REQUIRED", "CREATED"), order["status"]
            order.update(status="APPROVED", links=self._links(order_id, "capture"))
            order["_payer"] = {"email": email, "account_id": new_id(13),
                               "customer": new_id(10, LOWER + ALNUM)}
            order["_declines"] = decline

    def approve_setup(self, setup_token_id, email="ada@example.com"):
        with self.lock:
            token = self.setup_tokens[setup_token_id]
            token["status"] = "APPROVED"
            token["_payer"] = {"email": email, "account_id": new_id(13)}

    def decline_vault(self, vault_id, declines=True):
        with self.lock:
            self.vault[vault_id]["declines"] = declines

    def lose_next(self, n=1):
        """The next n API requests take effect, then their connection drops unanswered."""
        with self.lock:
            self._lose += n

    def revoke_tokens(self):
        with self.lock:
            self.tokens.clear()

    def order_of(self, order_id):
        with self.lock:
            return json.loads(json.dumps(self._public(self.orders[order_id])))
