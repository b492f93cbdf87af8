-- The RSS run: /livez as fast as the service takes it, 16 requests
-- pipelined per write, so that ten million requests fit in minutes.
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local batch
init = function()
  local r = {}
  for i = 1, 16 do r[i] = wrk.format("GET", "/livez") end
  batch = table.concat(r)
end
request = function() return batch end
done = c.done
