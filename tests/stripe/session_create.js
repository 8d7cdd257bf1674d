'use strict';
// POST /v1/checkout/sessions: validates the parameters (mode, line_items with price_data,
// customer / customer_email / customer_creation, URLs, expires_at, the per-mode
// payment_intent_data / setup_intent_data) and creates the session.

const {ApiError, badParam, missingParam, noSuch, nowSeconds} = require('./http_util');
const {integer, oneOf, metadata, currency, url} = require('./params');

const MIN_EXPIRY = 30 * 60; // expires_at: 30 minutes to 24 hours after creation
const MAX_EXPIRY = 24 * 3600;

function createSession(app, p, ctx) {
  const mode = oneOf(p, 'mode', ['payment', 'setup', 'subscription']);
  if (!mode) throw missingParam('mode');
  if (mode === 'subscription') {
    throw badParam('mode', 'This stand-in supports mode=payment and mode=setup only.');
  }
  if (p.customer && p.customer_email) {
    throw new ApiError(400, {type: 'invalid_request_error', code: 'parameters_exclusive',
      message: 'You may only specify one of these parameters: customer, customer_email.'},
    {beforeExecution: true});
  }
  const customer = p.customer ?
    app.bank.find(app.bank.customers, 'customer', p.customer, 'customer') : null;
  const now = nowSeconds();
  const expiresAt = integer(p, 'expires_at');
  if (expiresAt !== undefined && expiresAt > now + MAX_EXPIRY) {
    throw badParam('expires_at', 'The `expires_at` timestamp must be less than 24 hours from ' +
      'Checkout Session creation.');
  }
  if (expiresAt !== undefined && expiresAt < now + MIN_EXPIRY) {
    throw badParam('expires_at', 'The `expires_at` timestamp must be at least 30 minutes from ' +
      'Checkout Session creation.');
  }
  if (p.client_reference_id !== undefined && String(p.client_reference_id).length > 200) {
    throw badParam('client_reference_id', 'client_reference_id can have up to 200 characters.');
  }
  const wrongData = mode === 'setup' ? 'payment_intent_data' : 'setup_intent_data';
  if (p[wrongData] !== undefined) {
    throw badParam(wrongData, `You can not pass \`${wrongData}\` in \`${mode}\` mode.`);
  }
  const common = {
    mode, successUrl: url(p, 'success_url'), cancelUrl: url(p, 'cancel_url'),
    clientReferenceId: p.client_reference_id, metadata: metadata(p.metadata),
    customer: customer && customer.id, customerEmail: p.customer_email,
    customerCreation: oneOf(p, 'customer_creation', ['always', 'if_required']),
    locale: p.locale, expiresAt: expiresAt || now + MAX_EXPIRY,
  };
  if (mode === 'setup') {
    if (p.currency === undefined && p.payment_method_types === undefined) {
      throw missingParam('currency');
    }
    const data = p.setup_intent_data || {};
    return app.checkout.create({...common, amountTotal: null,
      currency: p.currency !== undefined ? currency(p) : null,
      setupIntentData: {metadata: metadata(data.metadata, 'setup_intent_data[metadata]'),
        description: data.description}}, ctx);
  }
  const items = lineItems(p.line_items);
  const data = p.payment_intent_data || {};
  const sfu = oneOf(data, 'setup_future_usage', ['on_session', 'off_session'],
    'payment_intent_data[setup_future_usage]');
  return app.checkout.create({...common, items, currency: items[0].currency,
    amountTotal: items.reduce((sum, it) => sum + it.amount * it.quantity, 0),
    paymentIntentData: {metadata: metadata(data.metadata, 'payment_intent_data[metadata]'),
      description: data.description, setup_future_usage: sfu, receipt_email: data.receipt_email,
      statement_descriptor: data.statement_descriptor}}, ctx);
}

// line_items[i][price_data][currency|unit_amount|product_data][name], line_items[i][quantity]
function lineItems(raw) {
  if (raw === undefined || !Array.isArray(raw) || raw.length === 0) {
    throw missingParam('line_items');
  }
  const items = raw.map((li, i) => {
    const at = (k) => `line_items[${i}][${k}]`;
    if (li.price !== undefined) throw noSuch('price', li.price, at('price'), 400);
    const pd = li.price_data;
    if (!pd) throw missingParam(at('price_data'));
    const quantity = integer(li, 'quantity', {min: 1, label: at('quantity')});
    if (quantity === undefined) throw missingParam(at('quantity'));
    const amount = integer(pd, 'unit_amount', {min: 0, label: at('price_data][unit_amount')});
    if (amount === undefined) throw missingParam(at('price_data][unit_amount'));
    const name = pd.product_data && pd.product_data.name;
    if (!name && pd.product === undefined) throw missingParam(at('price_data][product_data][name'));
    if (pd.currency === undefined) throw missingParam(at('price_data][currency'));
    return {currency: currency(pd, 'currency', at('price_data][currency')), amount, quantity,
      name: name || pd.product};
  });
  if (new Set(items.map((it) => it.currency)).size > 1) {
    throw badParam('line_items', 'All line items must use the same currency.');
  }
  return items;
}

module.exports = {createSession};
