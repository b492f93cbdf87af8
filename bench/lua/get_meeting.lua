-- GET /v1/meetings/{id}: a random meeting, read by a manager of its agency.
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local meetings, managers
function init(args)
  c.seed()
  meetings = c.pairs("meetings.txt")      -- agency id
  managers = {}
  for _, p in ipairs(c.pairs("managers.txt")) do managers[p[1]] = p[2] end
end
function request()
  local m = c.pick(meetings)
  return wrk.format("GET", "/v1/meetings/" .. m[2], c.auth(managers[m[1]]))
end
done = c.done
