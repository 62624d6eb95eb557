-- The LuaLS definitions in types/ name exactly what uvnet has: every export
-- of require("uvnet"), every public method of its classes and every field
-- a live object carries is declared there, and everything declared there
-- exists.  The stub files are read as text (`function Class:name(`,
-- `Class.name =`, `---@class`, `---@field`, `---@alias`), the real module
-- is loaded and its objects are made on a real loop, so the definitions
-- cannot drift from the code.

local net = require("uvnet")
local loop = require("support.loop")

local support = require("support.files")
local ROOT, shellquote, readfile = support.ROOT, support.shellquote,
  support.readfile

-- The .lua files under a directory of the repository, sorted.
local function luafiles(dir)
  local p = assert(io.popen("cd " .. shellquote(ROOT) .. " && find " .. dir
    .. " -name '*.lua' -type f | sort"))
  local files = {}
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  return files
end

local function sorted(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = tostring(k) end
  table.sort(list)
  return list
end

-- Reads the stub files.  Gives:
--   classes[name] = { fields = {f = true}, parent = name|nil, file = path }
--   members[class][name] = "file:line" for `function V:name(`,
--     `function V.name(`, `V.name =` and `V["name"] =`, where the local V
--     was declared right after `---@class class`;
--   aliases[name] = { "literal", ... } for `---@alias` and its `---|` lines;
--   metas[path] = whether the file's first line is `---@meta`.
local function parsestubs(files)
  local classes, members, aliases, metas = {}, {}, {}, {}
  for _, path in ipairs(files) do
    local text = readfile(ROOT .. "/" .. path)
    metas[path] = text:match("^%-%-%-@meta[%s\n]") ~= nil
    local varclass = {}          -- local name -> class, in this file
    local class, alias = nil, nil
    local n = 0
    for line in (text .. "\n"):gmatch("(.-)\r?\n") do
      n = n + 1
      local where = path .. ":" .. n
      local cname, parent = line:match("^%-%-%-@class%s+([%w_.]+)%s*:?%s*([%w_.]*)")
      local aname, inline = line:match("^%-%-%-@alias%s+([%w_.]+)%s*(.*)$")
      if cname then
        class, alias = cname, nil
        classes[cname] = { fields = {}, parent = parent ~= "" and parent or nil,
          file = path }
      elseif aname then
        class, alias = nil, aname
        aliases[aname] = {}
        for lit in inline:gmatch('"([^"]*)"') do table.insert(aliases[aname], lit) end
      elseif line:match("^%-%-%-@field") then
        local fname = line:match("^%-%-%-@field%s+([%w_]+)")
          or line:match("^%-%-%-@field%s+%[%s*['\"]([%w_]+)['\"]%s*%]")
        assert(class and fname, "a ---@field outside a class at " .. where)
        classes[class].fields[fname] = where
      elseif line:match("^%-%-%-|") then
        if alias then
          local body = line:gsub("#.*$", "")
          for lit in body:gmatch('"([^"]*)"') do table.insert(aliases[alias], lit) end
        end
      elseif not line:match("^%-%-%-") then
        local var = line:match("^local%s+([%w_]+)%s*=%s*{%s*}")
        if var and class then varclass[var] = class end
        class, alias = nil, nil
        local v, name = line:match("^function%s+([%w_]+)[.:]([%w_]+)%s*%(")
        if not v then v, name = line:match("^([%w_]+)%.([%w_]+)%s*=") end
        if not v then v, name = line:match('^([%w_]+)%[%s*"([%w_]+)"%s*%]%s*=') end
        if v then
          local owner = varclass[v]
          assert(owner, ("%s: %s is not a local declared after a ---@class")
            :format(where, v))
          members[owner] = members[owner] or {}
          members[owner][name] = where
        end
      end
    end
  end
  return classes, members, aliases, metas
end

local FILES = luafiles("types")
local classes, members, aliases, metas = parsestubs(FILES)

-- Whether a class (or a class it extends) declares the field.
local function hasfield(class, name)
  while class do
    local c = classes[class]
    if c == nil then return false end
    if c.fields[name] then return true end
    class = c.parent
  end
  return false
end

local function hasmember(class, name)
  while class do
    if members[class] and members[class][name] then return true end
    local c = classes[class]
    class = c and c.parent
  end
  return false
end

-- Keys that are part of the public surface: strings not starting with "_".
local function public(k)
  return type(k) == "string" and k:sub(1, 1) ~= "_"
end

-- Made once on a real loop: objects of every class, in the states that
-- give them their fields.  seen[class] = { objects... } is probed at each
-- moment given; rawkeys[class][key] lists every raw public key met.
local seen, rawkeys = {}, {}
local function observe(class, obj)
  seen[class] = seen[class] or {}
  rawkeys[class] = rawkeys[class] or {}
  local present = {}
  if type(obj) == "table" then
    for k in pairs(obj) do
      if public(k) then rawkeys[class][k] = true end
    end
  end
  -- The fields read through __index (rules, onabort) count as present.
  local c = class
  while c and classes[c] do
    for f in pairs(classes[c].fields) do
      if obj[f] ~= nil then present[f] = true end
    end
    c = classes[c].parent
  end
  table.insert(seen[class], present)
end

local function makeobjects()
  local encoding = require("uvnet.encoding")
  local core = require("uvnet.core")
  loop.run(function(t)
    local bl = net.BlockList()
    bl:addAddress("10.9.9.9")
    observe("uvnet.BlockList", bl)
    observe("uvnet.SocketAddress", net.SocketAddress({ address = "::1", family = "ipv6",
      port = 1, flowlabel = 2 }))
    observe("uvnet.StringDecoder", encoding.decoder("utf8"))
    observe("uvnet.EventEmitter", net.EventEmitter.new())
    observe("uvnet.Buffer", core.buffer(8))

    local ac = net.AbortController()
    ac.signal.onabort = function() end
    ac:abort()
    observe("uvnet.AbortController", ac)
    observe("uvnet.AbortSignal", ac.signal)

    local watcher = net.onSignal("SIGUSR2", function() end)
    observe("uvnet.SignalWatcher", watcher)
    watcher:close()

    local timeout = net.setTimeout(function() end, 1)
    observe("uvnet.Timeout", timeout)
    observe("uvnet.Immediate", net.setImmediate(function() end))

    local finished = net.spawn(function() return 1 end)
    finished:on("done", t.expect(function() observe("uvnet.Task", finished) end))
    local failed = net.spawn(function() error("on purpose") end)
    failed:on("error", t.expect(function() observe("uvnet.Task", failed) end))
    observe("uvnet.Task", failed)

    local fresh = net.Socket()
    observe("uvnet.Socket", fresh)
    local broken = net.Socket()
    broken:on("error", function() end)
    broken:destroy({ code = "EXAMPLE" })
    observe("uvnet.Socket", broken)

    local server
    server = net.createServer({ keepAliveInitialDelay = 1000, highWaterMark = 4096,
      blockList = bl }, t.expect(function(c)
        c:setEncoding("utf8")
        c:setTimeout(1000)
        observe("uvnet.Socket", c)
        c:on("close", function() observe("uvnet.Socket", c) end)
        c:finish("hi")
      end, 2))
    server.maxConnections = 10
    server:listen(0, "127.0.0.1", t.expect(function()
      observe("uvnet.Server", server)
      local port = server:address().port
      local left = 2
      local function done()
        left = left - 1
        if left == 0 then
          server:close(function() observe("uvnet.Server", server) end)
        end
      end
      local plain
      plain = net.connect({ port = port, host = "127.0.0.1", blockList = net.BlockList() },
        t.expect(function() observe("uvnet.Socket", plain) end))
      plain:on("data", function() end)
      plain:on("close", function()
        observe("uvnet.Socket", plain)
        done()
      end)
      -- Family autoselection: nothing listens on 127.0.0.2, so the second
      -- address connects and the attempts are listed.
      local auto
      auto = net.connect({ port = port, host = "db.internal",
        lookup = function(_, _, callback)
          callback(nil, { { address = "127.0.0.2", family = 4 },
                          { address = "127.0.0.1", family = 4 } })
        end }, t.expect(function() observe("uvnet.Socket", auto) end))
      auto:resume()
      auto:on("close", done)
    end))
  end)
end

-- The real tables behind the classes whose methods are checked, and whether
-- the stubs must declare all of their public keys (complete) or only
-- nothing that is missing (the C core's public part).
local REAL
do
  local timers = require("uvnet.timers")
  local encoding = require("uvnet.encoding")
  local core = require("uvnet.core")
  local watcher = net.onSignal("SIGUSR2", function() end)
  REAL = {
    { "uvnet", net, true },
    { "uvnet.Socket", net.Socket, true },
    { "uvnet.Server", net.Server, true },
    { "uvnet.BlockList", net.BlockList, true },
    { "uvnet.SocketAddress", net.SocketAddress, true },
    { "uvnet.EventEmitter", net.EventEmitter, true },
    { "uvnet.AbortController", net.AbortController, true },
    { "uvnet.AbortSignal", net.AbortSignal, true },
    { "uvnet.Timeout", timers.Timeout, true },
    { "uvnet.Immediate", timers.Immediate, true },
    { "uvnet.SignalWatcher", getmetatable(watcher).__index, true },
    { "uvnet.StringDecoder", getmetatable(encoding.decoder()).__index, true },
    { "uvnet.Buffer", getmetatable(core.buffer(1)).__index, true },
    { "uvnet.abort", require("uvnet.abort"), true },
    { "uvnet.encoding", encoding, true },
    { "uvnet.core", core, false },
    { "uvnet.task", require("uvnet.task"), true },
    { "uvnet.Task", require("uvnet.task").Task, true },
    { "uvnet.tty", require("uvnet.tty"), true },
    { "uvnet.tty.ReadStream", require("uvnet.tty").ReadStream, true },
    { "uvnet.tty.WriteStream", require("uvnet.tty").WriteStream, true },
  }
  watcher:close()
  loop.cleanup()
end

-- Fields a user assigns that no code reads (Node has them; uvnet accepts
-- them without effect), so no live object shows them.
local USER_FIELDS = {
  ["uvnet.Server"] = { dropMaxConnection = true },
  -- Set on a stream over a real terminal, which this spec does not have
  -- (spec/tty_spec.lua drives one).
  ["uvnet.tty.WriteStream"] = { columns = true, rows = true },
}

-- Options accepted without effect, as in Node, so that no code reads them.
local IGNORED_OPTIONS = {
  ["uvnet.ListenOptions"] = { exclusive = true },
}

-- Shapes of tables the user passes in or gets (options, errors, event
-- data): each field name must occur in the sources of the modules.
local SHAPES = {
  "uvnet.Error", "uvnet.OnReadOptions", "uvnet.LookupAddress", "uvnet.LookupOptions",
  "uvnet.SocketOptions", "uvnet.ConnectOptions", "uvnet.AddressInfo",
  "uvnet.ServerOptions", "uvnet.ListenOptions", "uvnet.DropData",
  "uvnet.SocketAddressOptions", "uvnet.AbortEvent", "uvnet.AbortListenerOptions",
  "uvnet.PipeOptions", "uvnet.TaskWaitOptions",
}

-- The text of the modules that require("uvnet") loads: the surface the
-- stubs describe.
local function sources()
  local all = {}
  for _, path in ipairs(luafiles("lua/uvnet")) do
    local name = "uvnet." .. path:match("([%w_]+)%.lua$")
    if name == "uvnet.init" then name = "uvnet" end
    if package.loaded[name] then all[#all + 1] = readfile(ROOT .. "/" .. path) end
  end
  return table.concat(all, "\n")
end

describe("types/ (LuaLS definitions)", function()
  it("are ---@meta files", function()
    assert.is_true(#FILES >= 5, "too few files under types/")
    for _, path in ipairs(FILES) do
      assert.is_true(metas[path], path .. " does not start with ---@meta")
    end
  end)

  it("declare every export of require('uvnet') and nothing else", function()
    local missing, extra = {}, {}
    for k in pairs(net) do
      if not (hasmember("uvnet", k) or hasfield("uvnet", k)) then missing[k] = true end
    end
    for k in pairs(members.uvnet or {}) do
      if net[k] == nil then extra[k] = true end
    end
    for k in pairs(classes.uvnet.fields) do
      if net[k] == nil then extra[k] = true end
    end
    assert.are.same({}, sorted(missing), "exported by uvnet, not declared in types/")
    assert.are.same({}, sorted(extra), "declared in types/, not exported by uvnet")
  end)

  it("declare every public method of each class, and only methods it has", function()
    local missing, extra = {}, {}
    for _, entry in ipairs(REAL) do
      local class, real, complete = entry[1], entry[2], entry[3]
      assert.is_not_nil(classes[class], "no ---@class " .. class .. " in types/")
      if complete then
        for k, v in pairs(real) do
          if public(k) and not hasmember(class, k) and not hasfield(class, k) then
            missing[#missing + 1] = class .. "." .. k .. " (" .. type(v) .. ")"
          end
        end
      end
      for k, where in pairs(members[class] or {}) do
        if real[k] == nil then extra[#extra + 1] = class .. "." .. k .. " at " .. where end
      end
    end
    table.sort(missing)
    table.sort(extra)
    assert.are.same({}, missing, "in the code, not declared in types/")
    assert.are.same({}, extra, "declared in types/, not in the code")
  end)

  it("declare every field of live objects, and only fields they have", function()
    makeobjects()
    local missing, extra = {}, {}
    for class, keys in pairs(rawkeys) do
      for k in pairs(keys) do
        if not hasfield(class, k) and not hasmember(class, k) then
          missing[#missing + 1] = class .. "." .. k
        end
      end
    end
    -- A declared field is on the class table (a default, such as
    -- defaultMaxListeners or AI_ALL), on a live object, or one the user sets.
    for _, entry in ipairs(REAL) do
      local class, real = entry[1], entry[2]
      if class ~= "uvnet" then
        for f, where in pairs(classes[class].fields) do
          local found = real[f] ~= nil or (USER_FIELDS[class] or {})[f]
          for _, present in ipairs(seen[class] or {}) do found = found or present[f] end
          if not found then extra[#extra + 1] = class .. "." .. f .. " at " .. where end
        end
      end
    end
    table.sort(missing)
    table.sort(extra)
    assert.are.same({}, missing, "on live objects, not declared in types/")
    assert.are.same({}, extra, "declared in types/, on no live object")
  end)

  it("check every class one way or another", function()
    local checked = {}
    for _, entry in ipairs(REAL) do checked[entry[1]] = true end
    for _, name in ipairs(SHAPES) do checked[name] = true end
    local unchecked = {}
    for name in pairs(classes) do
      if not checked[name] then unchecked[name] = true end
    end
    assert.are.same({}, sorted(unchecked), "classes in types/ that no test checks")
  end)

  it("name in options, errors and event data only fields the code uses", function()
    local text = sources()
    local unknown = {}
    for _, class in ipairs(SHAPES) do
      assert.is_not_nil(classes[class], "no ---@class " .. class .. " in types/")
      for f, where in pairs(classes[class].fields) do
        if not text:find("%f[%w_]" .. f .. "%f[^%w_]")
            and not (IGNORED_OPTIONS[class] or {})[f] then
          unknown[#unknown + 1] = class .. "." .. f .. " at " .. where
        end
      end
    end
    table.sort(unknown)
    assert.are.same({}, unknown, "fields no source in lua/uvnet mentions")
  end)

  it("list the events the code emits, and only those", function()
    local text = sources()
    local declared = {}
    for name, literals in pairs(aliases) do
      if name:match("Event$") then
        for _, lit in ipairs(literals) do declared[lit] = name end
      end
    end
    local missing, extra = {}, {}
    for lit in text:gmatch('emit%("([^"]+)"') do
      if not declared[lit] then missing[lit] = true end
    end
    for lit in pairs(declared) do
      if not text:find('"' .. lit .. '"', 1, true) then extra[lit] = true end
    end
    assert.are.same({}, sorted(missing), "emitted, not in an event alias")
    assert.are.same({}, sorted(extra), "in an event alias, never emitted")
  end)

  it("list the signal names, encodings and run modes uvnet takes", function()
    for _, name in ipairs(aliases["uvnet.SignalName"]) do
      local ok, w = pcall(net.onSignal, name, function() end)
      assert.is_true(ok, name .. " in uvnet.SignalName is refused: " .. tostring(w))
      w:close()
    end
    -- Every name uvnet takes is listed: try the usual POSIX signals.
    local listed = {}
    for _, name in ipairs(aliases["uvnet.SignalName"]) do listed[name] = true end
    for _, name in ipairs({ "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCONT",
      "SIGFPE", "SIGHUP", "SIGILL", "SIGINT", "SIGIO", "SIGPIPE", "SIGPROF",
      "SIGPWR", "SIGQUIT", "SIGSEGV", "SIGSTKFLT", "SIGSYS", "SIGTERM", "SIGTRAP",
      "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGUSR1", "SIGUSR2", "SIGVTALRM",
      "SIGWINCH", "SIGXCPU", "SIGXFSZ" }) do
      local ok, w = pcall(net.onSignal, name, function() end)
      if ok then
        w:close()
        assert.is_true(listed[name], name .. " is taken but not in uvnet.SignalName")
      end
    end
    local encoding = require("uvnet.encoding")
    for _, name in ipairs(aliases["uvnet.Encoding"]) do
      assert.is_not_nil(encoding.normalize(name), name .. " is not an encoding")
    end
    for _, mode in ipairs(aliases["uvnet.RunMode"]) do
      assert.is_true(pcall(net.run, mode), mode .. " is not a run mode")
    end
    loop.cleanup()
  end)
end)
