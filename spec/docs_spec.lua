-- The examples of docs/api.md run: every ```lua block whose first line is
-- `-- run` is a complete script, and each one runs here in its own lua5.4
-- process (with this process's package.path and package.cpath, from the
-- repository root, stdin from /dev/null) and must exit with status 0
-- within 10 seconds.  So the reference cannot drift from the code.

-- The pages whose marked examples run.
local DOCS = { "docs/api.md", "docs/porting.md" }
local LIMIT = 10          -- seconds per example
local MARKER = "-- run"

local files = require("support.files")
local ROOT, shellquote, readfile = files.ROOT, files.shellquote, files.readfile

-- The runnable blocks of a Markdown text: { line = n, heading = h,
-- source = s } for each ```lua block whose first line is the marker.
local function runnable(text)
  local found = {}
  local heading = "(top)"
  local inblock, isLua, first, startline, lines = false, false, nil, 0, nil
  local n = 0
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    n = n + 1
    if not inblock then
      local fence, info = line:match("^(```+)%s*(%S*)%s*$")
      if fence then
        inblock, isLua, first, startline, lines = true, info == "lua", nil, n + 1, {}
      elseif line:match("^#+ ") then
        heading = line:gsub("^#+%s*", "")
      end
    elseif line:match("^```+%s*$") then
      if isLua and first ~= nil and first:match("^%s*(.-)%s*$") == MARKER then
        found[#found + 1] = { line = startline, heading = heading,
          source = table.concat(lines, "\n") .. "\n" }
      end
      inblock = false
    else
      if first == nil then first = line end
      lines[#lines + 1] = line
    end
  end
  return found
end

-- Runs one script; returns the exit status and what it printed.
local function run(source)
  local script = os.tmpname()
  local output = os.tmpname()
  local f = assert(io.open(script, "wb"))
  f:write(source)
  f:close()
  local command = table.concat({
    "cd", shellquote(ROOT), "&&",
    "LUA_PATH=" .. shellquote(package.path),
    "LUA_CPATH=" .. shellquote(package.cpath),
    "timeout -k 2", tostring(LIMIT), "lua5.4", shellquote(script),
    "</dev/null >" .. shellquote(output), "2>&1",
  }, " ")
  local ok, how, status = os.execute(command)
  local printed = readfile(output)
  os.remove(script)
  os.remove(output)
  if ok then return 0, printed end
  if how == "signal" then return 128 + status, printed end
  return status, printed
end

for _, DOC in ipairs(DOCS) do
describe(DOC .. " examples", function()
  local examples = runnable(readfile(ROOT .. "/" .. DOC))

  it("has runnable examples", function()
    assert.is_true(#examples > 0, "no ```lua block in " .. DOC
      .. " starts with '" .. MARKER .. "'")
  end)

  for _, ex in ipairs(examples) do
    it(("%s:%d (%s)"):format(DOC, ex.line, ex.heading), function()
      local status, printed = run(ex.source)
      if #printed > 2000 then printed = "..." .. printed:sub(-2000) end
      local why = status == 124 and (" (timed out after " .. LIMIT .. " s)") or ""
      assert.are.equal(0, status, ("the example at %s:%d exited with %d%s:\n%s")
        :format(DOC, ex.line, status, why, printed))
    end)
  end
end)
end
