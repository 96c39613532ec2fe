-- wrk script: every request asks another question of GET /api/v1/slots (another window start,
-- length and visitor zone), so no two consecutive requests are the same.
-- START (YYYY-MM-DD) and EVENT_TYPE come from the environment (slots_load.sh sets them).
local zones = { "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Chatham",
  "America/Los_Angeles", "Asia/Tokyo", "UTC", "Australia/Sydney" }
local start = os.getenv("START") or "2025-06-02"
local event_type = os.getenv("EVENT_TYPE") or "intro"
local y, m, d = start:match("(%d+)-(%d+)-(%d+)")
local base = os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
local counter = 0

local function day(offset)
  return os.date("!%Y-%m-%d", base + offset * 86400)
end

request = function()
  counter = counter + 1
  local first = counter % 45
  local length = 1 + (counter * 7) % 14
  local tz = zones[(counter % #zones) + 1]
  local path = string.format("/api/v1/slots?event_type=%s&from=%s&to=%s&tz=%s",
    event_type, day(first), day(first + length), tz)
  return wrk.format("GET", path)
end
