'use strict';
// The stand-in's state and the money-moving operations on it: customers, payment methods,
// PaymentIntents and their charges, 3DS authentication, refunds, disputes and card updates.
// Every change is announced as the event Stripe sends for it.

const cards = require('./cards');
const objects = require('./objects');
const {ApiError, docUrl, invalid, noSuch, nowSeconds, clone} = require('./http_util');

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation',
  'requires_action', 'processing'];

class Bank {
  constructor({base, livemode, webhooks, stats}) {
    this.base = base; // () => the stand-in's own URL, for hosted pages
    this.livemode = livemode;
    this.webhooks = webhooks;
    this.stats = stats;
    this.customers = new Map();
    this.paymentMethods = new Map();
    this.cardOf = new Map(); // pm id -> {card (cards.describe), setUp, used}
    this.paymentIntents = new Map();
    this.createdMs = new Map(); // pi id -> creation time in ms (search index lag)
    this.returnUrls = new Map(); // pi id -> return_url of its on-session confirmation
    this.setupIntents = new Map();
    this.charges = new Map();
    this.refunds = new Map();
    this.disputes = new Map();
  }

  emit(type, object, ctx, previous) {
    return this.webhooks.emit(type, object, ctx, previous);
  }

  // Looks an object up by id; `param` set means the id came as a request parameter (400).
  find(map, what, id, param) {
    const obj = map.get(id);
    if (!obj) throw noSuch(what, id, param || 'id', param ? 400 : 404);
    return obj;
  }

  createCustomer(p, ctx) {
    const cus = objects.customer({livemode: this.livemode, ...p});
    this.customers.set(cus.id, cus);
    this.emit('customer.created', cus, ctx);
    return cus;
  }

  // A card PaymentMethod from a raw test number; {error} for a number that is not a card.
  createPaymentMethod({number, expMonth, expYear, email, name}) {
    const card = cards.describe(number);
    if (card.error) return {error: card.error};
    const year = new Date().getUTCFullYear();
    const pm = objects.paymentMethod({livemode: this.livemode, card,
      expMonth: Number(expMonth) || 12, expYear: Number(expYear) || year + 3, email, name});
    this.paymentMethods.set(pm.id, pm);
    this.cardOf.set(pm.id, {card, setUp: false, used: false});
    return {pm};
  }

  attach(pm, customerId, ctx) {
    if (pm.customer === customerId) return pm;
    pm.customer = customerId;
    this.emit('payment_method.attached', pm, ctx);
    return pm;
  }

  detach(pm, ctx) {
    if (!pm.customer) {
      throw invalid('The payment method you provided is not attached to a customer so ' +
        'detachment is impossible.');
    }
    const previous = pm.customer;
    pm.customer = null;
    this.cardOf.get(pm.id).used = true; // a detached method cannot be used again
    this.emit('payment_method.detached', pm, ctx, {customer: previous});
    return pm;
  }

  // Stripe refuses a method that was detached or used once without a customer.
  checkUsable(pm, customerId) {
    const state = this.cardOf.get(pm.id);
    if (!pm.customer && state.used) {
      throw invalid('The provided PaymentMethod was previously used with a PaymentIntent ' +
        'without Customer attachment, shared with a connected account, or was detached from a ' +
        'Customer. It may not be used again. To use a PaymentMethod multiple times, you must ' +
        'attach it to a Customer first.', {param: 'payment_method'});
    }
    if (pm.customer && customerId && pm.customer !== customerId) {
      throw invalid(`The provided PaymentMethod ${pm.id} does not belong to the Customer ` +
        `${customerId}.`, {param: 'payment_method'});
    }
    if (pm.customer && !customerId) {
      throw invalid('The provided PaymentMethod belongs to a Customer, but you did not provide ' +
        'a Customer ID. Please include the Customer in the `customer` parameter on the ' +
        'PaymentIntent.', {param: 'customer'});
    }
  }

  createPaymentIntent(p, ctx) {
    const pi = objects.paymentIntent({livemode: this.livemode, ...p});
    this.paymentIntents.set(pi.id, pi);
    this.createdMs.set(pi.id, Date.now());
    this.stats.paymentIntentCreated(ctx.idempotencyKey);
    this.emit('payment_intent.created', pi, ctx);
    return pi;
  }

  // Confirms `pi` with its payment method. Returns {pi} when it succeeded or needs action;
  // throws the 402 card error Stripe answers for a decline.
  confirm(pi, {offSession, returnUrl, authenticated}, ctx) {
    if (!CONFIRMABLE.includes(pi.status)) {
      const message = pi.status === 'succeeded' ?
        'You cannot confirm this PaymentIntent because it has already succeeded after being ' +
        'previously confirmed.' :
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a ` +
        'PaymentIntent with one of the following statuses may be confirmed: ' +
        'requires_confirmation, requires_action, requires_payment_method.';
      throw invalid(message, {code: 'payment_intent_unexpected_state', payment_intent: clone(pi)});
    }
    if (!pi.payment_method) {
      throw invalid('You cannot confirm this PaymentIntent because it\'s missing a payment ' +
        'method. You can either update the PaymentIntent with a payment method and then ' +
        'confirm it again, or confirm it again directly with a payment method.',
      {code: 'payment_intent_unexpected_state', payment_intent: clone(pi)});
    }
    const pm = this.paymentMethods.get(pi.payment_method);
    this.checkUsable(pm, pi.customer);
    if (returnUrl) this.returnUrls.set(pi.id, returnUrl);
    const result = this.attempt(pi, pm, {offSession, authenticated}, ctx);
    if (result.decline) throw this.cardError(pi, pm, result, ctx);
    return {pi};
  }

  // One payment attempt: a charge (succeeded or failed) or a 3DS challenge.
  attempt(pi, pm, {offSession, authenticated}, ctx) {
    const state = this.cardOf.get(pm.id);
    const outcome = cards.chargeOutcome(state.card, {offSession, authenticated, setUp: state.setUp});
    if (outcome === 'requires_action') {
      Object.assign(pi, {status: 'requires_action', last_payment_error: null,
        next_action: {type: 'redirect_to_url', redirect_to_url: {
          return_url: this.returnUrls.get(pi.id) || null,
          url: `${this.base()}/authenticate/${pi.id}`}}});
      this.emit('payment_intent.requires_action', pi, ctx);
      return {requiresAction: true};
    }
    const decline = outcome === 'ok' ? null : outcome;
    const threeDSecure = authenticated && ['always_auth', 'auth_unless_setup'].includes(state.card.behaviour);
    const ch = objects.charge({baseUrl: this.base(), livemode: this.livemode, pi, pm, decline,
      threeDSecure});
    this.charges.set(ch.id, ch);
    pi.latest_charge = ch.id;
    if (!pm.customer) state.used = true; // an unattached method is single-use
    if (decline) {
      const error = {charge: ch.id, code: decline.code, decline_code: decline.decline_code,
        doc_url: docUrl(decline.code), message: decline.message, payment_method: clone(pm),
        type: 'card_error'};
      Object.assign(pi, {status: 'requires_payment_method', last_payment_error: error,
        next_action: null, payment_method: null});
      this.stats.chargeResult(pi, false);
      this.emit('charge.failed', ch, ctx);
      this.emit('payment_intent.payment_failed', pi, ctx);
      return {decline, charge: ch};
    }
    Object.assign(pi, {status: 'succeeded', amount_received: pi.amount, last_payment_error: null,
      next_action: null});
    if (pi.setup_future_usage) {
      state.setUp = true;
      if (pi.customer) this.attach(pm, pi.customer, ctx);
    }
    this.stats.chargeResult(pi, true);
    this.emit('charge.succeeded', ch, ctx);
    this.emit('payment_intent.succeeded', pi, ctx);
    return {charge: ch};
  }

  // The 402 body Stripe answers for a declined confirmation.
  cardError(pi, pm, {decline, charge}, ctx) {
    return new ApiError(402, {
      charge: charge.id, code: decline.code, decline_code: decline.decline_code,
      doc_url: docUrl(decline.code), message: decline.message, payment_intent: clone(pi),
      payment_method: clone(pm),
      request_log_url: ctx.requestId ?
        `https://dashboard.stripe.com/${this.livemode ? '' : 'test/'}logs/${ctx.requestId}?t=${nowSeconds()}` :
        undefined,
      type: 'card_error',
    });
  }

  // The customer finished (or failed) the 3DS challenge of an on-session confirmation.
  // Returns the URL the customer goes back to.
  authenticate(pi, succeed, ctx = {}) {
    if (pi.status !== 'requires_action') {
      throw invalid(`PaymentIntent ${pi.id} has a status of ${pi.status}; there is nothing to ` +
        'authenticate.', {code: 'payment_intent_unexpected_state'});
    }
    const pm = this.paymentMethods.get(pi.payment_method);
    let status = 'succeeded';
    if (succeed) {
      const result = this.attempt(pi, pm, {offSession: false, authenticated: true}, ctx);
      if (result.decline) status = 'failed';
    } else {
      status = 'failed';
      Object.assign(pi, {status: 'requires_payment_method', next_action: null, payment_method: null,
        last_payment_error: {code: 'payment_intent_authentication_failure',
          doc_url: docUrl('payment_intent_authentication_failure'),
          message: 'The provided PaymentMethod has failed authentication. You can provide ' +
            'payment_method_data or a new PaymentMethod to attempt to fulfill this ' +
            'PaymentIntent again.', payment_method: clone(pm), type: 'invalid_request_error'}});
      this.emit('payment_intent.payment_failed', pi, ctx);
    }
    const back = this.returnUrls.get(pi.id);
    if (!back) return {status, redirect: null};
    const url = new URL(back);
    url.searchParams.set('payment_intent', pi.id);
    url.searchParams.set('payment_intent_client_secret', pi.client_secret);
    url.searchParams.set('redirect_status', status);
    return {status, redirect: url.toString()};
  }

  cancel(pi, reason, ctx) {
    if (!CANCELABLE.includes(pi.status)) {
      throw invalid(`You cannot cancel this PaymentIntent because it has a status of ${pi.status}. ` +
        'Only a PaymentIntent with one of the following statuses may be canceled: ' +
        CANCELABLE.join(', ') + '.', {code: 'payment_intent_unexpected_state'});
    }
    Object.assign(pi, {status: 'canceled', canceled_at: nowSeconds(),
      cancellation_reason: reason || null, next_action: null});
    this.emit('payment_intent.canceled', pi, ctx);
    return pi;
  }

  // The charge a refund or dispute is about, from a payment_intent or charge id.
  paidCharge({paymentIntent, charge}) {
    let ch;
    if (paymentIntent) {
      const pi = this.find(this.paymentIntents, 'payment_intent', paymentIntent, 'payment_intent');
      ch = pi.latest_charge && this.charges.get(pi.latest_charge);
      if (!ch || ch.status !== 'succeeded') {
        throw invalid(`PaymentIntent ${pi.id} does not have a successful charge to refund.`,
          {param: 'payment_intent'});
      }
    } else {
      ch = this.find(this.charges, 'charge', charge, 'charge');
    }
    return ch;
  }

  refund({paymentIntent, charge, amount, reason, metadata}, ctx) {
    const ch = this.paidCharge({paymentIntent, charge});
    const left = ch.amount - ch.amount_refunded;
    if (left <= 0) {
      throw invalid(`Charge ${ch.id} has already been refunded.`, {code: 'charge_already_refunded'});
    }
    const dp = [...this.disputes.values()].find((d) => d.charge === ch.id);
    if (dp && !dp.is_charge_refundable) {
      throw invalid(`Charge ${ch.id} has been charged back; cannot issue a refund.`,
        {code: 'charge_disputed'});
    }
    const value = amount === undefined ? left : amount;
    if (value > left) {
      // Stripe answers this one without an error code (only param: amount).
      const what = ch.amount_refunded ? 'unrefunded amount on charge' : 'charge amount';
      throw invalid(`Refund amount (${money(value, ch.currency)}) is greater than ${what} ` +
        `(${money(left, ch.currency)})`, {param: 'amount'});
    }
    const re = objects.refund({ch, amount: value, reason, metadata});
    this.refunds.set(re.id, re);
    const previous = {amount_refunded: ch.amount_refunded, refunded: ch.refunded};
    ch.amount_refunded += value;
    ch.refunded = ch.amount_refunded >= ch.amount;
    ch.refunds.data.unshift(clone(re));
    this.stats.refunds_created++;
    this.emit('refund.created', re, ctx);
    this.emit('charge.refunded', ch, ctx, previous);
    return re;
  }

  dispute({paymentIntent, charge, reason, amount}) {
    const ch = this.paidCharge({paymentIntent, charge});
    const dp = objects.dispute({livemode: this.livemode, ch, reason, amount});
    this.disputes.set(dp.id, dp);
    ch.disputed = true;
    this.emit('charge.dispute.created', dp, {});
    return dp;
  }

  closeDispute(dp, status) {
    const previous = {status: dp.status};
    dp.status = status === 'won' ? 'won' : 'lost';
    this.emit('charge.dispute.closed', dp, {}, previous);
    return dp;
  }

  // The card network's updater gave the card new details (new expiry, maybe a new number).
  updateCard(pm, {number, last4, expMonth, expYear}) {
    const state = this.cardOf.get(pm.id);
    const previous = {card: {exp_month: pm.card.exp_month, exp_year: pm.card.exp_year,
      last4: pm.card.last4}};
    if (number) {
      const card = cards.describe(number);
      if (card.error) throw invalid(card.error.message, {param: 'card'});
      state.card = card;
      Object.assign(pm.card, {brand: card.brand, display_brand: card.brand, last4: card.last4,
        fingerprint: card.fingerprint, funding: card.funding});
    } else {
      pm.card.last4 = last4 || String((Number(pm.card.last4) + 1234) % 10000).padStart(4, '0');
    }
    pm.card.exp_month = Number(expMonth) || pm.card.exp_month;
    pm.card.exp_year = Number(expYear) || pm.card.exp_year + 3;
    this.emit('payment_method.automatically_updated', pm, {}, previous);
    return pm;
  }
}

const SYMBOLS = {usd: '$', eur: '€', gbp: '£'};
const ZERO_DECIMAL = ['jpy', 'krw', 'vnd', 'clp', 'xof', 'xaf', 'bif', 'djf', 'gnf', 'kmf',
  'mga', 'pyg', 'rwf', 'ugx', 'vuv', 'xpf'];

function money(amount, currency) {
  const c = String(currency).toLowerCase();
  const value = ZERO_DECIMAL.includes(c) ? String(amount) : (amount / 100).toFixed(2);
  return SYMBOLS[c] ? SYMBOLS[c] + value : `${value} ${c.toUpperCase()}`;
}

module.exports = {Bank};
