'use strict';
// The /v1 routes, the top-level parameters each accepts (taken from the request-parameter
// types of the official `stripe` package, v23, plus the older `payment_method_types`), and
// readers that validate parameters the way Stripe reports bad ones.

const {missingParam, unknownParam, badParam} = require('./http_util');

const PI_CREATE = ['amount', 'currency', 'allowed_payment_method_types', 'amount_details',
  'application_fee_amount', 'automatic_payment_methods', 'capture_method', 'confirm',
  'confirmation_method', 'confirmation_token', 'customer', 'customer_account', 'description',
  'error_on_requires_action', 'excluded_payment_method_types', 'expand', 'hooks', 'mandate',
  'mandate_data', 'metadata', 'off_session', 'on_behalf_of', 'payment_details',
  'payment_method', 'payment_method_configuration', 'payment_method_data',
  'payment_method_options', 'payment_method_types', 'radar_options', 'receipt_email',
  'return_url', 'setup_future_usage', 'shipping', 'statement_descriptor',
  'statement_descriptor_suffix', 'transfer_data', 'transfer_group', 'use_stripe_sdk'];
const PI_CONFIRM = ['allowed_payment_method_types', 'amount_details', 'amount_to_confirm',
  'capture_method', 'confirmation_token', 'error_on_requires_action',
  'excluded_payment_method_types', 'expand', 'hooks', 'mandate', 'mandate_data', 'off_session',
  'payment_details', 'payment_method', 'payment_method_data', 'payment_method_options',
  'payment_method_types', 'radar_options', 'receipt_email', 'return_url', 'setup_future_usage',
  'shipping', 'use_stripe_sdk'];
const CUSTOMER_CREATE = ['address', 'balance', 'business_name', 'cash_balance', 'description',
  'email', 'expand', 'individual_name', 'invoice_prefix', 'invoice_settings', 'metadata', 'name',
  'next_invoice_sequence', 'payment_method', 'phone', 'preferred_locales', 'shipping', 'source',
  'tax', 'tax_exempt', 'tax_id_data', 'test_clock', 'validate'];
const SESSION_CREATE = ['adaptive_pricing', 'after_expiration', 'allow_promotion_codes',
  'allowed_payment_method_types', 'automatic_tax', 'billing_address_collection',
  'branding_settings', 'cancel_url', 'client_reference_id', 'consent_collection', 'currency',
  'custom_fields', 'custom_text', 'customer', 'customer_account', 'customer_creation',
  'customer_email', 'customer_update', 'discounts', 'excluded_payment_method_types', 'expand',
  'expires_at', 'integration_identifier', 'invoice_creation', 'line_items', 'locale',
  'managed_payments', 'metadata', 'mode', 'name_collection', 'optional_items', 'origin_context',
  'payment_intent_data', 'payment_method_collection', 'payment_method_configuration',
  'payment_method_data', 'payment_method_options', 'payment_method_types', 'permissions',
  'phone_number_collection', 'redirect_on_completion', 'return_url',
  'saved_payment_method_options', 'setup_intent_data', 'shipping_address_collection',
  'shipping_options', 'submit_type', 'subscription_data', 'success_url', 'tax_id_collection',
  'ui_mode', 'wallet_options'];
const REFUND_CREATE = ['amount', 'charge', 'currency', 'customer', 'expand', 'instructions_email',
  'metadata', 'origin', 'payment_intent', 'reason', 'refund_application_fee', 'reverse_transfer'];
const RETRIEVE = ['expand', 'client_secret'];

const ID = '([A-Za-z0-9_]+)';
const ROUTES = [
  ['POST', '/v1/customers', 'createCustomer', CUSTOMER_CREATE],
  ['GET', `/v1/customers/${ID}`, 'getCustomer', RETRIEVE],
  ['POST', '/v1/checkout/sessions', 'createSession', SESSION_CREATE],
  ['GET', `/v1/checkout/sessions/${ID}`, 'getSession', RETRIEVE],
  ['POST', `/v1/checkout/sessions/${ID}/expire`, 'expireSession', ['expand']],
  ['GET', `/v1/checkout/sessions/${ID}/line_items`, 'sessionLineItems',
    ['expand', 'limit', 'starting_after', 'ending_before']],
  ['POST', '/v1/payment_intents', 'createPaymentIntent', PI_CREATE],
  ['GET', '/v1/payment_intents/search', 'searchPaymentIntents', ['query', 'expand', 'limit', 'page']],
  ['GET', `/v1/payment_intents/${ID}`, 'getPaymentIntent', RETRIEVE],
  ['POST', `/v1/payment_intents/${ID}/confirm`, 'confirmPaymentIntent', PI_CONFIRM],
  ['POST', `/v1/payment_intents/${ID}/cancel`, 'cancelPaymentIntent', ['cancellation_reason', 'expand']],
  ['GET', `/v1/setup_intents/${ID}`, 'getSetupIntent', RETRIEVE],
  ['GET', `/v1/payment_methods/${ID}`, 'getPaymentMethod', RETRIEVE],
  ['POST', `/v1/payment_methods/${ID}/attach`, 'attachPaymentMethod',
    ['customer', 'customer_account', 'expand']],
  ['POST', `/v1/payment_methods/${ID}/detach`, 'detachPaymentMethod', ['expand']],
  ['GET', `/v1/charges/${ID}`, 'getCharge', RETRIEVE],
  ['POST', '/v1/refunds', 'createRefund', REFUND_CREATE],
  ['GET', `/v1/refunds/${ID}`, 'getRefund', RETRIEVE],
  ['GET', `/v1/disputes/${ID}`, 'getDispute', RETRIEVE],
  ['GET', `/v1/events/${ID}`, 'getEvent', RETRIEVE],
].map(([method, pattern, name, allowed]) =>
  ({method, re: new RegExp(`^${pattern}$`), name, allowed}));

function match(method, path) {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.re.exec(path);
    if (m) return {name: r.name, allowed: r.allowed, ids: m.slice(1)};
  }
  return null;
}

// Stripe refuses parameters an endpoint does not know (parameter_unknown).
function allow(params, allowed) {
  for (const k of Object.keys(params)) if (!allowed.includes(k)) throw unknownParam(k);
}

function required(params, name) {
  if (params[name] === undefined || params[name] === '') throw missingParam(name);
  return params[name];
}

function integer(params, name, {min, label} = {}) {
  const v = params[name];
  const shown = label || name;
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) {
    throw badParam(shown, `Invalid integer: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
      'parameter_invalid_integer');
  }
  const n = Number(v);
  if (min !== undefined && n < min) {
    throw badParam(shown, `This value must be greater than or equal to ${min}.`,
      'parameter_invalid_integer');
  }
  return n;
}

function bool(params, name) {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw badParam(name, `Invalid boolean: ${v}`);
}

function oneOf(params, name, values, label) {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (!values.includes(v)) {
    throw badParam(label || name, `Invalid ${label || name}: must be one of ${values.join(', ')}`);
  }
  return v;
}

// metadata[k]=v; an empty value unsets the key, as on Stripe.
function metadata(value, name = 'metadata') {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badParam(name, 'Invalid object');
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw badParam(`${name}[${k}]`, 'Invalid string');
    if (k.length > 40) {
      throw badParam(`${name}[${k}]`, 'Metadata keys can have up to 40 characters.');
    }
    if (v.length > 500) {
      throw badParam(`${name}[${k}]`, 'Metadata values can have up to 500 characters.');
    }
    if (v !== '') out[k] = v;
  }
  return out;
}

function currency(params, name = 'currency', label) {
  const v = String(required(params, name)).toLowerCase();
  if (!/^[a-z]{3}$/.test(v)) throw badParam(label || name, `Invalid currency: ${v}.`);
  return v;
}

function url(params, name) {
  const v = params[name];
  if (v === undefined) return undefined;
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(String(v)).protocol);
  } catch (e) {
    ok = false;
  }
  if (!ok) throw badParam(name, 'Not a valid URL', 'url_invalid');
  return String(v);
}

module.exports = {match, allow, required, integer, bool, oneOf, metadata, currency, url};
