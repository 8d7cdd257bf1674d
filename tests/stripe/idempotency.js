'use strict';
// Stripe's idempotency layer for POSTs (docs.stripe.com/api/idempotent_requests and
// docs.stripe.com/error-low-level): the first answer for a key (status and body, errors
// included) is saved once the endpoint has started executing and replayed for later requests
// with that key; the key with other parameters or another endpoint is an idempotency_error;
// a key whose first request is still running answers 409 idempotency_key_in_use.

const {ApiError} = require('./http_util');

const MAX_KEY_LENGTH = 255;
const KEEP_MS = 24 * 3600 * 1000; // keys are pruned once at least 24 hours old

class Idempotency {
  constructor() {
    this.entries = new Map();
  }

  // What to do with a POST carrying `key`: {kind: 'new'} | {kind: 'replay', entry}, or throws
  // the ApiError Stripe answers (key too long, still in use, reused differently).
  check(key, method, path, params) {
    if (key.length > MAX_KEY_LENGTH) {
      throw new ApiError(400, {type: 'invalid_request_error',
        message: `Idempotency-Key is too long: keys can be up to ${MAX_KEY_LENGTH} characters ` +
          `(got ${key.length}).`}, {beforeExecution: true});
    }
    const entry = this.entries.get(key);
    if (!entry || entry.createdAt < Date.now() - KEEP_MS) return {kind: 'new'};
    if (!entry.done) {
      throw new ApiError(409, {type: 'invalid_request_error', code: 'idempotency_key_in_use',
        message: 'There is currently another in-progress request using this Idempotent Key ' +
          '(that probably means you submitted twice, and the other request is still going ' +
          `through): ${key}. Please try again later.`}, {beforeExecution: true});
    }
    if (entry.method !== method || entry.path !== path) {
      throw new ApiError(400, {type: 'idempotency_error',
        message: 'Keys for idempotent requests can only be used for the same endpoint they ' +
          `were first used for ('${path}' vs '${entry.path}'). Try using a key other than ` +
          `'${key}' if you meant to execute a different request.`}, {beforeExecution: true});
    }
    if (entry.params !== params) {
      throw new ApiError(400, {type: 'idempotency_error',
        message: 'Keys for idempotent requests can only be used with the same parameters they ' +
          `were first used with. Try using a key other than '${key}' if you meant to execute ` +
          'a different request.'}, {beforeExecution: true});
    }
    return {kind: 'replay', entry};
  }

  // Marks the key as running (a concurrent request with it now gets 409).
  begin(key, method, path, params, requestId) {
    this.entries.set(key, {method, path, params, requestId, createdAt: Date.now(), done: false});
  }

  // Saves the answer to replay.
  finish(key, status, body, headers = {}) {
    const entry = this.entries.get(key);
    if (!entry) return;
    Object.assign(entry, {status, body, headers, done: true});
  }

  // Forgets a key whose request never started executing (nothing is saved for it).
  abandon(key) {
    this.entries.delete(key);
  }
}

module.exports = {Idempotency};
