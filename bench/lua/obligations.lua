-- GET /v1/obligations?owner=me (OBL-2) by a random practitioner: what they
-- owe, page 1 by due date. Each bench practitioner has a part in one
-- meeting in a thousand (requester, minute taker, invitee, action owner),
-- so they grow busier with the volume: about a hundred meetings at 100k,
-- a thousand at 1M.
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local people
function init(args)
  c.seed()
  people = c.pairs("practitioners.txt")
end
function request()
  return wrk.format("GET", "/v1/obligations?owner=me", c.auth(c.pick(people)[2]))
end
done = c.done
