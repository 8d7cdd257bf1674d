// Load for bench/renewals_with_sessions.sh: POST /api/checkout/v1/sessions (the body of
// bench/sessions.lua) in a loop on each of CONNECTIONS keep-alive connections, until SIGTERM.
// Then writes one line per request, "start_ms latency_ms status" (start in Unix milliseconds),
// to OUT, so the caller can take the requests that started inside any window.
//   node bench/session_load.mjs URL OUT [CONNECTIONS]      (key in JOPAY_KEY)
import fs from "node:fs";
import http from "node:http";

const [url, out, conns = "4"] = process.argv.slice(2);
const target = new URL("/api/checkout/v1/sessions", url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conns) });
const body = JSON.stringify({
  line_items: [{ name: "Premium Coffee Beans", amount: 2500, currency: "eur", quantity: 1 }],
  customer_email: "customer@example.com",
  success_url: "https://yoursite.com/success",
  cancel_url: "https://yoursite.com/cancel",
  metadata: { order_id: "12345" },
});
const headers = {
  Authorization: `Bearer ${process.env.JOPAY_KEY}`,
  "Content-Type": "application/json",
  "Content-Length": Buffer.byteLength(body),
};
const now = () => performance.timeOrigin + performance.now();
const lines = [];
let running = true;

function post() {
  return new Promise((resolve) => {
    const start = now();
    const req = http.request(target, { method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => {
        lines.push(`${start.toFixed(3)} ${(now() - start).toFixed(3)} ${res.statusCode}`);
        resolve();
      });
    });
    req.on("error", () => {
      lines.push(`${start.toFixed(3)} ${(now() - start).toFixed(3)} 0`);
      resolve();
    });
    req.end(body);
  });
}

async function loop() {
  while (running) await post();
}

process.on("SIGTERM", () => { running = false; });
await Promise.all(Array.from({ length: Number(conns) }, loop));
fs.writeFileSync(out, lines.join("\n") + "\n");
