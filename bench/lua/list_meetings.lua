-- GET /v1/meetings?status=scheduled&limit=50 by a random agency's manager;
-- BENCH_CURSOR_FILE turns it into a deep page (cursor per agency).
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local managers, cursors
function init(args)
  c.seed()
  managers = c.pairs("managers.txt")
  cursors = {}
  local file = os.getenv("BENCH_CURSOR_FILE")
  if file and file ~= "" then
    for _, p in ipairs(c.pairs(file)) do cursors[p[1]] = p[2] end
  end
end
function request()
  local m = c.pick(managers)
  local path = "/v1/meetings?status=scheduled&limit=50"
  if cursors[m[1]] then path = path .. "&cursor=" .. cursors[m[1]] end
  return wrk.format("GET", path, c.auth(m[2]))
end
done = c.done
