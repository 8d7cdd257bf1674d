'use strict';
// Stripe's search query language (docs.stripe.com/search) for PaymentIntents: clauses such as
// metadata['key']:'value', status:'succeeded', customer:'cus_..', currency:'eur', amount>100,
// created>=1700000000, optionally negated with '-', joined by AND or by OR (not both).

const {invalid} = require('./http_util');

const FIELDS = ['amount', 'created', 'currency', 'customer', 'metadata', 'status'];

// query text -> {joiner: 'AND'|'OR', clauses: [{field, key, op, value, negate}]}
function parse(query) {
  const clauses = [];
  const joiners = new Set();
  let rest = query.trim();
  const clauseRe = /^(-?)([a-z_]+)(?:\[\s*(?:'([^']*)'|"([^"]*)")\s*\])?\s*(:|>=|<=|>|<)\s*(?:'([^']*)'|"([^"]*)"|([^\s'"]+))/;
  while (rest.length) {
    const m = clauseRe.exec(rest);
    if (!m) throw syntax(query);
    const [all, neg, field, k1, k2, op, v1, v2, v3] = m;
    if (!FIELDS.includes(field)) {
      throw invalid(`Field \`${field}\` is an unsupported search field for resource ` +
        '`payment_intents`. See https://stripe.com/docs/search#query-fields-for-payment-intents ' +
        'for a list of supported fields.', {param: 'query'});
    }
    if (field === 'metadata' && k1 === undefined && k2 === undefined) throw syntax(query);
    clauses.push({field, key: k1 !== undefined ? k1 : k2, op,
      value: v1 !== undefined ? v1 : v2 !== undefined ? v2 : v3, negate: neg === '-'});
    rest = rest.slice(all.length).trim();
    if (!rest.length) break;
    const j = /^(AND|OR)\s+/.exec(rest);
    if (!j) throw syntax(query);
    joiners.add(j[1]);
    rest = rest.slice(j[0].length);
  }
  if (!clauses.length) throw syntax(query);
  if (joiners.size > 1) {
    throw invalid('Queries cannot mix AND and OR; use one of them.', {param: 'query'});
  }
  return {joiner: joiners.has('OR') ? 'OR' : 'AND', clauses};
}

function syntax(query) {
  return invalid(`Invalid query: could not parse \`${query}\`. See ` +
    'https://stripe.com/docs/search#search-query-language for the search syntax.', {param: 'query'});
}

function matchClause(pi, c) {
  let ok;
  if (c.field === 'metadata') {
    ok = c.op === ':' && pi.metadata[c.key] === c.value;
  } else if (c.field === 'amount' || c.field === 'created') {
    const have = pi[c.field];
    const want = Number(c.value);
    ok = {':': have === want, '>': have > want, '<': have < want, '>=': have >= want,
      '<=': have <= want}[c.op];
  } else {
    ok = c.op === ':' && String(pi[c.field]).toLowerCase() === String(c.value).toLowerCase();
  }
  return c.negate ? !ok : ok;
}

// Newest first, as Stripe lists search results; `lagMs` hides objects younger than that,
// like Stripe's search index, which trails writes.
function searchPaymentIntents(all, query, {limit, page, lagMs, createdMs}) {
  const q = parse(query);
  const cutoff = Date.now() - (lagMs || 0);
  const hits = [];
  for (const pi of all) {
    if (lagMs && createdMs(pi) > cutoff) continue;
    const results = q.clauses.map((c) => matchClause(pi, c));
    if (q.joiner === 'AND' ? results.every(Boolean) : results.some(Boolean)) hits.push(pi);
  }
  hits.reverse(); // insertion order is creation order
  const start = page ? Number(Buffer.from(page, 'base64').toString('utf8')) || 0 : 0;
  const slice = hits.slice(start, start + limit);
  const hasMore = start + limit < hits.length;
  return {
    object: 'search_result', data: slice, has_more: hasMore,
    next_page: hasMore ? Buffer.from(String(start + limit)).toString('base64') : null,
    url: '/v1/payment_intents/search',
  };
}

module.exports = {searchPaymentIntents, parse};
