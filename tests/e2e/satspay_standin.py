"""A SatsPay Server stand-in for the e2e tests (Python standard library only): an LNbits with
the SatsPay extension, answering as github.com/lnbits/satspay (92fce78) does: views_api.py's
routes, models.py's CreateCharge / Charge shapes, helpers.py's unsigned webhook.

    with SatsPayStandin(api_key="inkey", wallet="wal_ln", onchain_wallet="wal_chain") as sp:
        sp.base_url                          # jopayd's --satspay-api-base
        sp.mark_paid(charge_id)              # the customer pays (all of it; fires the webhook)
        sp.mark_paid(charge_id, sats=500)    # a partial on-chain payment: balance only
        sp.fire_callback(charge_id, method="POST")   # SatsPay's webhook again, by hand
        sp.fail_next(2, "500")               # the next two API requests answer 500 ("drop": no answer)
        sp.count("POST", "/satspay/api/v1/charge")
        sp.charges[charge_id]                # the Charge as stored (a dict)

Routes: POST /satspay/api/v1/charge and GET /satspay/api/v1/charge/{id}, both with an invoice
key in X-Api-Key (401 otherwise). Fiat amounts convert at `rates` (sats per unit):
amount = round(rate * currency_amount), as views_api.py does.
"""
import datetime
import hashlib
import json
import os
import secrets

from standin_base import Standin, post, regtest_address, regtest_bolt11

CHARGE_PATH = "/satspay/api/v1/charge"


def urlsafe_short_hash():
    """LNbits' ids: 22 characters of URL-safe base64."""
    return secrets.token_urlsafe(16)[:22]


def _validation_error(field, msg, kind="value_error"):
    return 422, {"detail": [{"loc": ["body", field], "msg": msg, "type": kind}]}


class SatsPayStandin(Standin):
    name = "satspay stand-in"

    def __init__(self, api_key="satspay-invoice-key", wallet="wal_lightning",
                 onchain_wallet="wal_onchain", rates=None, webhook_method="GET"):
        super().__init__()
        self.api_key = api_key
        self.wallets = {wallet} if wallet else set()
        self.onchain_wallets = {onchain_wallet} if onchain_wallet else set()
        self.rates = rates or {"EUR": 1546.36, "USD": 1423.5, "JPY": 9.6}
        self.webhook_method = webhook_method  # SatsPay's setting: GET (default) or POST
        self.charges = {}
        self.callbacks = []  # (charge id, method, HTTP status) of every webhook sent

    # ---- API ----

    def route(self, method, path, query, headers, body):
        if headers.get("x-api-key") != self.api_key:
            return 401, {"detail": "Invalid key"}
        if method == "POST" and path == CHARGE_PATH:
            return self._create(body)
        if method == "GET" and path.startswith(CHARGE_PATH + "/"):
            charge = self.charges.get(path[len(CHARGE_PATH) + 1:])
            if not charge:
                return 404, {"detail": "Charge does not exist."}
            return 200, charge
        return 404, {"detail": "Not Found"}

    def _create(self, body):
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return 422, {"detail": [{"loc": ["body"], "msg": "invalid JSON", "type": "json"}]}
        if not isinstance(data, dict):
            return _validation_error("body", "value is not a valid dict")
        problem = self._check(data)
        if problem:
            return problem
        amount = data.get("amount")
        if data.get("currency") and data.get("currency_amount"):
            rate = self.rates.get(str(data["currency"]).upper())
            if rate is None:
                return 400, {"detail": f"Currency {data['currency']} not supported."}
            amount = round(rate * float(data["currency_amount"]))
        if data.get("lnbitswallet") and data["lnbitswallet"] not in self.wallets:
            return 400, {"detail": "LNbits wallet does not exist."}
        if data.get("onchainwallet") and data["onchainwallet"] not in self.onchain_wallets:
            return 400, {"detail": "Error fetching onchain address."}
        charge = self._charge(data, amount)
        self.charges[charge["id"]] = charge
        return 200, charge

    @staticmethod
    def _check(data):
        """CreateCharge's validation (pydantic, FastAPI 422) and views_api.py's 400s."""
        if not isinstance(data.get("description"), str):
            return _validation_error("description", "field required", "missing")
        if not isinstance(data.get("time"), int) or isinstance(data.get("time"), bool):
            return _validation_error("time", "value is not a valid integer", "type_error")
        if data["time"] < 1:
            return _validation_error("time", "ensure this value is greater than or equal to 1")
        amount = data.get("amount")
        if amount is not None and (not isinstance(amount, int) or amount < 1):
            return _validation_error("amount", "ensure this value is greater than or equal to 1")
        fiat = data.get("currency_amount")
        if fiat is not None and not isinstance(fiat, (int, float)):
            return _validation_error("currency_amount", "value is not a valid float", "type_error")
        if not amount and not fiat:
            return 400, {"detail": "either amount or currency_amount are required."}
        if not data.get("onchainwallet") and not data.get("lnbitswallet"):
            return 400, {"detail": "either onchainwallet or lnbitswallet are required."}
        return None

    def _charge(self, data, amount):
        """models.py Charge, every field, as the API serializes it."""
        payment_hash = hashlib.sha256(os.urandom(32)).hexdigest() if data.get("lnbitswallet") else None
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        return {
            "id": urlsafe_short_hash(), "user": "standin-user", "amount": amount,
            "time": data["time"], "timestamp": now.isoformat(), "balance": 0, "pending": 0,
            "zeroconf": bool(data.get("zeroconf", False)),
            "fasttrack": bool(data.get("fasttrack", False)), "paid": False,
            "completelinktext": data.get("completelinktext", "Back to Merchant"),
            "name": data.get("name"), "description": data["description"],
            "onchainwallet": data.get("onchainwallet"),
            "onchainaddress": regtest_address() if data.get("onchainwallet") else None,
            "lnbitswallet": data.get("lnbitswallet"),
            "payment_request": regtest_bolt11(amount, payment_hash) if payment_hash else None,
            "payment_hash": payment_hash, "webhook": data.get("webhook"),
            "completelink": data.get("completelink"), "custom_css": data.get("custom_css"),
            "currency": data.get("currency"), "currency_amount": data.get("currency_amount"),
            "extra": data.get("extra"),
        }

    # ---- controls ----

    def mark_paid(self, charge_id, sats=None, fire=True):
        """The customer pays `sats` (default: what is left). paid once balance >= amount, as
        helpers.py's check_charge_balance sets it; then the webhook fires (also for a partial
        payment: SatsPay calls it on every balance change). Returns the charge."""
        with self.lock:
            charge = self.charges[charge_id]
            left = max(charge["amount"] - charge["balance"], 0)
            charge["balance"] += left if sats is None else sats
            charge["paid"] = charge["balance"] >= charge["amount"]
            method = "lightning" if charge["payment_request"] and sats is None else "onchain"
            extra = json.loads(charge["extra"]) if charge.get("extra") else {}
            extra["payment_method"] = method
            charge["extra"] = json.dumps(extra)
            snapshot = dict(charge)
        if fire and snapshot.get("webhook"):
            self.fire_callback(charge_id)
        return snapshot

    def fire_callback(self, charge_id, method=None, url=None, charge=None):
        """SatsPay's webhook (helpers.py call_webhook): unsigned; GET with the charge JSON as
        its body, or POST with json=charge.json() (the JSON text again as a JSON string).
        `charge` sends a forged body instead. Returns the HTTP status (0: no answer)."""
        method = method or self.webhook_method
        with self.lock:
            charge = charge if charge is not None else dict(self.charges[charge_id])
        text = json.dumps(charge)
        body = (text if method == "GET" else json.dumps(text)).encode()
        status = post(url or charge["webhook"], body, {"Content-Type": "application/json"},
                      method=method)
        with self.lock:
            self.callbacks.append((charge_id, method, status))
        return status


if __name__ == "__main__":
    import time
    with SatsPayStandin() as s:
        print(json.dumps({"port": s.port}), flush=True)
        while True:
            time.sleep(3600)
