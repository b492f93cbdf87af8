-- POST /v1/meetings by a random practitioner.
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local people
local body = [[{"type":"professionals","title":"Bench meeting","purpose":"Agree a plan",]] ..
  [["criteria":["drift_no_improved_outcomes"],"rationale":"Stalled",]] ..
  [["children":[{"name":"Bench Child","date_of_birth":"2016-01-01"}],"no_other_children":true}]]
function init(args)
  c.seed()
  people = c.pairs("practitioners.txt")
end
function request()
  return wrk.format("POST", "/v1/meetings", c.auth(c.pick(people)[2]), body)
end
done = c.done
