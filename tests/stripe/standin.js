#!/usr/bin/env node
'use strict';
// A local stand-in for the Stripe API, for JoPay's tests (which cannot reach Stripe). It
// answers as Stripe documents, with the object shapes of Stripe's published fixtures, and adds
// hosted pages where a test acts as the customer and /_standin/* control routes.
//
//   node standin.js --port 0 [--host 127.0.0.1] [--secret-key sk_test_...]
//                   [--webhook-url URL --webhook-secret whsec_...]
//                   [--latency-ms N] [--rate-limit N] [--api-version V] [--warmup N]
//
// Prints one line, {"port": N}, on stdout once listening; logs (rarely) to stderr only.

const http = require('http');
const api = require('./api');
const control = require('./control');
const pages = require('./pages');
const {Bank} = require('./bank');
const {Checkout} = require('./checkout');
const {Faults, Stats} = require('./faults');
const {Idempotency} = require('./idempotency');
const {Webhooks} = require('./webhooks');
const {sendJson} = require('./http_util');

const DEFAULT_API_VERSION = '2025-03-31.basil';

function parseArgs(argv) {
  const opts = {port: 0, host: '127.0.0.1', secretKey: null, webhookUrl: null,
    webhookSecret: null, latencyMs: 0, rateLimit: null, apiVersion: null, warmup: 0};
  const names = {'--port': 'port', '--host': 'host', '--secret-key': 'secretKey',
    '--webhook-url': 'webhookUrl', '--webhook-secret': 'webhookSecret',
    '--latency-ms': 'latencyMs', '--rate-limit': 'rateLimit', '--api-version': 'apiVersion',
    '--warmup': 'warmup'};
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s);
    if (!(flag in names)) throw new Error(`unknown option ${flag}`);
    if (value === undefined) value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    opts[names[flag]] = value;
  }
  opts.port = Number(opts.port);
  opts.latencyMs = Number(opts.latencyMs) || 0;
  opts.rateLimit = opts.rateLimit === null ? null : Number(opts.rateLimit);
  opts.warmup = Number(opts.warmup) || 0;
  return opts;
}

function defaultApiVersion() {
  try {
    return require('stripe').API_VERSION || DEFAULT_API_VERSION;
  } catch (e) {
    return DEFAULT_API_VERSION;
  }
}

// Everything the modules share; `base` is known once the server listens.
function makeApp(opts) {
  const livemode = /^(sk|rk)_live_/.test(opts.secretKey || '');
  const app = {
    secretKey: opts.secretKey, livemode, apiVersion: opts.apiVersion || defaultApiVersion(),
    base: null,
    log: (msg) => process.stderr.write(`[stripe-standin] ${msg}\n`),
  };
  app.stats = new Stats();
  app.faults = new Faults({latencyMs: opts.latencyMs, rateLimit: opts.rateLimit});
  app.idempotency = new Idempotency();
  app.webhooks = new Webhooks({url: opts.webhookUrl, secret: opts.webhookSecret, livemode,
    apiVersion: app.apiVersion, log: app.log});
  app.bank = new Bank({base: () => app.base, livemode, webhooks: app.webhooks, stats: app.stats});
  app.checkout = new Checkout(app.bank);
  return app;
}

// Runs `n` charges through a throwaway instance so V8 has optimized the hot paths before the
// first real request (load tests measure a burst from a cold start otherwise).
function warmUp(n) {
  const app = makeApp({});
  app.base = 'http://127.0.0.1';
  const cus = app.bank.createCustomer({email: 'warm@example.com'}, {});
  const {pm} = app.bank.createPaymentMethod({number: '4242424242424242'});
  app.bank.attach(pm, cus.id, {});
  const {parseForm, canonical} = require('./http_util');
  const form = `amount=100&currency=eur&customer=${cus.id}&payment_method=${pm.id}` +
    '&off_session=true&confirm=true&metadata[a]=b';
  for (let i = 0; i < n; i++) {
    const params = parseForm(form);
    app.idempotency.check(`w${i}`, 'POST', '/v1/payment_intents', canonical(params));
    const pi = app.bank.createPaymentIntent({amount: 100, currency: 'eur', customer: cus.id,
      paymentMethod: pm.id, metadata: params.metadata}, {});
    app.bank.confirm(pi, {offSession: true}, {});
    JSON.stringify(pi);
  }
}

function makeServer(app) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://standin');
    let work;
    if (url.pathname.startsWith('/v1/')) work = api.handle(app, req, res, url);
    else if (url.pathname.startsWith('/_standin/')) work = control.handle(app, req, res, url);
    else if (/^\/(pay|authenticate|receipts)\//.test(url.pathname)) work = pages.handle(app, req, res, url);
    else work = Promise.resolve(sendJson(res, 404, {error: {message: 'not found'}}));
    work.catch((e) => {
      app.log(`unhandled: ${e.stack || e}`);
      if (!res.headersSent) sendJson(res, 500, {error: {type: 'api_error', message: 'An unknown error occurred'}});
    });
  });
  // Many long-lived keep-alive connections, as an HTTP client pool holds them.
  server.keepAliveTimeout = 65000;
  server.headersTimeout = 66000;
  server.requestTimeout = 0;
  server.maxHeadersCount = 200;
  return server;
}

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  if (opts.warmup > 0) warmUp(opts.warmup);
  const app = makeApp(opts);
  const server = makeServer(app);
  server.listen(opts.port, opts.host, () => {
    const {port} = server.address();
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    app.base = `http://${host}:${port}`;
    process.stdout.write(JSON.stringify({port}) + '\n');
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main();

module.exports = {makeApp, makeServer, parseArgs};
