'use strict';
// Small HTTP helpers shared by the stand-in's modules: Stripe-style ids, form decoding with
// bracket keys, Stripe error bodies, and response writers.

const crypto = require('crypto');

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// Random bytes are drawn from a pool: one randomBytes call per 4 KiB instead of per id.
let pool = Buffer.alloc(0);
let poolAt = 0;

function randomString(length) {
  if (poolAt + length > pool.length) {
    pool = crypto.randomBytes(4096);
    poolAt = 0;
  }
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[pool[poolAt++] % ALPHABET.length];
  return out;
}

// Stripe ids are a type prefix and ~24 random base62 characters (cus_, pm_, pi_, ...).
function newId(prefix, length = 24) {
  return prefix + randomString(length);
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

// Decodes application/x-www-form-urlencoded with Stripe's bracket keys:
// a[b][c]=v -> {a: {b: {c: v}}}, a[]=x -> {a: [x]}, a[0][b]=v -> {a: [{b: v}]}.
function parseForm(text) {
  const root = {};
  if (!text) return root;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!m) continue;
    const path = [m[1]];
    const brackets = m[2].match(/\[[^[\]]*\]/g) || [];
    for (const b of brackets) path.push(b.slice(1, -1));
    assign(root, path, value);
  }
  return arraysFromIndexes(root);
}

function decode(s) {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch (e) {
    return s;
  }
}

function assign(node, path, value) {
  let cur = node;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    const nextIsPush = path[i + 1] === '';
    if (k === '') {
      const child = nextIsPush ? [] : {};
      cur.__push = cur.__push || [];
      cur.__push.push(child);
      cur = child;
      continue;
    }
    if (cur[k] === undefined || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k];
  }
  const last = path[path.length - 1];
  if (last === '') {
    cur.__push = cur.__push || [];
    cur.__push.push(value);
  } else {
    cur[last] = value;
  }
}

// {__push: [...]} and {"0": .., "1": ..} become real arrays, recursively.
function arraysFromIndexes(node) {
  if (Array.isArray(node)) return node.map(arraysFromIndexes);
  if (node === null || typeof node !== 'object') return node;
  if (node.__push) return node.__push.map(arraysFromIndexes);
  const keys = Object.keys(node);
  const out = {};
  for (const k of keys) out[k] = arraysFromIndexes(node[k]);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => a - b).map((k) => out[k]);
  }
  return out;
}

// A canonical JSON (sorted keys) so two requests with the same parameters in another order
// compare equal, as Stripe's idempotency layer does.
function canonical(value) {
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  if (value && typeof value === 'object') {
    return '{' + Object.keys(value).sort()
      .map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}';
  }
  return JSON.stringify(value);
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// An error as Stripe's API answers it: {"error": {type, code, message, param, doc_url, ...}}.
class ApiError extends Error {
  constructor(status, fields, opts = {}) {
    super(fields.message);
    this.status = status;
    this.fields = fields;
    // Stripe does not save an idempotent result for requests rejected before the endpoint
    // starts executing (bad parameters, auth, rate limits): a retry with the key may differ.
    this.beforeExecution = !!opts.beforeExecution;
    this.headers = opts.headers || {};
  }

  body() {
    const e = {};
    for (const [k, v] of Object.entries(this.fields)) if (v !== undefined) e[k] = v;
    if (e.code && !e.doc_url) e.doc_url = docUrl(e.code);
    return {error: e};
  }
}

function docUrl(code) {
  return 'https://stripe.com/docs/error-codes/' + code.replace(/_/g, '-');
}

function invalid(message, extra = {}) {
  return new ApiError(400, {type: 'invalid_request_error', message, ...extra});
}

function missingParam(param) {
  return new ApiError(400, {
    type: 'invalid_request_error', code: 'parameter_missing', param,
    message: `Missing required param: ${param}.`,
  }, {beforeExecution: true});
}

function unknownParam(param) {
  return new ApiError(400, {
    type: 'invalid_request_error', code: 'parameter_unknown', param,
    message: `Received unknown parameter: ${param}`,
  }, {beforeExecution: true});
}

function badParam(param, message, code) {
  return new ApiError(400, {type: 'invalid_request_error', code, param, message},
    {beforeExecution: true});
}

// "No such customer: 'cus_x'": 404 for an id in the path, 400 for an id passed as a parameter.
function noSuch(what, id, param, status = 404) {
  return new ApiError(status, {
    type: 'invalid_request_error', code: 'resource_missing', param,
    message: `No such ${what}: '${id}'`,
  });
}

function sendJson(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Access-Control-Allow-Origin': '*',
    ...headers,
  });
  res.end(text);
}

function sendHtml(res, status, html, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    ...headers,
  });
  res.end(html);
}

function redirect(res, location) {
  res.writeHead(303, {Location: location, 'Content-Length': 0});
  res.end();
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  }[c]));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function clone(obj) {
  return obj === undefined ? undefined : JSON.parse(JSON.stringify(obj));
}

module.exports = {
  newId, randomString, nowSeconds, parseForm, canonical, readBody, ApiError, docUrl, invalid,
  missingParam, unknownParam, badParam, noSuch, sendJson, sendHtml, redirect, escapeHtml,
  sleep, clone,
};
