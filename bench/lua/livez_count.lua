package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
wrk.path = "/livez"
done = c.done
