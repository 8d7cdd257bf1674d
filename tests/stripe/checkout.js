'use strict';
// Checkout Sessions: creation, expiry, and the customer's part (the hosted page's submit and
// its control-route twin). As on Stripe since API 2022-08-01, the session's PaymentIntent or
// SetupIntent is made when the customer confirms, not when the session is created.

const cards = require('./cards');
const objects = require('./objects');
const {docUrl, invalid, clone, newId, nowSeconds} = require('./http_util');

class Checkout {
  constructor(bank) {
    this.bank = bank;
    this.sessions = new Map();
    this.extras = new Map(); // session id -> {items, paymentIntentData, setupIntentData}
  }

  create(p, ctx) {
    const s = objects.checkoutSession({baseUrl: this.bank.base(), livemode: this.bank.livemode,
      ...p});
    this.sessions.set(s.id, s);
    this.extras.set(s.id, {items: p.items || [], paymentIntentData: p.paymentIntentData || {},
      setupIntentData: p.setupIntentData || {}});
    return s;
  }

  // Sessions past expires_at expire when next looked at (Stripe expires them in the
  // background and sends checkout.session.expired).
  get(id) {
    const s = this.sessions.get(id);
    if (s && s.status === 'open' && nowSeconds() >= s.expires_at) this.expire(s, {});
    return s;
  }

  expire(s, ctx) {
    if (s.status !== 'open') {
      throw invalid(`Only Checkout Sessions with a status in ["open"] can be expired, but ` +
        `this Checkout Session has a status of "${s.status}".`);
    }
    s.status = 'expired';
    s.url = null;
    this.bank.emit('checkout.session.expired', s, ctx);
    return s;
  }

  lineItems(s) {
    return objects.lineItems(s.id, this.extras.get(s.id).items);
  }

  // The customer submits `input.card` on the hosted page. Returns {redirect, session} or
  // {error: {code, decline_code, message}, session} when the card is refused (the session
  // stays open, as Stripe Checkout shows the decline and lets the customer try again).
  complete(s, input, ctx = {}) {
    if (s.status !== 'open') return {error: notOpen(s), session: s};
    const ex = this.extras.get(s.id);
    const made = this.bank.createPaymentMethod({number: input.card, expMonth: input.exp_month,
      expYear: input.exp_year, email: s.customer_email || input.email, name: input.name});
    if (made.error) return {error: made.error, session: s};
    const pm = made.pm;
    const customerId = this.customerFor(s, ex, input, ctx);
    const refused = s.mode === 'setup' ?
      this.setUp(s, ex, pm, customerId, ctx) : this.pay(s, ex, pm, customerId, ctx);
    if (refused) return {error: refused, session: s};

    const cus = customerId && this.bank.customers.get(customerId);
    Object.assign(s, {
      status: 'complete', customer: customerId || null,
      payment_status: s.mode === 'setup' ? 'no_payment_required' : 'paid',
      customer_details: objects.customerDetails(s.customer_email || (cus && cus.email) ||
        input.email, input.name || (cus && cus.name)),
    });
    this.bank.emit('checkout.session.completed', s, ctx);
    const redirect = s.success_url ?
      s.success_url.split('{CHECKOUT_SESSION_ID}').join(s.id) : null;
    return {redirect, session: s};
  }

  // The session's customer: the one it was created for, or one made now when
  // customer_creation=always (Stripe makes none otherwise in payment and setup mode).
  customerFor(s, ex, input, ctx) {
    if (s.customer) return s.customer;
    if (ex.customerId) return ex.customerId;
    if (s.customer_creation !== 'always') return null;
    const cus = this.bank.createCustomer({email: s.customer_email || input.email,
      name: input.name}, ctx);
    ex.customerId = cus.id;
    return cus.id;
  }

  // mode=payment: one on-session PaymentIntent per session, reused after a decline. The page's
  // submit counts as the customer's 3DS authentication.
  pay(s, ex, pm, customerId, ctx) {
    const d = ex.paymentIntentData;
    let pi = s.payment_intent && this.bank.paymentIntents.get(s.payment_intent);
    if (!pi) {
      pi = this.bank.createPaymentIntent({amount: s.amount_total, currency: s.currency,
        customer: customerId, metadata: d.metadata || {}, description: d.description,
        setupFutureUsage: d.setup_future_usage, receiptEmail: d.receipt_email,
        statementDescriptor: d.statement_descriptor, paymentMethodTypes: ['card']}, ctx);
      s.payment_intent = pi.id;
    }
    pi.customer = customerId;
    pi.payment_method = pm.id;
    const result = this.bank.attempt(pi, pm, {offSession: false, authenticated: true}, ctx);
    // The card is saved to the customer only with setup_future_usage (bank.attempt does it).
    return result.decline || null;
  }

  // mode=setup: a SetupIntent for off-session use; declining cards are refused here.
  setUp(s, ex, pm, customerId, ctx) {
    const d = ex.setupIntentData;
    let si = s.setup_intent && this.bank.setupIntents.get(s.setup_intent);
    if (!si) {
      si = objects.setupIntent({livemode: this.bank.livemode, customer: customerId,
        metadata: d.metadata || {}});
      si.description = d.description || null;
      this.bank.setupIntents.set(si.id, si);
      s.setup_intent = si.id;
      this.bank.emit('setup_intent.created', si, ctx);
    }
    si.customer = customerId;
    si.payment_method = pm.id;
    si.latest_attempt = newId('setatt_');
    const decline = cards.setupOutcome(this.bank.cardOf.get(pm.id).card);
    if (decline) {
      Object.assign(si, {status: 'requires_payment_method', payment_method: null,
        last_setup_error: {code: decline.code, decline_code: decline.decline_code,
          doc_url: docUrl(decline.code), message: decline.message, payment_method: clone(pm),
          type: 'card_error'}});
      this.bank.emit('setup_intent.setup_failed', si, ctx);
      return decline;
    }
    this.bank.cardOf.get(pm.id).setUp = true;
    if (customerId) this.bank.attach(pm, customerId, ctx);
    Object.assign(si, {status: 'succeeded', last_setup_error: null});
    this.bank.emit('setup_intent.succeeded', si, ctx);
    return null;
  }
}

function notOpen(s) {
  return {code: 'checkout_session_' + s.status,
    message: s.status === 'complete' ? 'This Checkout Session is already complete.' :
      'This Checkout Session has expired.'};
}

module.exports = {Checkout};
