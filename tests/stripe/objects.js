'use strict';
// Builders for the API objects the stand-in returns. Each has exactly the top-level keys of
// the resource's example in Stripe's published fixtures (openapi/fixtures3.json), with the
// values a real object of that kind has; selftest.js checks the key sets against the file.

const {newId, randomString, nowSeconds} = require('./http_util');

const NULL_ADDRESS = () => ({city: null, country: null, line1: null, line2: null,
  postal_code: null, state: null});

function customer({id, livemode, email, name, description, phone, metadata}) {
  return {
    address: null, balance: 0, created: nowSeconds(), currency: null, default_source: null,
    delinquent: false, description: description || null, discount: null,
    email: email || null, id: id || newId('cus_', 14),
    invoice_prefix: randomString(8).toUpperCase(),
    invoice_settings: {custom_fields: null, default_payment_method: null, footer: null,
      rendering_options: null},
    livemode, metadata: metadata || {}, name: name || null, next_invoice_sequence: 1,
    object: 'customer', phone: phone || null, preferred_locales: [], shipping: null,
    tax_exempt: 'none', test_clock: null,
  };
}

function paymentMethod({livemode, card, expMonth, expYear, email, name, customerId}) {
  return {
    allow_redisplay: 'unspecified',
    billing_details: {address: NULL_ADDRESS(), email: email || null, name: name || null,
      phone: null, tax_id: null},
    card: {
      brand: card.brand,
      checks: {address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass'},
      country: card.country, display_brand: card.brand, exp_month: expMonth,
      exp_year: expYear, fingerprint: card.fingerprint, funding: card.funding,
      generated_from: null, last4: card.last4,
      networks: {available: [card.brand], preferred: null},
      three_d_secure_usage: {supported: true}, wallet: null, regulated_status: 'unregulated',
    },
    created: nowSeconds(), customer: customerId || null, id: newId('pm_'), livemode,
    metadata: {}, object: 'payment_method', type: 'card', customer_account: null,
  };
}

function clientSecret(id) {
  return `${id}_secret_${randomString(25)}`;
}

function paymentIntent(p) {
  const id = newId('pi_');
  return {
    amount: p.amount, amount_capturable: 0, amount_details: {tip: {}}, amount_received: 0,
    application: null, application_fee_amount: null,
    automatic_payment_methods: p.paymentMethodTypes ? null : {allow_redirects: 'always', enabled: true},
    canceled_at: null, cancellation_reason: null, capture_method: 'automatic',
    client_secret: clientSecret(id), confirmation_method: 'automatic', created: nowSeconds(),
    currency: p.currency, customer: p.customer || null, description: p.description || null,
    id, last_payment_error: null, latest_charge: null, livemode: p.livemode,
    metadata: p.metadata || {}, next_action: null, object: 'payment_intent', on_behalf_of: null,
    payment_method: p.paymentMethod || null, payment_method_configuration_details: null,
    payment_method_options: {card: {installments: null, mandate_options: null, network: null,
      request_three_d_secure: 'automatic'}},
    payment_method_types: p.paymentMethodTypes || ['card'], processing: null,
    receipt_email: p.receiptEmail || null, review: null,
    setup_future_usage: p.setupFutureUsage || null, shipping: null,
    statement_descriptor: p.statementDescriptor || null,
    statement_descriptor_suffix: p.statementDescriptorSuffix || null,
    status: p.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null, transfer_group: null, source: null,
    excluded_payment_method_types: null, customer_account: null,
    managed_payments: {enabled: false},
  };
}

function setupIntent(p) {
  const id = newId('seti_');
  return {
    application: null, automatic_payment_methods: null, cancellation_reason: null,
    client_secret: clientSecret(id), created: nowSeconds(), customer: p.customer || null,
    description: null, flow_directions: null, id, last_setup_error: null,
    latest_attempt: null, livemode: p.livemode, mandate: null, metadata: p.metadata || {},
    next_action: null, object: 'setup_intent', on_behalf_of: null,
    payment_method: p.paymentMethod || null, payment_method_configuration_details: null,
    payment_method_options: {card: {mandate_options: null, network: null,
      request_three_d_secure: 'automatic'}},
    payment_method_types: ['card'], single_use_mandate: null,
    status: 'requires_payment_method', usage: 'off_session',
    excluded_payment_method_types: null,
  };
}

function outcome(decline) {
  if (!decline) {
    return {advice_code: null, network_advice_code: null, network_decline_code: null,
      network_status: 'approved_by_network', reason: null,
      seller_message: 'Payment complete.', type: 'authorized'};
  }
  return {advice_code: null, network_advice_code: null, network_decline_code: null,
    network_status: 'declined_by_network', reason: decline.decline_code || decline.code,
    seller_message: 'The bank did not return any further details with this decline.',
    type: 'issuer_declined'};
}

// A charge made by a PaymentIntent attempt; `decline` makes it a failed one.
function charge({baseUrl, livemode, pi, pm, decline, threeDSecure}) {
  const id = newId('ch_');
  const card = pm.card;
  return {
    amount: pi.amount, amount_captured: decline ? 0 : pi.amount, amount_refunded: 0,
    application: null, application_fee: null, application_fee_amount: null,
    balance_transaction: decline ? null : newId('txn_'),
    billing_details: JSON.parse(JSON.stringify(pm.billing_details)),
    calculated_statement_descriptor: 'JOPAY STANDIN', captured: !decline,
    created: nowSeconds(), currency: pi.currency, customer: pi.customer,
    description: pi.description, disputed: false, failure_balance_transaction: null,
    failure_code: decline ? decline.code : null,
    failure_message: decline ? decline.message : null, fraud_details: {}, id, livemode,
    metadata: {...pi.metadata}, object: 'charge', on_behalf_of: null, outcome: outcome(decline),
    paid: !decline, payment_intent: pi.id, payment_method: pm.id,
    payment_method_details: {
      card: {
        amount_authorized: decline ? null : pi.amount, brand: card.brand,
        checks: {...card.checks}, country: card.country, exp_month: card.exp_month,
        exp_year: card.exp_year, extended_authorization: {status: 'disabled'},
        fingerprint: card.fingerprint, funding: card.funding,
        incremental_authorization: {status: 'unavailable'}, installments: null,
        last4: card.last4, mandate: null, multicapture: {status: 'unavailable'},
        network: card.brand, network_token: {used: false},
        overcapture: {maximum_amount_capturable: pi.amount, status: 'unavailable'},
        three_d_secure: threeDSecure ? {authentication_flow: 'challenge',
          electronic_commerce_indicator: '05', exemption_indicator: null, result: 'authenticated',
          result_reason: null, transaction_id: newId('', 32), version: '2.2.0'} : null,
        wallet: null, authorization_code: decline ? null : String(100000 + Math.floor(Math.random() * 899999)),
        regulated_status: 'unregulated', network_transaction_id: randomString(15),
        transaction_link_id: null,
      },
      type: 'card',
    },
    receipt_email: pi.receipt_email, receipt_number: null,
    receipt_url: decline ? null : `${baseUrl}/receipts/${id}`, refunded: false,
    refunds: {data: [], has_more: false, object: 'list', url: `/v1/charges/${id}/refunds`},
    review: null, shipping: null, source_transfer: null, statement_descriptor: null,
    statement_descriptor_suffix: null, status: decline ? 'failed' : 'succeeded',
    transfer_data: null, transfer_group: null, source: null,
  };
}

function refund({ch, amount, reason, metadata}) {
  return {
    amount, balance_transaction: newId('txn_'), charge: ch.id, created: nowSeconds(),
    currency: ch.currency,
    destination_details: {card: {reference: null, reference_status: 'pending',
      reference_type: 'acquirer_reference_number', type: 'refund'}, type: 'card'},
    id: newId('re_'), metadata: metadata || {}, object: 'refund',
    payment_intent: ch.payment_intent, reason: reason || null, receipt_number: null,
    source_transfer_reversal: null, status: 'succeeded', transfer_reversal: null,
    customer: ch.customer, customer_account: null, payment_method: ch.payment_method,
  };
}

const EVIDENCE_KEYS = ['access_activity_log', 'billing_address', 'cancellation_policy',
  'cancellation_policy_disclosure', 'cancellation_rebuttal', 'customer_communication',
  'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature',
  'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id',
  'product_description', 'receipt', 'refund_policy', 'refund_policy_disclosure',
  'refund_refusal_explanation', 'service_date', 'service_documentation', 'shipping_address',
  'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number',
  'uncategorized_file', 'uncategorized_text'];

function dispute({livemode, ch, reason, amount}) {
  const evidence = {};
  for (const k of EVIDENCE_KEYS) evidence[k] = null;
  evidence.enhanced_evidence = {};
  const card = ch.payment_method_details.card;
  return {
    amount: amount || ch.amount, balance_transactions: [], charge: ch.id, created: nowSeconds(),
    currency: ch.currency, evidence,
    evidence_details: {due_by: nowSeconds() + 7 * 86400, has_evidence: false, past_due: false,
      submission_count: 0, enhanced_eligibility: {}},
    id: newId('dp_'), is_charge_refundable: false, livemode, metadata: {}, object: 'dispute',
    payment_intent: ch.payment_intent,
    payment_method_details: {card: {brand: card.brand, case_type: 'chargeback',
      network_reason_code: '10.4', network: card.network}, type: 'card'},
    reason: reason || 'fraudulent', status: 'needs_response', enhanced_eligibility_types: [],
  };
}

function checkoutSession(p) {
  const id = (p.livemode ? 'cs_live_' : 'cs_test_') + 'a1' + randomString(56);
  return {
    after_expiration: null, allow_promotion_codes: null,
    amount_subtotal: p.amountTotal, amount_total: p.amountTotal,
    automatic_tax: {enabled: false, liability: null, status: null, provider: null},
    billing_address_collection: null, cancel_url: p.cancelUrl || null,
    client_reference_id: p.clientReferenceId || null, client_secret: null,
    consent: null, consent_collection: null, created: nowSeconds(), currency: p.currency || null,
    custom_fields: [],
    custom_text: {after_submit: null, shipping_address: null, submit: null,
      terms_of_service_acceptance: null},
    customer: p.customer || null, customer_creation: p.customerCreation || 'if_required',
    customer_details: null, customer_email: p.customerEmail || null, expires_at: p.expiresAt,
    id, invoice: null,
    invoice_creation: p.mode === 'payment' ? {enabled: false, invoice_data: {
      account_tax_ids: null, custom_fields: null, description: null, footer: null,
      issuer: null, metadata: {}, rendering_options: null}} : null,
    livemode: p.livemode, locale: p.locale || null, metadata: p.metadata || {}, mode: p.mode,
    object: 'checkout.session', payment_intent: null, payment_link: null,
    payment_method_collection: 'always', payment_method_configuration_details: null,
    payment_method_options: {card: {request_three_d_secure: 'automatic'}},
    payment_method_types: ['card'],
    payment_status: p.mode === 'setup' ? 'no_payment_required' : 'unpaid',
    phone_number_collection: {enabled: false}, recovered_from: null,
    saved_payment_method_options: null, setup_intent: null,
    shipping_address_collection: null, shipping_cost: null, shipping_options: [],
    status: 'open', submit_type: null, subscription: null, success_url: p.successUrl || null,
    total_details: p.mode === 'payment' ?
      {amount_discount: 0, amount_shipping: 0, amount_tax: 0} : null,
    ui_mode: 'hosted', url: `${p.baseUrl}/pay/${id}`, adaptive_pricing: {enabled: false},
    discounts: [], collected_information: null, permissions: null, wallet_options: null,
    origin_context: null, currency_conversion: null, customer_account: null,
    integration_identifier: null, managed_payments: {enabled: false},
  };
}

function customerDetails(email, name) {
  return {address: NULL_ADDRESS(), email: email || null, name: name || null, phone: null,
    tax_exempt: 'none', tax_ids: [], business_name: null, individual_name: null};
}

// A list of line items (expand[]=line_items) in the shape of the `item` fixture.
function lineItems(sessionId, items) {
  return {
    object: 'list', has_more: false, url: `/v1/checkout/sessions/${sessionId}/line_items`,
    data: items.map((it) => ({
      adjustable_quantity: null, amount_discount: 0, amount_subtotal: it.amount * it.quantity,
      amount_tax: 0, amount_total: it.amount * it.quantity, currency: it.currency,
      description: it.name, id: newId('li_'), object: 'item',
      price: {id: newId('price_'), object: 'price', active: false, currency: it.currency,
        unit_amount: it.amount, type: 'one_time', product: newId('prod_', 14)},
      quantity: it.quantity,
    })),
  };
}

// Key order as Stripe writes its event payloads (id, object, api_version, ...).
function event({type, object, previousAttributes, livemode, apiVersion, request, pending}) {
  const data = {object};
  if (previousAttributes) data.previous_attributes = previousAttributes;
  return {
    id: newId('evt_'), object: 'event', api_version: apiVersion, created: nowSeconds(), data,
    livemode, pending_webhooks: pending, request, type,
  };
}

module.exports = {
  customer, paymentMethod, paymentIntent, setupIntent, charge, refund, dispute,
  checkoutSession, customerDetails, lineItems, event,
};
