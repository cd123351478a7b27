-- wrk script of bench_intake: every request a new appeal with its own Idempotency-Key; every 50th is
-- sent twice (a client retry). Each thread writes the status and number of every answer to a file,
-- so the benchmark can check afterwards that each answered number is stored.
local counter = 0
local thread_id = 0
local out = nil
local last_key = nil
local retry_pending = false

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end

function init(args)
  out = io.open(args[1] .. "-" .. id, "w")
end

local function body(n)
  return '{"kind": "complaint", "title": "压测留言 ' .. id .. '-' .. n .. '", ' ..
         '"body": "小区门口的路灯坏了很久了，晚上出行很不方便，请有关部门尽快修复。", ' ..
         '"village": "T01V01", "phone": "13800000000"}'
end

function request()
  if retry_pending then
    retry_pending = false
  else
    counter = counter + 1
    last_key = "wrk-" .. id .. "-" .. counter .. "-" .. os.time()
    retry_pending = (counter % 50 == 0)
  end
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = last_key}
  return wrk.format("POST", "/api/v1/appeals/", headers, body(counter))
end

function response(status, headers, body)
  local number = string.match(body or "", '"number":%s*"(%d+)"') or "-"
  out:write(status .. " " .. number .. "\n")
end
