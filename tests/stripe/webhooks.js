'use strict';
// Events and their delivery. Every event the stand-in makes is kept (GET /v1/events/:id) and,
// when a webhook URL is configured, POSTed there asynchronously, signed exactly as Stripe signs
// (the official package's generateTestHeaderString), with a fresh timestamp and signature per
// attempt and a few retries when the receiver fails.

const http = require('http');
const https = require('https');
const objects = require('./objects');
const {nowSeconds} = require('./http_util');

let stripeWebhooks = null;
function signer() {
  // Loaded lazily so the API half of the stand-in runs even before `npm ci`.
  if (!stripeWebhooks) stripeWebhooks = require('stripe').webhooks;
  return stripeWebhooks;
}

const DEFAULTS = {enabled: true, delay_ms: 0, max_attempts: 4, retry_base_ms: 500,
  timeout_ms: 10000, enabled_events: ['*']};

class Webhooks {
  constructor({url, secret, livemode, apiVersion, log}) {
    this.startup = {url: url || null, secret: secret || null};
    this.livemode = livemode;
    this.apiVersion = apiVersion;
    this.log = log;
    this.events = new Map(); // id -> {event, payload}
    this.order = [];
    this.agents = {http: new http.Agent({keepAlive: true, maxSockets: 16}),
      https: new https.Agent({keepAlive: true, maxSockets: 16, rejectUnauthorized: false})};
    this.reset();
  }

  // Back to the startup configuration; events are kept.
  reset() {
    this.config = {...DEFAULTS, enabled_events: [...DEFAULTS.enabled_events],
      url: this.startup.url, secret: this.startup.secret};
    this.pending = [];
    this.deliveries = [];
    this.counts = {attempts: 0, delivered: 0, failed_attempts: 0, given_up: 0};
    this.generation = (this.generation || 0) + 1; // retries of an older generation stop
  }

  setConfig(patch) {
    const wasEnabled = this.config.enabled;
    for (const k of Object.keys(DEFAULTS).concat(['url', 'secret'])) {
      if (patch[k] !== undefined) this.config[k] = patch[k];
    }
    if (this.config.enabled && !wasEnabled) this.flushPending();
    return this.status();
  }

  status() {
    return {
      ...this.config, secret: this.config.secret ? '(set)' : null,
      pending: this.pending.length, ...this.counts,
      deliveries: this.deliveries.slice(-200),
    };
  }

  wanted(type) {
    const list = this.config.enabled_events;
    return list.includes('*') || list.includes(type);
  }

  // Records an event about `object` (a snapshot is taken now) and schedules its delivery.
  emit(type, object, ctx = {}, previousAttributes) {
    const deliver = !!this.config.url && this.wanted(type);
    const ev = objects.event({
      type, object: null, previousAttributes, livemode: this.livemode,
      apiVersion: ctx.apiVersion || this.apiVersion,
      request: {id: ctx.requestId || null, idempotency_key: ctx.idempotencyKey || null},
      pending: deliver ? 1 : 0,
    });
    // One compact snapshot now; the payload is built once, when first needed.
    this.events.set(ev.id, {event: ev, snapshot: JSON.stringify(object), payload: null});
    this.order.push(ev.id);
    if (deliver) this.enqueue(ev.id);
    return ev;
  }

  // {event, payload} with the payload's exact bytes fixed (Stripe sends pretty-printed JSON).
  get(id) {
    const entry = this.events.get(id);
    if (entry && entry.payload === null) {
      entry.event.data.object = JSON.parse(entry.snapshot);
      entry.payload = JSON.stringify(entry.event, null, 2);
      entry.snapshot = null;
    }
    return entry;
  }

  list() {
    return this.order.map((id) => this.get(id).event);
  }

  // The Stripe-Signature header for `payload`: one v1 per secret (several during a roll).
  sign(payload, {timestamp, secret, secrets} = {}) {
    const all = secrets || [secret || this.config.secret];
    if (!all[0]) throw new Error('no webhook secret configured');
    const t = timestamp || nowSeconds();
    const parts = all.map((s) => signer().generateTestHeaderString({payload, secret: s, timestamp: t}));
    const v1s = parts.map((h) => h.split(',').filter((p) => p.startsWith('v1='))).flat();
    return [`t=${t}`, ...v1s].join(',');
  }

  enqueue(id) {
    if (!this.config.enabled) {
      this.pending.push(id);
      return;
    }
    const gen = this.generation;
    setTimeout(() => this.attempt(id, 1, gen), this.config.delay_ms);
  }

  flushPending() {
    const ids = this.pending;
    this.pending = [];
    for (const id of ids) this.enqueue(id);
  }

  async attempt(id, n, gen) {
    if (gen !== this.generation) return;
    if (!this.config.enabled) {
      this.pending.push(id);
      return;
    }
    const {event, payload} = this.get(id);
    const url = this.config.url;
    let header;
    try {
      header = this.sign(payload);
    } catch (e) {
      this.log(`webhook ${id} not sent: ${e.message}`);
      return;
    }
    const result = await this.post(url, payload, header);
    this.counts.attempts++;
    const ok = result.status >= 200 && result.status < 300;
    this.record({event_id: id, type: event.type, attempt: n, status: result.status,
      error: result.error || null, at: Date.now() / 1000});
    if (ok) {
      this.counts.delivered++;
      return;
    }
    this.counts.failed_attempts++;
    if (n >= this.config.max_attempts) {
      this.counts.given_up++;
      return;
    }
    const wait = this.config.retry_base_ms * 2 ** (n - 1);
    setTimeout(() => this.attempt(id, n + 1, gen), wait);
  }

  record(entry) {
    this.deliveries.push(entry);
    if (this.deliveries.length > 2000) this.deliveries.splice(0, 1000);
  }

  // POSTs one signed payload; resolves {status, body} or {status: 0, error}.
  post(url, payload, header) {
    return new Promise((resolve) => {
      let target;
      try {
        target = new URL(url);
      } catch (e) {
        resolve({status: 0, error: 'bad url'});
        return;
      }
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.request(target, {
        method: 'POST',
        agent: target.protocol === 'https:' ? this.agents.https : this.agents.http,
        timeout: this.config.timeout_ms,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(payload),
          'Stripe-Signature': header,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Cache-Control': 'no-cache',
          'Accept': '*/*; q=0.5, application/xml',
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({status: res.statusCode,
          body: Buffer.concat(chunks).toString('utf8').slice(0, 2000)}));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({status: 0, error: e.message}));
      req.end(payload);
    });
  }
}

module.exports = {Webhooks};
