'use strict';
// Injected faults (latency, 5xx, lost answers, rate limits) and the counters tests read to
// prove "exactly once" and "never above the rate limit".

class Faults {
  constructor({latencyMs = 0, rateLimit = null} = {}) {
    this.startup = {latency_ms: latencyMs, rate_limit_per_s: rateLimit};
    this.reset();
  }

  reset() {
    this.latency_ms = this.startup.latency_ms;
    this.fail_next = null; // {count, status, replay, method, path}
    this.close_after_charge_next = 0;
    this.status_429_next = 0;
    this.search_lag_ms = 0;
    this.setRateLimit(this.startup.rate_limit_per_s);
  }

  setRateLimit(perSecond) {
    this.rate_limit_per_s = perSecond > 0 ? Number(perSecond) : null;
    // A token bucket holding one second's worth of requests, refilled continuously.
    this.tokens = this.rate_limit_per_s || 0;
    this.refilledAt = Date.now();
  }

  set(patch) {
    if (patch.latency_ms !== undefined) this.latency_ms = Math.max(0, Number(patch.latency_ms) || 0);
    if (patch.fail_next !== undefined) {
      const f = patch.fail_next;
      this.fail_next = f && f.count > 0 ? {count: Number(f.count), status: Number(f.status) || 500,
        replay: !!f.replay, method: f.method || null, path: f.path || null} : null;
    }
    if (patch.close_after_charge_next !== undefined) {
      this.close_after_charge_next = Math.max(0, Number(patch.close_after_charge_next) || 0);
    }
    if (patch.status_429_next !== undefined) {
      this.status_429_next = Math.max(0, Number(patch.status_429_next) || 0);
    }
    if (patch.search_lag_ms !== undefined) this.search_lag_ms = Math.max(0, Number(patch.search_lag_ms) || 0);
    if (patch.rate_limit_per_s !== undefined) this.setRateLimit(patch.rate_limit_per_s);
    return this.snapshot();
  }

  snapshot() {
    return {latency_ms: this.latency_ms, fail_next: this.fail_next,
      close_after_charge_next: this.close_after_charge_next,
      rate_limit_per_s: this.rate_limit_per_s, status_429_next: this.status_429_next,
      search_lag_ms: this.search_lag_ms};
  }

  // True when this request is to be refused with 429 (a forced one or an empty bucket).
  rateLimited() {
    if (this.status_429_next > 0) {
      this.status_429_next--;
      return true;
    }
    if (!this.rate_limit_per_s) return false;
    const now = Date.now();
    this.tokens = Math.min(this.rate_limit_per_s,
      this.tokens + (now - this.refilledAt) / 1000 * this.rate_limit_per_s);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return false;
    }
    return true;
  }

  // The injected failure for this request, if one is due: {status, replay}.
  failure(method, path) {
    const f = this.fail_next;
    if (!f) return null;
    if (f.method && f.method.toUpperCase() !== method) return null;
    if (f.path && !path.startsWith(f.path)) return null;
    f.count--;
    if (f.count <= 0) this.fail_next = null;
    return {status: f.status, replay: f.replay};
  }

  takeCloseAfterCharge() {
    if (this.close_after_charge_next <= 0) return false;
    this.close_after_charge_next--;
    return true;
  }
}

class Stats {
  constructor() {
    this.reset();
  }

  reset() {
    this.total_requests = 0;
    this.requests_by_endpoint = {};
    this.payment_intents_created = 0;
    this.replays = 0;
    this.charges_succeeded = 0;
    this.charges_failed = 0;
    this.charges_by_key = {};
    this.succeeded_by_period = {};
    this.refunds_created = 0;
    this.rejected_429 = 0;
    this.injected_failures = 0;
    this.connections_closed = 0;
    this.idempotency_conflicts = 0;
    this.idempotency_mismatches = 0;
    this.max_requests_in_any_second = 0;
    this.window = []; // arrival times (ms) of the last second's API requests
    this.windowHead = 0;
  }

  // Counts one API request; ids in the path are folded so endpoints group together.
  request(method, path) {
    this.total_requests++;
    const endpoint = method + ' ' + path.replace(/\/(cus|pm|pi|seti|cs_test|cs_live|ch|re|evt|dp)_[A-Za-z0-9_]+/g, '/:id');
    this.requests_by_endpoint[endpoint] = (this.requests_by_endpoint[endpoint] || 0) + 1;
    const now = Date.now();
    while (this.windowHead < this.window.length && this.window[this.windowHead] <= now - 1000) {
      this.windowHead++;
    }
    this.window.push(now);
    const inWindow = this.window.length - this.windowHead;
    if (inWindow > this.max_requests_in_any_second) this.max_requests_in_any_second = inWindow;
    if (this.windowHead > 10000) {
      this.window = this.window.slice(this.windowHead);
      this.windowHead = 0;
    }
  }

  paymentIntentCreated(idempotencyKey) {
    this.payment_intents_created++;
    if (idempotencyKey) {
      this.charges_by_key[idempotencyKey] = (this.charges_by_key[idempotencyKey] || 0) + 1;
    }
  }

  chargeResult(pi, succeeded) {
    if (!succeeded) {
      this.charges_failed++;
      return;
    }
    this.charges_succeeded++;
    const m = pi.metadata || {};
    if (m.jopay_subscription !== undefined || m.jopay_period_start !== undefined) {
      const key = `${m.jopay_subscription || ''}|${m.jopay_period_start || ''}`;
      this.succeeded_by_period[key] = (this.succeeded_by_period[key] || 0) + 1;
    }
  }

  snapshot() {
    const out = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'window' && k !== 'windowHead') out[k] = v;
    return out;
  }
}

module.exports = {Faults, Stats};
