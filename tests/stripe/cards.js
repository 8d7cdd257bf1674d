'use strict';
// Stripe's documented test cards and what each does (docs.stripe.com/testing): which numbers
// decline, with which error code / decline_code / message, and which need authentication.

const crypto = require('crypto');

const DECLINES = {
  generic_decline: {code: 'card_declined', decline_code: 'generic_decline',
    message: 'Your card was declined.'},
  insufficient_funds: {code: 'card_declined', decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.'},
  expired_card: {code: 'expired_card', decline_code: 'expired_card',
    message: 'Your card has expired.'},
  authentication_required: {code: 'authentication_required',
    decline_code: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.'},
  incorrect_number: {code: 'incorrect_number', message: 'Your card number is incorrect.'},
};

// behaviour:
//   ok                 charges succeed
//   decline            refused when saved (setup) and when charged: `decline`
//   charge_fails       saved fine (attach / setup mode succeeds), every charge fails: `decline`
//   always_auth        every on-session payment needs 3DS, every off-session one fails
//                      with authentication_required (4000002760003184)
//   auth_unless_setup  needs 3DS on-session; off-session works once it was set up for
//                      off-session use (4000002500003155)
const CARDS = {
  '4242424242424242': {brand: 'visa', behaviour: 'ok'},
  '4000056655665556': {brand: 'visa', funding: 'debit', behaviour: 'ok'},
  '5555555555554444': {brand: 'mastercard', behaviour: 'ok'},
  '378282246310005': {brand: 'amex', behaviour: 'ok'},
  '4000000000000002': {brand: 'visa', behaviour: 'decline', decline: 'generic_decline'},
  '4000000000009995': {brand: 'visa', behaviour: 'decline', decline: 'insufficient_funds'},
  '4000000000000069': {brand: 'visa', behaviour: 'decline', decline: 'expired_card'},
  '4000000000000341': {brand: 'visa', behaviour: 'charge_fails', decline: 'generic_decline'},
  '4000002760003184': {brand: 'visa', behaviour: 'always_auth'},
  '4000002500003155': {brand: 'visa', behaviour: 'auth_unless_setup'},
};

function digitsOnly(number) {
  return String(number || '').replace(/[\s-]/g, '');
}

function luhnOk(number) {
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let d = number.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function brandOf(number) {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65)/.test(number)) return 'discover';
  return 'unknown';
}

// The card facts a PaymentMethod shows, or the incorrect_number decline for a bad number.
function describe(rawNumber) {
  const number = digitsOnly(rawNumber);
  if (!/^\d{13,19}$/.test(number) || !luhnOk(number)) return {error: DECLINES.incorrect_number};
  const known = CARDS[number] || {brand: brandOf(number), behaviour: 'ok'};
  // The same number always has the same fingerprint, as on Stripe.
  const fingerprint = crypto.createHash('sha256').update('fp:' + number).digest('base64')
    .replace(/[^A-Za-z0-9]/g, '').slice(0, 16);
  return {
    number, brand: known.brand, funding: known.funding || 'credit', country: 'US',
    last4: number.slice(-4), fingerprint, behaviour: known.behaviour, decline: known.decline,
  };
}

// Saving the card (SetupIntent, or attaching it): null when fine, else the decline.
function setupOutcome(card) {
  if (card.behaviour === 'decline') return DECLINES[card.decline];
  return null;
}

// Charging the card: 'ok', 'requires_action', or a decline {code, decline_code, message}.
// offSession: merchant-initiated; authenticated: the customer just passed 3DS (or the hosted
// Checkout page, which authenticates as part of its submit); setUp: the card went through a
// SetupIntent / setup_future_usage=off_session before.
function chargeOutcome(card, {offSession, authenticated, setUp}) {
  switch (card.behaviour) {
    case 'decline':
    case 'charge_fails':
      return DECLINES[card.decline];
    case 'always_auth':
      if (offSession) return DECLINES.authentication_required;
      return authenticated ? 'ok' : 'requires_action';
    case 'auth_unless_setup':
      if (offSession) return setUp ? 'ok' : DECLINES.authentication_required;
      return authenticated ? 'ok' : 'requires_action';
    default:
      return 'ok';
  }
}

module.exports = {CARDS, DECLINES, describe, setupOutcome, chargeOutcome};
