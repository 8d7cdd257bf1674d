'use strict';
// The /v1 API: the request pipeline (auth, rate limits, injected faults, idempotency, latency)
// and the endpoints jopayd uses, with Stripe's parameter validation and error bodies.

const {ApiError, invalid, missingParam, badParam, noSuch, parseForm, canonical, readBody,
  sendJson, newId, sleep, clone} = require('./http_util');
const {searchPaymentIntents} = require('./search');
const P = require('./params');
const {createSession} = require('./session_create');

const {required, integer, bool, oneOf, metadata, currency, url} = P;

async function handle(app, req, res, target) {
  const method = req.method;
  const path = target.pathname;
  app.stats.request(method, path);
  const requestId = newId('req_', 14);
  const apiVersion = req.headers['stripe-version'] || app.apiVersion;
  const headers = {'Request-Id': requestId, 'Stripe-Version': apiVersion};
  let body;
  try {
    body = await readBody(req);
  } catch (e) {
    return;
  }
  const params = method === 'POST' ? parseForm(body) : parseForm(target.search.slice(1));
  const key = method === 'POST' ? req.headers['idempotency-key'] : undefined;
  const ctx = {requestId, idempotencyKey: key || null, apiVersion,
    authorization: req.headers.authorization};

  const answer = run(app, method, path, params, key, ctx);
  if (app.faults.latency_ms > 0) await sleep(app.faults.latency_ms);
  if (answer.save) app.idempotency.finish(key, answer.status, answer.text, answer.headers);
  if (answer.close) {
    // The provider did the work but the answer is lost on the way back.
    app.stats.connections_closed++;
    req.socket.destroy();
    return;
  }
  sendJson(res, answer.status, answer.text, {...headers, ...answer.headers});
}

// Everything up to the answer, synchronously: {status, text, headers, save, close}.
function run(app, method, path, params, key, ctx) {
  let begun = false;
  try {
    authenticate(app, ctx.authorization);
    if (app.faults.rateLimited()) {
      app.stats.rejected_429++;
      // The body as Stripe answers it (a 2023 test-mode capture; live mode has no "Testmode").
      throw new ApiError(429, {type: 'invalid_request_error', code: 'rate_limit',
        message: (app.livemode ? 'Request rate limit exceeded.' : 'Testmode request rate ' +
          'limit exceeded, the rate limits in testmode are lower than livemode.') +
          ' You can learn more about rate limits here https://stripe.com/docs/rate-limits.'},
      {beforeExecution: true, headers: {'Stripe-Should-Retry': 'true'}});
    }
    const failure = app.faults.failure(method, path);
    if (failure) return injectedFailure(app, failure, method, path, params, key, ctx);
    const route = P.match(method, path);
    if (!route) {
      throw new ApiError(404, {type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}). Please see ` +
          'https://stripe.com/docs or we can help at https://support.stripe.com/.'});
    }
    if (key) {
      const fingerprint = canonical(params);
      const seen = app.idempotency.check(key, method, path, fingerprint);
      if (seen.kind === 'replay') {
        app.stats.replays++;
        const e = seen.entry;
        return {status: e.status, text: e.body, headers: {...e.headers,
          'Idempotent-Replayed': 'true', 'Original-Request': e.requestId}};
      }
      app.idempotency.begin(key, method, path, fingerprint, ctx.requestId);
      begun = true;
    }
    P.allow(params, route.allowed);
    const obj = HANDLERS[route.name](app, params, route.ids, ctx);
    const out = expand(app, obj, params.expand);
    const close = ctx.createdPaymentIntent && app.faults.takeCloseAfterCharge();
    return {status: 200, text: JSON.stringify(out), headers: {}, save: begun, close};
  } catch (e) {
    const err = e instanceof ApiError ? e : internalError(app, e);
    if (e instanceof ApiError && e.status === 409) app.stats.idempotency_conflicts++;
    if (e instanceof ApiError && e.fields.type === 'idempotency_error') app.stats.idempotency_mismatches++;
    // Nothing is saved for requests refused before the endpoint started executing.
    const save = begun && !err.beforeExecution && err.status !== 500;
    if (begun && !save) app.idempotency.abandon(key);
    // A declined creation was a real attempt too: its answer can be lost the same way.
    const close = !!ctx.createdPaymentIntent && app.faults.takeCloseAfterCharge();
    return {status: err.status, text: JSON.stringify(err.body(), null, 2), headers: err.headers,
      save, close};
  }
}

function injectedFailure(app, failure, method, path, params, key, ctx) {
  app.stats.injected_failures++;
  const text = JSON.stringify({error: {message: 'An unknown error occurred',
    type: 'api_error'}}, null, 2);
  // replay: the failure is saved under the key like any executed request (Stripe replays
  // saved 500s); otherwise nothing ran and a retry with the same key runs the request.
  const headers = {'Stripe-Should-Retry': failure.replay ? 'false' : 'true'};
  let save = false;
  if (failure.replay && key) {
    app.idempotency.begin(key, method, path, canonical(params), ctx.requestId);
    save = true;
  }
  return {status: failure.status, text, headers, save};
}

function internalError(app, e) {
  app.log(`internal error: ${e.stack || e}`);
  return new ApiError(500, {type: 'api_error', message: 'An unknown error occurred'});
}

// Bearer (or Basic, as curl -u sends) secret key; Stripe answers 401 without or with a bad one.
function authenticate(app, header) {
  let token = null;
  if (header && /^Bearer\s+/i.test(header)) token = header.replace(/^Bearer\s+/i, '').trim();
  else if (header && /^Basic\s+/i.test(header)) {
    token = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8').split(':')[0];
  }
  const headers = {'WWW-Authenticate': 'Basic realm="Stripe"'};
  if (!token) {
    throw new ApiError(401, {type: 'invalid_request_error',
      message: 'You did not provide an API key. You need to provide your API key in the ' +
        'Authorization header, using Bearer auth (e.g. \'Authorization: Bearer ' +
        'YOUR_SECRET_KEY\'). See https://stripe.com/docs/api#authentication for details, or we ' +
        'can help at https://support.stripe.com/.'}, {beforeExecution: true, headers});
  }
  const ok = app.secretKey ? token === app.secretKey : /^(sk|rk)_(test|live)_\w+$/.test(token);
  if (!ok) {
    const masked = token.slice(0, 8) + '*'.repeat(Math.max(0, token.length - 12)) + token.slice(-4);
    throw new ApiError(401, {type: 'invalid_request_error',
      message: `Invalid API Key provided: ${masked}`}, {beforeExecution: true, headers});
  }
}

// expand[]=a.b: ids replaced by their objects, on a copy.
const EXPANDABLE = {payment_intent: 'paymentIntents', setup_intent: 'setupIntents',
  customer: 'customers', payment_method: 'paymentMethods', latest_charge: 'charges',
  charge: 'charges'};

function expand(app, obj, paths) {
  if (paths === undefined) return obj; // serialized right away, so no copy is needed
  const out = clone(obj);
  const list = Array.isArray(paths) ? paths : [paths];
  for (const p of list) expandPath(app, out, String(p).split('.'), p);
  return out;
}

function expandPath(app, node, [head, ...rest], full) {
  if (!node || typeof node !== 'object') return;
  if (head === 'data' && Array.isArray(node.data)) {
    for (const item of node.data) expandPath(app, item, rest, full);
    return;
  }
  if (head === 'line_items' && node.object === 'checkout.session' && !rest.length) {
    node.line_items = app.checkout.lineItems(node);
    return;
  }
  if (!(head in EXPANDABLE) || !(head in node)) {
    throw invalid(`This property cannot be expanded (${full}).`, {param: 'expand'});
  }
  if (typeof node[head] === 'string') {
    const target = app.bank[EXPANDABLE[head]].get(node[head]);
    if (target) node[head] = clone(target);
  }
  if (rest.length) expandPath(app, node[head], rest, full);
}

// ---- endpoints ----

const HANDLERS = {
  createCustomer(app, p, ids, ctx) {
    return app.bank.createCustomer({email: p.email, name: p.name, description: p.description,
      phone: p.phone, metadata: metadata(p.metadata)}, ctx);
  },

  getCustomer(app, p, [id]) {
    return app.bank.find(app.bank.customers, 'customer', id);
  },

  createSession: (app, p, ids, ctx) => createSession(app, p, ctx),

  getSession(app, p, [id]) {
    const s = app.checkout.get(id);
    if (!s) throw noSuch('checkout.session', id, 'session');
    return s;
  },

  expireSession(app, p, [id], ctx) {
    return app.checkout.expire(HANDLERS.getSession(app, p, [id]), ctx);
  },

  sessionLineItems(app, p, [id]) {
    return app.checkout.lineItems(HANDLERS.getSession(app, p, [id]));
  },

  createPaymentIntent(app, p, ids, ctx) {
    const amount = integer(p, 'amount', {min: 1});
    if (amount === undefined) throw missingParam('amount');
    const cur = currency(p);
    const confirm = bool(p, 'confirm') || false;
    const offSession = offSessionParam(p);
    const customer = p.customer ? app.bank.find(app.bank.customers, 'customer', p.customer, 'customer') : null;
    const pm = p.payment_method ?
      app.bank.find(app.bank.paymentMethods, 'PaymentMethod', p.payment_method, 'payment_method') : null;
    const pi = app.bank.createPaymentIntent({amount, currency: cur,
      customer: customer && customer.id, paymentMethod: pm && pm.id,
      metadata: metadata(p.metadata), description: p.description, receiptEmail: p.receipt_email,
      setupFutureUsage: oneOf(p, 'setup_future_usage', ['on_session', 'off_session']),
      statementDescriptor: p.statement_descriptor,
      statementDescriptorSuffix: p.statement_descriptor_suffix,
      paymentMethodTypes: p.payment_method_types}, ctx);
    ctx.createdPaymentIntent = true;
    if (confirm) app.bank.confirm(pi, {offSession, returnUrl: url(p, 'return_url')}, ctx);
    return pi;
  },

  searchPaymentIntents(app, p) {
    const query = required(p, 'query');
    const limit = integer(p, 'limit', {min: 1}) || 10;
    if (limit > 100) throw badParam('limit', 'This value must be less than or equal to 100.');
    return searchPaymentIntents(app.bank.paymentIntents.values(), String(query),
      {limit, page: p.page, lagMs: app.faults.search_lag_ms,
        createdMs: (pi) => app.bank.createdMs.get(pi.id)});
  },

  getPaymentIntent(app, p, [id]) {
    return app.bank.find(app.bank.paymentIntents, 'payment_intent', id, undefined);
  },

  confirmPaymentIntent(app, p, [id], ctx) {
    const pi = app.bank.find(app.bank.paymentIntents, 'payment_intent', id);
    if (p.payment_method) {
      const pm = app.bank.find(app.bank.paymentMethods, 'PaymentMethod', p.payment_method,
        'payment_method');
      pi.payment_method = pm.id;
      if (pi.status === 'requires_payment_method') pi.status = 'requires_confirmation';
    }
    const sfu = oneOf(p, 'setup_future_usage', ['on_session', 'off_session']);
    if (sfu) pi.setup_future_usage = sfu;
    app.bank.confirm(pi, {offSession: offSessionParam(p), returnUrl: url(p, 'return_url')}, ctx);
    return pi;
  },

  cancelPaymentIntent(app, p, [id], ctx) {
    const pi = app.bank.find(app.bank.paymentIntents, 'payment_intent', id);
    const reason = oneOf(p, 'cancellation_reason',
      ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']);
    return app.bank.cancel(pi, reason, ctx);
  },

  getSetupIntent(app, p, [id]) {
    return app.bank.find(app.bank.setupIntents, 'setupintent', id);
  },

  getPaymentMethod(app, p, [id]) {
    return app.bank.find(app.bank.paymentMethods, 'PaymentMethod', id);
  },

  attachPaymentMethod(app, p, [id], ctx) {
    const pm = app.bank.find(app.bank.paymentMethods, 'PaymentMethod', id);
    const cus = app.bank.find(app.bank.customers, 'customer', required(p, 'customer'), 'customer');
    return app.bank.attach(pm, cus.id, ctx);
  },

  detachPaymentMethod(app, p, [id], ctx) {
    return app.bank.detach(app.bank.find(app.bank.paymentMethods, 'PaymentMethod', id), ctx);
  },

  getCharge(app, p, [id]) {
    return app.bank.find(app.bank.charges, 'charge', id);
  },

  createRefund(app, p, ids, ctx) {
    if (!p.payment_intent && !p.charge) {
      throw new ApiError(400, {type: 'invalid_request_error', code: 'parameter_missing',
        message: 'One of the following params should be provided for this request: ' +
          'payment_intent or charge.'}, {beforeExecution: true});
    }
    return app.bank.refund({paymentIntent: p.payment_intent, charge: p.charge,
      amount: integer(p, 'amount', {min: 1}),
      reason: oneOf(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer']),
      metadata: metadata(p.metadata)}, ctx);
  },

  getRefund(app, p, [id]) {
    return app.bank.find(app.bank.refunds, 'refund', id);
  },

  getDispute(app, p, [id]) {
    return app.bank.find(app.bank.disputes, 'dispute', id);
  },

  getEvent(app, p, [id]) {
    const e = app.webhooks.get(id);
    if (!e) throw noSuch('event', id, 'id');
    return e.event;
  },
};

// off_session=true|false|one_off|recurring
function offSessionParam(p) {
  const v = p.off_session;
  if (v === undefined || v === 'false') return false;
  if (['true', 'one_off', 'recurring'].includes(v)) return true;
  throw badParam('off_session', `Invalid off_session: ${v}`);
}

module.exports = {handle, authenticate};
