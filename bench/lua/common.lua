-- Shared by the wrk scripts of make bench: data files written by
-- bench/run.sh, random picks, and one machine-readable result line.
local M = {}

local dir = os.getenv("BENCH_DATA") or "bench/out/data"

function M.lines(name)
  local out = {}
  for line in io.lines(dir .. "/" .. name) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

-- "key value" lines into a table of {key, value}
function M.pairs(name)
  local out = {}
  for _, line in ipairs(M.lines(name)) do
    local k, v = line:match("^(%S+)%s+(%S+)$")
    out[#out + 1] = { k, v }
  end
  return out
end

function M.pick(list)
  return list[math.random(#list)]
end

function M.auth(token)
  return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

-- Each thread seeds its own generator differently.
local seeded = false
function M.seed()
  if not seeded then
    math.randomseed(os.time() + math.floor(os.clock() * 1e6) + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
    seeded = true
  end
end

local statuses = {}
function M.response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end

return M
