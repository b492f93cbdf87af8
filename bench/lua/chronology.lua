-- GET /v1/children/{child_id}/chronology?limit=200 (CHR-1): the whole
-- chronology of the bench child, 200 entries in one page, read by the
-- manager of B01 (bench/chronology_child.sql); with BENCH_CHRONOLOGY_PDF
-- set, the same as a PDF (CHR-3, /chronology/pdf).
package.path = "bench/lua/?.lua;" .. package.path
local c = require("common")
local path, token
function init(args)
  c.seed()
  local child = c.lines("chronology_child.txt")[1]
  token = c.pairs("managers.txt")[1][2]
  if os.getenv("BENCH_CHRONOLOGY_PDF") then
    path = "/v1/children/" .. child .. "/chronology/pdf"
  else
    path = "/v1/children/" .. child .. "/chronology?limit=200"
  end
end
function request()
  return wrk.format("GET", path, c.auth(token))
end
done = c.done
