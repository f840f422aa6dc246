-- wrk: POST the intake API's example referral with a fresh Idempotency-Key each time and count the
-- 201s per thread, so bench/run.py can check that every success is a row (none lost).
local threads = {}
local run = os.getenv("BENCH_RUN") or "run"
local body_file = assert(io.open(os.getenv("BENCH_BODY")))
local body = body_file:read("*a")
body_file:close()

setup = function(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

init = function(args)
  counter = 0
  created = 0
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("%s-%d-%d", run, tid, counter)
  return wrk.format()
end

response = function(status, headers, body)
  if status == 201 then created = created + 1 end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("created") end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests": %d, "created": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "non2xx": %d, "errors": %d}\n',
    summary.requests, total, total / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
