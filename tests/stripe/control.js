'use strict';
// /_standin/* : routes for the tests (JSON in, JSON out), outside Stripe's API: act as the
// customer, inject faults, read counters, steer webhook delivery, make events happen that
// only the card network or a customer can cause (disputes, card updates), and sign events.
//
//   GET  stats                      counters (see faults.js Stats)
//   POST reset {}                   faults, counters, webhook settings back to startup; objects stay
//   GET|POST faults {latency_ms, fail_next: {count, status, replay, method, path},
//                    close_after_charge_next, rate_limit_per_s, status_429_next, search_lag_ms}
//   GET|POST webhooks {enabled, delay_ms, max_attempts, retry_base_ms, timeout_ms,
//                      enabled_events, url, secret}
//   GET  events[?type=T]            {"data": [every event, oldest first]}
//   POST checkout/:cs_id/complete {card, exp_month?, exp_year?, email?, name?}
//        -> {redirect, session} | 402 {error: {code, decline_code, message}, session}
//   POST authenticate/:pi_id {action: "complete"|"fail"} -> {redirect, status, payment_intent}
//   POST dispute {payment_intent | charge, reason?, amount?} -> the dispute (dp_...)
//   POST dispute/close {dispute, status: "won"|"lost"} -> the dispute
//   POST payment_method_updated {payment_method, card?, last4?, exp_month?, exp_year?} -> the PM
//   POST signed_event {id | event | payload, timestamp?, secret? | secrets?} -> {payload, header}
//   POST send_event (same, url?) -> {payload, header, status, body}

const {readBody, sendJson, clone} = require('./http_util');

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function need(body, name) {
  if (body[name] === undefined || body[name] === null || body[name] === '') {
    throw new ControlError(400, `missing "${name}"`);
  }
  return body[name];
}

function lookup(map, id, what) {
  const obj = map.get(id);
  if (!obj) throw new ControlError(404, `no such ${what}: ${id}`);
  return obj;
}

// The exact payload to sign: a stored event's bytes, an event object, or a raw string.
function payloadFor(app, body) {
  if (body.id) {
    if (!app.webhooks.get(body.id)) throw new ControlError(404, `no such event: ${body.id}`);
    return app.webhooks.get(body.id).payload;
  }
  if (body.event) return JSON.stringify(body.event, null, 2);
  if (typeof body.payload === 'string') return body.payload;
  throw new ControlError(400, 'give "id", "event" or "payload"');
}

function signed(app, body) {
  const payload = payloadFor(app, body);
  const secret = body.secret || app.webhooks.config.secret;
  if (!secret && !body.secrets) throw new ControlError(400, 'no webhook secret configured');
  const header = app.webhooks.sign(payload, {timestamp: body.timestamp, secret,
    secrets: body.secrets});
  return {payload, header};
}

const ROUTES = {
  'GET stats': (app) => app.stats.snapshot(),

  'POST reset': (app) => {
    app.faults.reset();
    app.stats.reset();
    app.webhooks.reset();
    return {ok: true};
  },

  'GET faults': (app) => app.faults.snapshot(),
  'POST faults': (app, body) => app.faults.set(body),

  'GET webhooks': (app) => app.webhooks.status(),
  'POST webhooks': (app, body) => app.webhooks.setConfig(body),

  'GET events': (app, body, rest, query) => {
    const type = query.get('type');
    return {data: app.webhooks.list().filter((e) => !type || e.type === type)};
  },

  'POST checkout/*/complete': (app, body, [id]) => {
    const s = app.checkout.get(id);
    if (!s) throw new ControlError(404, `no such checkout session: ${id}`);
    const result = app.checkout.complete(s, {card: need(body, 'card'), exp_month: body.exp_month,
      exp_year: body.exp_year, email: body.email, name: body.name});
    if (result.error) return [402, {error: result.error, session: clone(s)}];
    return {redirect: result.redirect, session: clone(s)};
  },

  'POST authenticate/*': (app, body, [id]) => {
    const pi = lookup(app.bank.paymentIntents, id, 'payment_intent');
    if (pi.status !== 'requires_action') {
      throw new ControlError(400, `payment_intent ${id} has status ${pi.status}`);
    }
    const done = app.bank.authenticate(pi, body.action !== 'fail');
    return {redirect: done.redirect, status: done.status, payment_intent: clone(pi)};
  },

  'POST dispute': (app, body) => {
    if (!body.payment_intent && !body.charge) throw new ControlError(400, 'give "payment_intent" or "charge"');
    return app.bank.dispute({paymentIntent: body.payment_intent, charge: body.charge,
      reason: body.reason, amount: body.amount});
  },

  'POST dispute/close': (app, body) => {
    const dp = lookup(app.bank.disputes, need(body, 'dispute'), 'dispute');
    return app.bank.closeDispute(dp, body.status || 'lost');
  },

  'POST payment_method_updated': (app, body) => {
    const pm = lookup(app.bank.paymentMethods, need(body, 'payment_method'), 'payment_method');
    return app.bank.updateCard(pm, {number: body.card, last4: body.last4,
      expMonth: body.exp_month, expYear: body.exp_year});
  },

  'POST signed_event': (app, body) => signed(app, body),

  'POST send_event': async (app, body) => {
    const {payload, header} = signed(app, body);
    const url = body.url || app.webhooks.config.url;
    if (!url) throw new ControlError(400, 'no webhook url configured');
    const sent = await app.webhooks.post(url, payload, header);
    return {payload, header, status: sent.status, body: sent.body, error: sent.error};
  },
};

function route(method, rest) {
  for (const [key, fn] of Object.entries(ROUTES)) {
    const [m, pattern] = key.split(' ');
    if (m !== method) continue;
    const parts = pattern.split('/');
    if (parts.length !== rest.length) continue;
    const ids = [];
    if (parts.every((p, i) => (p === '*' ? ids.push(rest[i]) : p === rest[i]))) return {fn, ids};
  }
  return null;
}

async function handle(app, req, res, url) {
  const rest = url.pathname.slice('/_standin/'.length).split('/').filter(Boolean);
  try {
    const text = await readBody(req);
    let body = {};
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch (e) {
        throw new ControlError(400, 'body is not JSON');
      }
    }
    const found = route(req.method, rest);
    if (!found) throw new ControlError(404, `no control route ${req.method} ${url.pathname}`);
    const out = await found.fn(app, body, found.ids, url.searchParams);
    if (Array.isArray(out)) return sendJson(res, out[0], out[1]);
    return sendJson(res, 200, out);
  } catch (e) {
    if (e instanceof ControlError) return sendJson(res, e.status, {error: {message: e.message}});
    if (e && e.status && e.body) return sendJson(res, e.status, e.body()); // an ApiError
    app.log(`control error: ${e.stack || e}`);
    return sendJson(res, 500, {error: {message: String(e.message || e)}});
  }
}

module.exports = {handle};
