-- 80% reads, 20% writes: meeting reads 40%, lists 20%, overdue actions 20%,
-- new meetings 10%, family-notice decisions on open meetings 10%.
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local meetings, open, managers, people
local body = [[{"type":"multi_agency","title":"Bench meeting","purpose":"Agree a plan",]] ..
  [["criteria":["resolve_concerns_within_group"],"rationale":"Stalled",]] ..
  [["children":[{"name":"Bench Child","date_of_birth":"2016-01-01"}],"no_other_children":true}]]
function init(args)
  c.seed()
  meetings = c.pairs("meetings.txt")
  open = c.pairs("open_meetings.txt")
  managers = {}
  for _, p in ipairs(c.pairs("managers.txt")) do managers[p[1]] = p[2] end
  people = c.pairs("practitioners.txt")
end
function request()
  local r = math.random(100)
  if r <= 40 then
    local m = c.pick(meetings)
    return wrk.format("GET", "/v1/meetings/" .. m[2], c.auth(managers[m[1]]))
  elseif r <= 60 then
    local m = c.pick(meetings)
    return wrk.format("GET", "/v1/meetings?status=scheduled&limit=50", c.auth(managers[m[1]]))
  elseif r <= 80 then
    return wrk.format("GET", "/v1/actions?owner=me&overdue=true", c.auth(c.pick(people)[2]))
  elseif r <= 90 then
    return wrk.format("POST", "/v1/meetings", c.auth(c.pick(people)[2]), body)
  else
    local m = c.pick(open)
    return wrk.format("POST", "/v1/meetings/" .. m[2] .. "/consent-decisions",
                      c.auth(managers[m[1]]), [[{"decision":"inform"}]])
  end
end
done = c.done
