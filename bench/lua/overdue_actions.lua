-- GET /v1/actions?owner=me&overdue=true by a random practitioner.
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local people
function init(args)
  c.seed()
  people = c.pairs("practitioners.txt")
end
function request()
  return wrk.format("GET", "/v1/actions?owner=me&overdue=true", c.auth(c.pick(people)[2]))
end
done = c.done
