-- wrk script for the signing-API bench (row_server in bench/run: Harness/Rows/ServerRow.cs): every request POSTs the same raw message to
-- /api/v1/messages/sign with the API key. Environment: SENDERAUTH_BENCH_MESSAGE (the .eml file),
-- SENDERAUTH_BENCH_KEY (the API key), SENDERAUTH_BENCH_OUT (where done() writes its JSON summary).
-- A response counts as an error unless it is 200 and its SenderAuth-Signing header says "signed".

local f = assert(io.open(assert(os.getenv("SENDERAUTH_BENCH_MESSAGE"), "SENDERAUTH_BENCH_MESSAGE is not set"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "message/rfc822"
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("SENDERAUTH_BENCH_KEY"), "SENDERAUTH_BENCH_KEY is not set")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, bad, unsigned, statuses = 0, 0, 0, {}
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  elseif not (headers["SenderAuth-Signing"] or ""):find("^signed;") then
    unsigned = unsigned + 1
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests)
  local good, failed, notsigned, codes = 0, 0, 0, {}
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    failed = failed + t:get("bad")
    notsigned = notsigned + t:get("unsigned")
    for code, n in pairs(t:get("statuses")) do
      codes[#codes + 1] = string.format('"%d": %d', code, n)
    end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  local out = assert(io.open(assert(os.getenv("SENDERAUTH_BENCH_OUT"), "SENDERAUTH_BENCH_OUT is not set"), "w"))
  out:write(string.format(
    '{"seconds": %.3f, "requests": %d, "signed": %d, "msgs_per_s": %.1f, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f, "non_2xx": %d, "not_signed": %d, "statuses": {%s}, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "wrk_status_errors": %d}\n',
    secs, summary.requests, good, good / secs, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, failed, notsigned, table.concat(codes, ", "),
    e.connect, e.read, e.write, e.timeout, e.status))
  out:close()
end
