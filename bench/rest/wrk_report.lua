-- wrk script of the REST scenario (bench/rest_scenario.py). With REST_BODY set in the
-- environment every request is a POST of that JSON body; without, wrk's plain GET. When the run
-- ends, prints one JSON line: requests, duration, errors (status = responses with a status
-- above 399, as wrk counts them) and the latency percentiles in µs.
-- No response() callback: defining one makes wrk parse every response in Lua (client CPU).

local body = os.getenv("REST_BODY")
if body ~= nil and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"wrk_requests":%d,"wrk_duration_us":%d,"wrk_bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50.0), latency:percentile(90.0), latency:percentile(99.0),
    latency:percentile(99.9), latency.mean, latency.max))
end
