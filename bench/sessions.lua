-- wrk script: POST /api/checkout/v1/sessions (the reference's payment session) over
-- keep-alive. The API key comes from the environment (JOPAY_KEY).
wrk.method = "POST"
wrk.path = "/api/checkout/v1/sessions"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("JOPAY_KEY")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"line_items":[{"name":"Premium Coffee Beans","amount":2500,"currency":"eur",' ..
           '"quantity":1}],"customer_email":"customer@example.com",' ..
           '"success_url":"https://yoursite.com/success","cancel_url":"https://yoursite.com/cancel",' ..
           '"metadata":{"order_id":"12345"}}'

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout))
end
