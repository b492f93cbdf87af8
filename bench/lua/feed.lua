-- GET /v1/events?limit=50 by the integration of the feed agency, from a
-- cursor (BENCH_FEED_CURSOR) or from the start.
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local path
function init(args)
  c.seed()
  path = "/v1/events?limit=50"
  local cursor = os.getenv("BENCH_FEED_CURSOR")
  if cursor and cursor ~= "" then path = path .. "&after=" .. cursor end
  wrk.headers["Authorization"] = "Bearer " .. c.lines("integration.txt")[1]
end
function request()
  return wrk.format("GET", path)
end
done = c.done
