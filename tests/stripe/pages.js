'use strict';
// The stand-in's hosted pages, where a person (or a browser test) acts as the customer:
// /pay/:cs_id is the Checkout page (a card number and a submit), /authenticate/:pi_id the 3D
// Secure challenge, /receipts/:ch_id a charge's receipt.

const {parseForm, readBody, sendHtml, redirect, escapeHtml} = require('./http_util');

const STYLE = 'body{font-family:sans-serif;max-width:28em;margin:3em auto;color:#222}' +
  'label{display:block;margin:.8em 0 .2em}input{font-size:1.1em;padding:.3em;width:100%}' +
  'button{margin-top:1em;font-size:1.1em;padding:.4em 1.2em}.error{color:#b00020}' +
  '.muted{color:#777;font-size:.9em}';

function page(title, body) {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`;
}

function amount(value, currency) {
  if (value === null || value === undefined) return '';
  return `${(value / 100).toFixed(2)} ${String(currency).toUpperCase()}`;
}

function checkoutPage(s, error) {
  if (s.status !== 'open') {
    const what = s.status === 'complete' ? 'This Checkout Session is already complete.' :
      'This Checkout Session has expired.';
    return page('Checkout', `<p id="status">${what}</p>`);
  }
  const what = s.mode === 'setup' ? 'Save your card for future payments' :
    `Pay ${amount(s.amount_total, s.currency)}`;
  const email = s.customer_email ?
    `<p class="muted">${escapeHtml(s.customer_email)}</p>` :
    s.customer ? '' :
      '<label for="email">Email</label><input id="email" name="email" type="email">';
  const cancel = s.cancel_url ? `<p><a id="cancel" href="${escapeHtml(s.cancel_url)}">Cancel</a></p>` : '';
  return page('Checkout', `
<p id="summary">${escapeHtml(what)}</p>
${error ? `<p id="error" class="error" role="alert">${escapeHtml(error.message)}</p>` : ''}
<form method="post" action="/pay/${escapeHtml(s.id)}">
${email}
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required>
<label for="exp">Expiry (MM/YY)</label>
<input id="exp" name="exp" autocomplete="cc-exp" placeholder="12/34">
<label for="cvc">CVC</label>
<input id="cvc" name="cvc" autocomplete="cc-csc" placeholder="123">
<button id="submit" type="submit">${s.mode === 'setup' ? 'Save card' : 'Pay'}</button>
</form>
${cancel}`);
}

function authenticatePage(pi) {
  if (pi.status !== 'requires_action') {
    return page('Authentication', `<p id="status">Nothing to authenticate (status ${escapeHtml(pi.status)}).</p>`);
  }
  const form = (action, label) => `<form method="post" action="/authenticate/${escapeHtml(pi.id)}">` +
    `<input type="hidden" name="action" value="${action}"><button id="${action}" type="submit">` +
    `${label}</button></form>`;
  return page('Authentication', `
<p>Your bank asks you to confirm a payment of ${escapeHtml(amount(pi.amount, pi.currency))}.</p>
${form('complete', 'Complete authentication')}
${form('fail', 'Fail authentication')}`);
}

// "12/34" or exp_month / exp_year fields -> {exp_month, exp_year}
function expiry(form) {
  if (form.exp_month || form.exp_year) return {exp_month: form.exp_month, exp_year: form.exp_year};
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2,4})\s*$/.exec(form.exp || '');
  if (!m) return {};
  const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  return {exp_month: Number(m[1]), exp_year: year};
}

async function handle(app, req, res, url) {
  const [, kind, id] = url.pathname.split('/');
  const form = req.method === 'POST' ? parseForm(await readBody(req)) : {};
  if (kind === 'pay') {
    const s = app.checkout.get(id);
    if (!s) return sendHtml(res, 404, page('Checkout', '<p>No such Checkout Session.</p>'));
    if (req.method !== 'POST') return sendHtml(res, 200, checkoutPage(s));
    const result = app.checkout.complete(s, {card: form.card, email: form.email,
      name: form.name, ...expiry(form)});
    if (result.error) return sendHtml(res, 200, checkoutPage(s, result.error));
    if (result.redirect) return redirect(res, result.redirect);
    return sendHtml(res, 200, page('Checkout', '<p id="status">Thanks, all done.</p>'));
  }
  if (kind === 'authenticate') {
    const pi = app.bank.paymentIntents.get(id);
    if (!pi) return sendHtml(res, 404, page('Authentication', '<p>No such payment.</p>'));
    if (req.method !== 'POST') return sendHtml(res, 200, authenticatePage(pi));
    if (pi.status !== 'requires_action') return sendHtml(res, 400, authenticatePage(pi));
    const done = app.bank.authenticate(pi, form.action !== 'fail');
    if (done.redirect) return redirect(res, done.redirect);
    return sendHtml(res, 200, page('Authentication', `<p id="status">Authentication ${done.status}.</p>`));
  }
  if (kind === 'receipts') {
    const ch = app.bank.charges.get(id);
    if (!ch) return sendHtml(res, 404, page('Receipt', '<p>No such receipt.</p>'));
    return sendHtml(res, 200, page('Receipt', `<p>${escapeHtml(amount(ch.amount, ch.currency))} ` +
      `paid with ${escapeHtml(ch.payment_method_details.card.brand)} ` +
      `•••• ${escapeHtml(ch.payment_method_details.card.last4)}.</p>`));
  }
  return sendHtml(res, 404, page('Not found', '<p>Not found.</p>'));
}

module.exports = {handle, expiry};
