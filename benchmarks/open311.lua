-- wrk script of bench_open311: form-encoded GeoReport v2 POSTs with an API key, as the spec says.
-- Arguments: the output file prefix, the API key, and the service codes (comma separated). Each
-- thread writes the status and service_request_id of every answer, so the benchmark can check
-- afterwards that each answered id is stored.
local counter = 0
local thread_id = 0
local out = nil
local key = nil
local codes = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end

function init(args)
  out = io.open(args[1] .. "-" .. id, "w")
  key = args[2]
  for code in string.gmatch(args[3], "[^,]+") do
    codes[#codes + 1] = code
  end
end

local function escape(text)
  return (string.gsub(text, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  counter = counter + 1
  local code = codes[(counter % #codes) + 1]
  local body = "api_key=" .. escape(key) .. "&service_code=" .. escape(code) ..
    "&lat=30." .. (100000 + counter) .. "&long=120." .. (200000 + id) ..
    "&address_string=" .. escape("人民路" .. counter .. "号") ..
    "&description=" .. escape("人民路中段路面有个大坑，已经好几天了，请尽快修复。压测 " .. id .. "-" .. counter) ..
    "&phone=13800000000&device_id=wrk-" .. id
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"}
  return wrk.format("POST", "/open311/v2/requests.json", headers, body)
end

function response(status, headers, body)
  local number = string.match(body or "", '"service_request_id":"(%d+)"') or "-"
  out:write(status .. " " .. number .. "\n")
end
