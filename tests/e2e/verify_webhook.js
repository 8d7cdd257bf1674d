// Verifies JoPay webhook requests the way an Express receiver would: the body re-serialized as
// JSON.stringify(JSON.parse(body)) must still verify, with Node's crypto for both the
// X-JoPay-Signature scheme (key = the whole secret string) and Standard Webhooks (key = the
// base64-decoded bytes after whsec_), then with the official standardwebhooks library (which
// also refuses a timestamp more than 5 minutes off). Reads [{headers, body (base64), secret}]
// on stdin and prints [{ok, why}].
const crypto = require('crypto');
const {Webhook} = require('standardwebhooks');  // tests/node_modules (scripts/setup --tests)

function verify(item) {
  const raw = Buffer.from(item.body, 'base64').toString('utf8');
  const reserialized = JSON.stringify(JSON.parse(raw));
  if (reserialized !== raw) return {ok: false, why: 'JSON.stringify(JSON.parse(body)) differs', raw, reserialized};
  const h = item.headers;
  const parts = h['x-jopay-signature'].split(',');
  const t = parts.find(p => p.startsWith('t=')).slice(2);
  const v1s = parts.filter(p => p.startsWith('v1=')).map(p => p.slice(3));
  const hex = crypto.createHmac('sha256', item.secret).update(`${t}.${reserialized}`).digest('hex');
  if (!v1s.includes(hex)) return {ok: false, why: 'X-JoPay-Signature does not verify'};
  const key = Buffer.from(item.secret.slice('whsec_'.length), 'base64');
  const b64 = crypto.createHmac('sha256', key)
      .update(`${h['webhook-id']}.${h['webhook-timestamp']}.${reserialized}`).digest('base64');
  const sigs = h['webhook-signature'].split(' ').map(s => s.split(',')[1]);
  if (!sigs.includes(b64)) return {ok: false, why: 'webhook-signature does not verify'};
  if (h['webhook-timestamp'] !== t) return {ok: false, why: 'timestamps differ'};
  // The official Standard Webhooks library, as a receiver would use it (5-minute tolerance).
  try {
    new Webhook(item.secret).verify(reserialized, {
      'webhook-id': h['webhook-id'], 'webhook-timestamp': h['webhook-timestamp'],
      'webhook-signature': h['webhook-signature']});
  } catch (e) {
    return {ok: false, why: `standardwebhooks: ${e.message}`};
  }
  if (JSON.parse(raw).id !== h['webhook-id']) return {ok: false, why: 'webhook-id is not the event id'};
  return {ok: true};
}

let input = '';
process.stdin.on('data', d => input += d);
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(verify)));
});
