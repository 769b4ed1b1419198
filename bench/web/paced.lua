-- wrk script: GET one URL at a fixed total rate, with a bearer token.
--
--   TOKEN=... RATE=200 THREADS=2 TARGET_PATH='/api/v1/photos?filter=blurred' \
--     wrk -t2 -c16 -d60s -s bench/web/paced.lua http://127.0.0.1:PORT
--
-- Plain wrk has no rate flag. Each thread keeps a schedule of send times RATE/THREADS per
-- second apart (threads offset by half a slot) and delay() holds each request until its
-- slot, so the total is RATE requests/s as long as enough connections are free (a request
-- that finds its slot already past goes at once: the schedule catches up, never drifts).
-- Latency is measured by wrk from the actual send. done() prints one line starting with
-- WRKJSON: wrk's counts and percentiles plus the non-2xx responses counted in response().

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } classify_timespec;
int clock_gettime(int clock_id, classify_timespec *tp);
]]
local timespec = ffi.new("classify_timespec")
local CLOCK_MONOTONIC = 1

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("RATE") or "200")
local thread_count = tonumber(os.getenv("THREADS") or "2")
local token = os.getenv("TOKEN") or error("TOKEN is not set")

wrk.method = "GET"
wrk.path = os.getenv("TARGET_PATH") or "/api/v1/photos?filter=blurred"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"

-- setup() runs in the main state, once per thread; done() reads the threads' counters.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Per-thread state (globals of the thread's own Lua state, so thread:get can read them).
non2xx = 0
responses = 0
local interval_ms, next_at

function init(args)
  interval_ms = 1000.0 * thread_count / rate
  next_at = now_ms() + (thread_id or 0) * interval_ms / thread_count
end

function delay()
  local wait = next_at - now_ms()
  next_at = next_at + interval_ms
  if wait <= 0 then return 0 end
  return math.floor(wait + 0.5)
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad, seen = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    seen = seen + (thread:get("responses") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "responses": %d, "non2xx": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d, "mean_us": %.1f, "stdev_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, seen, bad,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, latency.stdev))
end
