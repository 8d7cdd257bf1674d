'use strict';
// Self-test of the Stripe stand-in: starts `node standin.js` as the tests do, drives it with the
// official `stripe` client (and raw HTTP where a client would hide what is checked), and
// asserts every documented behaviour the stand-in models. `node selftest.js`; exit 0 = pass.

const {describe, test, before, after} = require('node:test');
const assert = require('node:assert/strict');
const {spawn} = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');
const Stripe = require('stripe');

const KEY = 'sk_test_selftest_0123456789';
const WHSEC = 'whsec_selftest_secret';
let proc;
let base;
let stripe;
let receiver;
let stdoutRest = '';

// ---- helpers ----

function startStandin(args) {
  return new Promise((resolve, reject) => {
    proc = spawn(process.execPath, [path.join(__dirname, 'standin.js'), ...args],
      {stdio: ['ignore', 'pipe', 'inherit']});
    let buf = '';
    proc.stdout.on('data', (d) => {
      if (base) {
        stdoutRest += d;
        return;
      }
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const {port} = JSON.parse(buf.slice(0, nl));
      stdoutRest += buf.slice(nl + 1);
      base = `http://127.0.0.1:${port}`;
      resolve(port);
    });
    proc.on('error', reject);
    proc.on('exit', (code) => !base && reject(new Error(`stand-in exited ${code}`)));
  });
}

function form(obj, prefix) {
  const parts = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v && typeof v === 'object') parts.push(form(v, key));
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
  }
  return parts.filter(Boolean).join('&');
}

// A raw request: resolves {status, headers, text, json} or {error} when the socket dies.
function raw(method, p, {body, headers = {}, auth = KEY, json} = {}) {
  return new Promise((resolve) => {
    const data = json !== undefined ? JSON.stringify(json) :
      body === undefined ? '' : typeof body === 'string' ? body : form(body);
    const h = {'Content-Type': json !== undefined ? 'application/json' :
      'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(data), ...headers};
    if (auth) h.Authorization = `Bearer ${auth}`;
    const req = http.request(base + p, {method, headers: h, agent: false}, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          parsed = undefined;
        }
        resolve({status: res.statusCode, headers: res.headers, text, json: parsed});
      });
    });
    req.on('error', (e) => resolve({error: e}));
    req.end(data);
  });
}

const ctl = async (p, json) => (await raw(json === undefined ? 'GET' : 'POST', '/_standin/' + p,
  {json, auth: null})).json;

function startReceiver() {
  const r = {got: [], failNext: 0};
  r.server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const failed = r.failNext > 0;
      if (failed) r.failNext--;
      r.got.push({headers: req.headers, body, failed, at: Date.now()});
      res.writeHead(failed ? 500 : 200).end(failed ? 'nope' : 'ok');
    });
  });
  return new Promise((resolve) => r.server.listen(0, '127.0.0.1', () => {
    r.url = `http://127.0.0.1:${r.server.address().port}/stripe`;
    resolve(r);
  }));
}

// Waits for a delivered (2xx) event of `type` about object `id`; returns the verified event.
async function delivered(type, id, timeout = 4000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const g of receiver.got) {
      if (g.failed) continue;
      const ev = JSON.parse(g.body);
      if (ev.type === type && (!id || ev.data.object.id === id)) {
        return Stripe.webhooks.constructEvent(g.body, g.headers['stripe-signature'], WHSEC);
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${type} for ${id} delivered`);
}

async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function fixtures() {
  const candidates = [process.env.STRIPE_FIXTURES,
    path.join(__dirname, '../../../shared/reference/providers/stripe/fixtures3.json'),
    '/work/shared/reference/providers/stripe/fixtures3.json'].filter(Boolean);
  const file = candidates.find((f) => fs.existsSync(f));
  return file ? JSON.parse(fs.readFileSync(file, 'utf8')).resources : null;
}

function sameKeys(obj, resource, fx) {
  if (!fx) return;
  assert.deepEqual(Object.keys(obj).sort(), Object.keys(fx[resource]).sort(), `${resource} keys`);
}

const lineItem = {price_data: {currency: 'eur', unit_amount: 1499, product_data: {name: 'Pro'}},
  quantity: 1};

async function paymentSession(extra = {}) {
  const cus = await stripe.customers.create({email: 'pay@example.com'});
  return stripe.checkout.sessions.create({mode: 'payment', customer: cus.id,
    line_items: [lineItem], success_url: 'http://127.0.0.1:9/ok?cs={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:9/cancel',
    payment_intent_data: {setup_future_usage: 'off_session', metadata: {jopay_key: 'k-first'}},
    ...extra});
}

// A card saved through Checkout in setup mode: {customer, pm, session}.
async function savedCard(card) {
  const s = await stripe.checkout.sessions.create({mode: 'setup', currency: 'eur',
    customer_email: `${card}@example.com`, customer_creation: 'always',
    success_url: 'http://127.0.0.1:9/ok?cs={CHECKOUT_SESSION_ID}',
    setup_intent_data: {metadata: {jopay_subscription: 'sub_x'}}});
  const done = await ctl(`checkout/${s.id}/complete`, {card});
  assert.ok(done.redirect, JSON.stringify(done));
  const full = await stripe.checkout.sessions.retrieve(s.id, {expand: ['setup_intent.payment_method']});
  return {customer: full.customer, pm: full.setup_intent.payment_method, session: full};
}

function offSession(customer, pm, extra = {}, opts = {}) {
  return stripe.paymentIntents.create({amount: 1499, currency: 'eur', customer, payment_method: pm,
    off_session: true, confirm: true, metadata: {jopay_subscription: 'sub_1',
      jopay_period_start: '2025-02-01', jopay_key: 'k-' + Math.random()}, ...extra}, opts);
}

// ---- the tests ----

describe('stripe stand-in', () => {
  const fx = fixtures();

  before(async () => {
    receiver = await startReceiver();
    const port = await startStandin(['--port', '0', '--secret-key', KEY,
      '--webhook-url', receiver.url, '--webhook-secret', WHSEC]);
    stripe = new Stripe(KEY, {host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0});
  });

  after(() => {
    receiver.server.close();
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });

  test('fixtures3.json found (object key sets are checked against it)', (t) => {
    if (!fx) t.skip('fixtures3.json not found (set STRIPE_FIXTURES); key-set checks are skipped');
  });

  test('authentication: missing and wrong keys answer 401', async () => {
    const none = await raw('GET', '/v1/customers/cus_x', {auth: null});
    assert.equal(none.status, 401);
    assert.equal(none.json.error.type, 'invalid_request_error');
    assert.match(none.json.error.message, /You did not provide an API key/);
    assert.match(none.headers['request-id'], /^req_/);
    const bad = new Stripe('sk_test_wrong_key_123456', {host: '127.0.0.1',
      port: Number(new URL(base).port), protocol: 'http'});
    const e = await rejects(bad.customers.create({email: 'x@example.com'}));
    assert.equal(e.type, 'StripeAuthenticationError');
    assert.match(e.raw.message, /^Invalid API Key provided: sk_test_\*+3456$/);
  });

  test('customers, 404 resource_missing, parameter errors', async () => {
    const cus = await stripe.customers.create({email: 'a@example.com', name: 'A',
      metadata: {jopay_customer: 'c1'}});
    assert.match(cus.id, /^cus_/);
    sameKeys(cus, 'customer', fx);
    assert.deepEqual((await stripe.customers.retrieve(cus.id)).metadata, {jopay_customer: 'c1'});
    const missing = await rejects(stripe.customers.retrieve('cus_nope'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'resource_missing');
    assert.equal(missing.param, 'id');
    assert.equal(missing.raw.message, "No such customer: 'cus_nope'");
    const noAmount = await raw('POST', '/v1/payment_intents', {body: {currency: 'eur'}});
    assert.equal(noAmount.status, 400);
    assert.deepEqual([noAmount.json.error.code, noAmount.json.error.param],
      ['parameter_missing', 'amount']);
    const unknown = await rejects(stripe.customers.create({emali: 'x'}));
    assert.equal(unknown.code, 'parameter_unknown');
    const badCus = await rejects(stripe.paymentIntents.create({amount: 100, currency: 'eur',
      customer: 'cus_nope'}));
    assert.deepEqual([badCus.statusCode, badCus.code, badCus.param], [400, 'resource_missing', 'customer']);
  });

  test('checkout payment mode through the hosted page', async () => {
    const s = await paymentSession();
    sameKeys(s, 'checkout.session', fx);
    assert.match(s.id, /^cs_test_/);
    assert.equal(s.url, `${base}/pay/${s.id}`);
    assert.deepEqual([s.status, s.payment_status, s.amount_total, s.currency],
      ['open', 'unpaid', 1499, 'eur']);
    const pageRes = await raw('GET', `/pay/${s.id}`, {auth: null});
    assert.match(pageRes.text, /<form method="post"/);
    const declined = await raw('POST', `/pay/${s.id}`, {body: {card: '4000000000000002'}, auth: null});
    assert.equal(declined.status, 200);
    assert.match(declined.text, /Your card was declined\./);
    assert.equal((await stripe.checkout.sessions.retrieve(s.id)).status, 'open');
    const paid = await raw('POST', `/pay/${s.id}`, {body: {card: '4242 4242 4242 4242', exp: '12/34'},
      auth: null});
    assert.equal(paid.status, 303);
    assert.equal(paid.headers.location, `http://127.0.0.1:9/ok?cs=${s.id}`);
    const full = await stripe.checkout.sessions.retrieve(s.id, {expand: ['payment_intent.payment_method']});
    assert.deepEqual([full.status, full.payment_status], ['complete', 'paid']);
    const pi = full.payment_intent;
    sameKeys(pi, 'payment_intent', fx);
    sameKeys(pi.payment_method, 'payment_method', fx);
    assert.deepEqual([pi.status, pi.setup_future_usage, pi.customer], ['succeeded', 'off_session', s.customer]);
    assert.deepEqual([pi.payment_method.customer, pi.payment_method.card.last4,
      pi.payment_method.card.exp_year], [s.customer, '4242', 2034]);
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    sameKeys(ch, 'charge', fx);
    assert.deepEqual([ch.status, ch.amount, ch.paid], ['succeeded', 1499, true]);
    const ev = await delivered('checkout.session.completed', s.id);
    sameKeys(ev, 'event', fx);
    await delivered('payment_intent.succeeded', pi.id);
  });

  test('checkout setup mode, test cards refused and accepted at checkout', async () => {
    for (const [card, code, decline] of [['4000000000000002', 'card_declined', 'generic_decline'],
      ['4000000000009995', 'card_declined', 'insufficient_funds'],
      ['4000000000000069', 'expired_card', 'expired_card']]) {
      const s = await stripe.checkout.sessions.create({mode: 'setup', currency: 'eur',
        customer_creation: 'always', success_url: 'http://127.0.0.1:9/ok'});
      const r = await raw('POST', `/_standin/checkout/${s.id}/complete`, {json: {card}, auth: null});
      assert.equal(r.status, 402);
      assert.deepEqual([r.json.error.code, r.json.error.decline_code], [code, decline]);
      assert.equal(r.json.session.status, 'open');
    }
    const {customer, pm, session} = await savedCard('4000000000000341');
    assert.equal(session.payment_status, 'no_payment_required');
    sameKeys(session.setup_intent, 'setup_intent', fx);
    assert.deepEqual([session.setup_intent.status, session.setup_intent.usage, pm.customer],
      ['succeeded', 'off_session', customer]);
    await delivered('setup_intent.succeeded', session.setup_intent.id);
    await delivered('checkout.session.completed', session.id);
  });

  test('off-session charges: success and Stripe-shaped 402 declines', async () => {
    const good = await savedCard('4242424242424242');
    const pi = await offSession(good.customer, good.pm.id);
    assert.deepEqual([pi.status, pi.amount_received], ['succeeded', 1499]);
    assert.match(pi.latest_charge, /^ch_/);
    const failing = await savedCard('4000000000000341');
    const e = await rejects(offSession(failing.customer, failing.pm.id));
    assert.equal(e.type, 'StripeCardError');
    assert.equal(e.statusCode, 402);
    assert.deepEqual([e.raw.type, e.code, e.decline_code], ['card_error', 'card_declined', 'generic_decline']);
    assert.match(e.raw.charge, /^ch_/);
    assert.equal(e.raw.payment_method.id, failing.pm.id);
    const failedPi = e.raw.payment_intent;
    sameKeys(failedPi, 'payment_intent', fx);
    assert.equal(failedPi.status, 'requires_payment_method');
    assert.equal(failedPi.last_payment_error.code, 'card_declined');
    assert.equal((await stripe.charges.retrieve(e.raw.charge)).status, 'failed');
    await delivered('payment_intent.payment_failed', failedPi.id);
  });

  test('4000002760003184: off-session needs authentication, on-session 3DS redirect', async () => {
    const card = await savedCard('4000002760003184');
    const e = await rejects(offSession(card.customer, card.pm.id));
    assert.deepEqual([e.statusCode, e.code, e.decline_code],
      [402, 'authentication_required', 'authentication_required']);
    const pi = e.raw.payment_intent;
    assert.equal(pi.status, 'requires_payment_method');
    const again = await stripe.paymentIntents.confirm(pi.id, {payment_method: card.pm.id,
      return_url: 'http://127.0.0.1:9/back?x=1'});
    assert.equal(again.status, 'requires_action');
    assert.equal(again.next_action.type, 'redirect_to_url');
    assert.equal(again.next_action.redirect_to_url.url, `${base}/authenticate/${pi.id}`);
    assert.equal(again.next_action.redirect_to_url.return_url, 'http://127.0.0.1:9/back?x=1');
    assert.match((await raw('GET', `/authenticate/${pi.id}`, {auth: null})).text, /Complete authentication/);
    const back = await raw('POST', `/authenticate/${pi.id}`, {body: {action: 'complete'}, auth: null});
    assert.equal(back.status, 303);
    const loc = new URL(back.headers.location);
    assert.equal(loc.searchParams.get('payment_intent'), pi.id);
    assert.equal(loc.searchParams.get('payment_intent_client_secret'), again.client_secret);
    assert.equal(loc.searchParams.get('redirect_status'), 'succeeded');
    assert.equal(loc.searchParams.get('x'), '1');
    const done = await stripe.paymentIntents.retrieve(pi.id);
    assert.equal(done.status, 'succeeded');
    assert.match(done.latest_charge, /^ch_/);
    await delivered('payment_intent.succeeded', pi.id);
    // The control twin, on a fresh on-session PaymentIntent.
    const on = await stripe.paymentIntents.create({amount: 500, currency: 'eur',
      customer: card.customer, payment_method: card.pm.id, confirm: true,
      return_url: 'http://127.0.0.1:9/back'});
    assert.equal(on.status, 'requires_action');
    const twin = await ctl(`authenticate/${on.id}`, {});
    assert.equal(twin.payment_intent.status, 'succeeded');
    assert.match(twin.redirect, /redirect_status=succeeded/);
  });

  test('retrievals, expand, Stripe-Version, 0341 refused in payment mode', async () => {
    const card = await savedCard('4242424242424242');
    const pm = await stripe.paymentMethods.retrieve(card.pm.id);
    assert.deepEqual([pm.object, pm.type, pm.card.brand, pm.card.last4], ['payment_method', 'card', 'visa', '4242']);
    const si = await stripe.setupIntents.retrieve(card.session.setup_intent.id, {expand: ['payment_method']});
    assert.equal(si.payment_method.id, pm.id);
    const v = await raw('GET', `/v1/payment_methods/${pm.id}`, {headers: {'Stripe-Version': '2024-06-20'}});
    assert.deepEqual([v.status, v.headers['stripe-version']], [200, '2024-06-20']);
    const badExpand = await rejects(stripe.paymentMethods.retrieve(pm.id, {expand: ['card']}));
    assert.equal(badExpand.statusCode, 400);
    const s = await paymentSession();
    const first = await ctl(`checkout/${s.id}/complete`, {card: '4000000000000341'});
    assert.deepEqual([first.error.code, first.session.status], ['card_declined', 'open']);
    const second = await ctl(`checkout/${s.id}/complete`, {card: '4242424242424242'});
    assert.equal(second.session.status, 'complete');
    const invalid = await rejects(stripe.checkout.sessions.create({mode: 'payment',
      line_items: [{price_data: {currency: 'eur', product_data: {name: 'x'}}, quantity: 1}]}));
    assert.deepEqual([invalid.code, invalid.param], ['parameter_missing', 'line_items[0][price_data][unit_amount]']);
  });

  test('idempotency: replay, mismatch, in-flight 409, long keys', async () => {
    const card = await savedCard('4242424242424242');
    const body = {amount: 700, currency: 'eur', customer: card.customer,
      payment_method: card.pm.id, off_session: 'true', confirm: 'true', 'metadata[jopay_key]': 'idem'};
    const before = (await ctl('stats')).payment_intents_created;
    const first = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'key-1'}});
    const second = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'key-1'}});
    assert.equal(first.status, 200);
    assert.equal(second.text, first.text);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const stats = await ctl('stats');
    assert.equal(stats.payment_intents_created, before + 1);
    assert.equal(stats.charges_by_key['key-1'], 1);
    const other = await rejects(stripe.paymentIntents.create({amount: 701, currency: 'eur'},
      {idempotencyKey: 'key-1'}));
    assert.equal(other.type, 'StripeIdempotencyError');
    assert.equal(other.statusCode, 400);
    // A decline is replayed too, status and body.
    const bad = await savedCard('4000000000000341');
    const dBody = {...body, customer: bad.customer, payment_method: bad.pm.id};
    const d1 = await raw('POST', '/v1/payment_intents', {body: dBody, headers: {'Idempotency-Key': 'key-2'}});
    const d2 = await raw('POST', '/v1/payment_intents', {body: dBody, headers: {'Idempotency-Key': 'key-2'}});
    assert.deepEqual([d1.status, d2.status, d2.text === d1.text, d2.headers['idempotent-replayed']],
      [402, 402, true, 'true']);
    // A second request while the first still runs.
    await ctl('faults', {latency_ms: 300});
    const [a, b] = await Promise.all([
      raw('POST', '/v1/customers', {body: {email: 'c@example.com'}, headers: {'Idempotency-Key': 'key-3'}}),
      new Promise((r) => setTimeout(r, 80)).then(() =>
        raw('POST', '/v1/customers', {body: {email: 'c@example.com'}, headers: {'Idempotency-Key': 'key-3'}}))]);
    await ctl('faults', {latency_ms: 0});
    const [done, busy] = a.status === 409 ? [b, a] : [a, b];
    assert.deepEqual([done.status, busy.status], [200, 409]);
    assert.equal(busy.json.error.code, 'idempotency_key_in_use');
    const long = await raw('POST', '/v1/customers', {body: {}, headers: {'Idempotency-Key': 'k'.repeat(256)}});
    assert.equal(long.status, 400);
  });

  test('search by metadata', async () => {
    const card = await savedCard('4242424242424242');
    const pi = await offSession(card.customer, card.pm.id, {metadata: {jopay_key: 'search-me'}});
    const found = await stripe.paymentIntents.search({query: "metadata['jopay_key']:'search-me'"});
    assert.deepEqual([found.object, found.data.length, found.data[0].id], ['search_result', 1, pi.id]);
    const both = await stripe.paymentIntents.search(
      {query: "metadata['jopay_key']:'search-me' AND status:'succeeded'"});
    assert.equal(both.data.length, 1);
    const none = await stripe.paymentIntents.search({query: "metadata['jopay_key']:'nothing'"});
    assert.equal(none.data.length, 0);
    const bad = await rejects(stripe.paymentIntents.search({query: 'metadata[jopay_key'}));
    assert.equal(bad.statusCode, 400);
  });

  test('refunds: partial, too much, the rest, already refunded', async () => {
    const card = await savedCard('4242424242424242');
    const pi = await offSession(card.customer, card.pm.id);
    const r1 = await stripe.refunds.create({payment_intent: pi.id, amount: 500,
      reason: 'requested_by_customer', metadata: {jopay_refund: 'r1'}});
    sameKeys(r1, 'refund', fx);
    assert.deepEqual([r1.status, r1.amount, r1.charge], ['succeeded', 500, pi.latest_charge]);
    assert.equal((await stripe.refunds.retrieve(r1.id)).id, r1.id);
    const tooMuch = await rejects(stripe.refunds.create({payment_intent: pi.id, amount: 2000}));
    assert.deepEqual([tooMuch.statusCode, tooMuch.param, tooMuch.code], [400, 'amount', undefined]);
    assert.match(tooMuch.raw.message, /^Refund amount \(€20\.00\) is greater than unrefunded amount on charge \(€9\.99\)/);
    const rest = await stripe.refunds.create({payment_intent: pi.id});
    assert.equal(rest.amount, 999);
    const ch = await stripe.charges.retrieve(pi.latest_charge);
    assert.deepEqual([ch.amount_refunded, ch.refunded], [1499, true]);
    const again = await rejects(stripe.refunds.create({payment_intent: pi.id}));
    assert.equal(again.code, 'charge_already_refunded');
    await delivered('refund.created', r1.id);
    const refunded = await delivered('charge.refunded', ch.id);
    assert.ok(refunded.data.previous_attributes);
  });

  test('disputes, card updates, detach', async () => {
    const card = await savedCard('5555555555554444');
    const pi = await offSession(card.customer, card.pm.id);
    const dp = await ctl('dispute', {payment_intent: pi.id});
    assert.match(dp.id, /^dp_/);
    sameKeys(dp, 'dispute', fx);
    await delivered('charge.dispute.created', dp.id);
    assert.equal((await ctl('dispute/close', {dispute: dp.id, status: 'won'})).status, 'won');
    await delivered('charge.dispute.closed', dp.id);
    const upd = await ctl('payment_method_updated', {payment_method: card.pm.id});
    assert.notEqual(upd.card.last4, card.pm.card.last4);
    assert.equal(upd.card.exp_year, card.pm.card.exp_year + 3);
    const ev = await delivered('payment_method.automatically_updated', card.pm.id);
    assert.equal(ev.data.previous_attributes.card.last4, card.pm.card.last4);
    const det = await stripe.paymentMethods.detach(card.pm.id);
    assert.equal(det.customer, null);
    await delivered('payment_method.detached', card.pm.id);
    const reuse = await rejects(offSession(card.customer, card.pm.id));
    assert.equal(reuse.statusCode, 400);
  });

  test('events: retrieval, signed_event, send_event, secret rolls, tolerance', async () => {
    const events = (await ctl('events?type=payment_intent.succeeded')).data;
    const last = events[events.length - 1];
    const ev = await stripe.events.retrieve(last.id);
    assert.deepEqual([ev.object, ev.type, ev.data.object.object], ['event', 'payment_intent.succeeded', 'payment_intent']);
    assert.ok('idempotency_key' in ev.request && 'id' in ev.request);
    const s = await ctl('signed_event', {id: ev.id});
    assert.equal(JSON.parse(s.payload).id, ev.id);
    assert.equal(Stripe.webhooks.constructEvent(s.payload, s.header, WHSEC).id, ev.id);
    const old = await ctl('signed_event', {id: ev.id, timestamp: Math.floor(Date.now() / 1000) - 3600});
    assert.throws(() => Stripe.webhooks.constructEvent(old.payload, old.header, WHSEC), /tolerance/);
    const roll = await ctl('signed_event', {id: ev.id, secrets: ['whsec_old', WHSEC]});
    assert.equal(roll.header.split(',').filter((p) => p.startsWith('v1=')).length, 2);
    Stripe.webhooks.constructEvent(roll.payload, roll.header, 'whsec_old');
    const custom = await ctl('signed_event', {event: {id: 'evt_custom', object: 'event', type: 'x.y'}});
    assert.equal(Stripe.webhooks.constructEvent(custom.payload, custom.header, WHSEC).id, 'evt_custom');
    const sent = await ctl('send_event', {id: ev.id});
    assert.equal(sent.status, 200);
  });

  test('webhook delivery: off/on, delay, retries', async () => {
    await ctl('webhooks', {enabled: false});
    const cus = await stripe.customers.create({email: 'quiet@example.com'});
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!receiver.got.some((g) => JSON.parse(g.body).data.object.id === cus.id));
    const t0 = Date.now();
    await ctl('webhooks', {enabled: true, delay_ms: 300});
    await delivered('customer.created', cus.id);
    assert.ok(Date.now() - t0 >= 290, 'delivered after the delay');
    await ctl('webhooks', {delay_ms: 0, retry_base_ms: 50});
    receiver.failNext = 2;
    const c2 = await stripe.customers.create({email: 'retry@example.com'});
    await delivered('customer.created', c2.id);
    const attempts = (await ctl('webhooks')).deliveries.filter((d) =>
      receiver.got.some((g) => JSON.parse(g.body).id === d.event_id && JSON.parse(g.body).data.object.id === c2.id));
    assert.deepEqual(attempts.map((d) => d.status), [500, 500, 200]);
  });

  test('faults: 500 without effect, lost answers, latency', async () => {
    const card = await savedCard('4242424242424242');
    const body = {amount: 900, currency: 'eur', customer: card.customer, payment_method: card.pm.id,
      off_session: 'true', confirm: 'true'};
    await ctl('reset', {});
    await ctl('faults', {fail_next: {count: 1, status: 500}});
    const failed = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'f-1'}});
    assert.deepEqual([failed.status, failed.json.error.type], [500, 'api_error']);
    assert.equal((await ctl('stats')).payment_intents_created, 0);
    const retried = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'f-1'}});
    assert.equal(retried.status, 200);
    await ctl('faults', {close_after_charge_next: 1});
    const lost = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'f-2'}});
    assert.ok(lost.error, 'the socket was closed without an answer');
    const recovered = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'f-2'}});
    assert.deepEqual([recovered.status, recovered.headers['idempotent-replayed'], recovered.json.status],
      [200, 'true', 'succeeded']);
    const stats = await ctl('stats');
    assert.deepEqual([stats.charges_by_key['f-2'], stats.payment_intents_created, stats.connections_closed],
      [1, 2, 1]);
    assert.equal(stats.succeeded_by_period['|'], undefined);
    await ctl('faults', {fail_next: {count: 1, status: 503, replay: true}});
    const saved = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'f-3'}});
    const replayed = await raw('POST', '/v1/payment_intents', {body, headers: {'Idempotency-Key': 'f-3'}});
    assert.deepEqual([saved.status, replayed.status, replayed.headers['idempotent-replayed']], [503, 503, 'true']);
    // The official client retries a closed connection once, with the same key: it gets the replay.
    await ctl('faults', {close_after_charge_next: 1});
    const viaClient = await stripe.paymentIntents.create({amount: 900, currency: 'eur',
      customer: card.customer, payment_method: card.pm.id, off_session: true, confirm: true},
    {idempotencyKey: 'f-4'});
    assert.equal(viaClient.status, 'succeeded');
    assert.equal((await ctl('stats')).charges_by_key['f-4'], 1);
    await ctl('faults', {latency_ms: 150});
    const t0 = Date.now();
    await stripe.customers.retrieve(card.customer);
    assert.ok(Date.now() - t0 >= 140);
    await ctl('faults', {latency_ms: 0});
  });

  test('rate limits: token bucket 429 and forced 429s', async () => {
    await ctl('reset', {});
    await ctl('faults', {rate_limit_per_s: 5});
    const results = await Promise.all(Array.from({length: 15}, () => raw('GET', '/v1/customers/cus_none')));
    const limited = results.filter((r) => r.status === 429);
    assert.ok(limited.length >= 8, `${limited.length} rate limited`);
    assert.equal(limited[0].json.error.code, 'rate_limit');
    assert.equal(limited[0].headers['stripe-should-retry'], 'true');
    const stats = await ctl('stats');
    assert.equal(stats.rejected_429, limited.length);
    assert.equal(stats.max_requests_in_any_second, 15);
    await ctl('faults', {rate_limit_per_s: 0, status_429_next: 1});
    const e = await rejects(stripe.customers.create({email: 'x@example.com'}));
    assert.equal(e.type, 'StripeRateLimitError');
    await ctl('reset', {});
  });

  test('sessions expire; stats survive nothing but reset keeps objects', async () => {
    const s = await paymentSession();
    const expired = await stripe.checkout.sessions.expire(s.id);
    assert.equal(expired.status, 'expired');
    const r = await raw('POST', `/_standin/checkout/${s.id}/complete`, {json: {card: '4242424242424242'}, auth: null});
    assert.equal(r.status, 402);
    const tooLate = await rejects(stripe.checkout.sessions.create({mode: 'setup', currency: 'eur',
      expires_at: Math.floor(Date.now() / 1000) + 48 * 3600}));
    assert.equal(tooLate.param, 'expires_at');
    await ctl('reset', {});
    const stats = await ctl('stats');
    assert.equal(stats.total_requests, 0);
    assert.equal((await stripe.checkout.sessions.retrieve(s.id)).id, s.id);
  });

  test('stdout carries only the port line; SIGTERM stops the stand-in', async () => {
    assert.equal(stdoutRest, '');
    const code = await new Promise((resolve) => {
      proc.on('exit', (c) => resolve(c));
      proc.kill('SIGTERM');
    });
    assert.equal(code, 0);
  });
});
