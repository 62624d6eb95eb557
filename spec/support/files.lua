--- Files and the shell, for the specs: the repository's root, quoting,
-- reading a file whole, and fresh temporary directories.
local M = {}

-- The repository root: two levels above this file (spec/support/).
local function root()
  local source = debug.getinfo(1, "S").source:gsub("^@", "")
  local dir = source:match("^(.*)/spec/support/[^/]*$")
  if dir == nil then
    if source:match("^spec/") then return "." end
    return "../.."
  end
  return dir
end

--- The repository's root directory.
M.ROOT = root()

--- s quoted for sh.
function M.shellquote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

--- The whole content of the file at path.
function M.readfile(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("a")
  f:close()
  return text
end

--- A new empty directory (mktemp -d); the caller removes it.
function M.tmpdir()
  local f = assert(io.popen("mktemp -d"))
  local dir = f:read("l")
  f:close()
  assert(dir and dir ~= "", "mktemp -d failed")
  return dir
end

--- Whether path exists.
function M.exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

return M
