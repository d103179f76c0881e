-- wrk script: POST /v1/events, batches of 100 events, the load harness's batch (IngestLoad.batch): the same
-- users, types, properties and context, with ids unique per thread and run (KAIROS_BENCH_RUN) instead of
-- random UUIDs. Counts the batches answered 200 with all 100 accepted; done() prints
--   INGEST accepted_batches=... failed_batches=...
wrk.method = "POST"
wrk.path = "/v1/events"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KAIROS_BENCH_KEY")

local run = tonumber(os.getenv("KAIROS_BENCH_RUN") or "0") % 65536
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
  thread:set("run", run)
end

local CONTEXT = ',"context":{"timezone":"Europe/Berlin","device":{"type":"mobile","os":"ios"}},"properties":'
-- Every event stamped as the SDKs stamp them (Instant.toString of a millisecond), a minute before the run starts:
-- reading and checking the stamp is part of ingest's work on real traffic (docs/benchmarks.md §31).
local STAMP = os.date("!%Y-%m-%dT%H:%M:%S", os.time() - 60)
local seq = 0
ok = 0
bad = 0

-- An event's id is its thread and run, then the batch's number (seq) and its place i in the batch; everything
-- after the id depends only on i and on seq % 100 (its user is (seq % 100) * 100 + i). So the 10,000 variants of
-- the rest are made once, and a request is one formatted number and a concatenation of ready pieces. Building each
-- event anew cost wrk about 1 us of CPU an event, a quarter of a core of the two the server under test has at its
-- rate (docs/benchmarks.md §28).
local TAILS = {}
for round = 0, 99 do
  for i = 0, 99 do
    local user = "u" .. (round * 100 + i)
    local kind, props
    if i % 3 == 0 then
      kind, props = "scroll", '{"depth":0.6,"velocity":3500}'
    elseif i % 3 == 1 then
      kind, props = "product_view", '{"productId":"p' .. i .. '","category":"dresses"}'
    else
      kind, props = "page_view", '{"category":"news"}'
    end
    TAILS[round * 100 + i + 1] = string.format("%02x", i) .. '","type":"' .. kind .. '","userId":"' .. user
        .. '","sessionId":"s-' .. user .. '","timestamp":"' .. STAMP .. string.format(".%03dZ", i + 1) .. '"'
        .. CONTEXT .. props .. (i < 99 and '},' or '}')
  end
end
local parts = {}

function request()
  seq = seq + 1
  -- The id: 8-4-4-4-12 hex digits, the last twelve being seq (ten) and i (two).
  local head = string.format('{"eventId":"%08x-%04x-4000-8000-%010x', tid, run, seq)
  local round = (seq % 100) * 100
  for i = 1, 100 do
    parts[2 * i - 1] = head
    parts[2 * i] = TAILS[round + i]
  end
  return wrk.format(nil, nil, nil, '{"batch":[' .. table.concat(parts) .. ']}')
end

function response(status, headers, body)
  if status == 200 and body:sub(1, 16) == '{"accepted":100,' then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
  local accepted, failed = 0, 0
  for _, t in ipairs(threads) do
    accepted = accepted + t:get("ok")
    failed = failed + t:get("bad")
  end
  io.write(string.format("INGEST accepted_batches=%d failed_batches=%d\n", accepted, failed))
end
