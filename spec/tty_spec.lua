-- uvnet.tty: terminals as streams.  The terminal cases run a child Lua
-- script on a real pseudo-terminal, driven by a small python3 program
-- (written out below) that sets the window size, types into the terminal
-- and reads what the child shows, every step under a time limit.
local tty = require("uvnet.tty")
local loop = require("support.loop")

-- The pty driver.  Arguments: COLS ROWS then steps, then `--` and the
-- command.  Steps: `expect:TEXT` waits for TEXT in the output after the
-- last match; `quiet:SECONDS:TEXT` fails if TEXT shows up within SECONDS;
-- `send:TEXT` types TEXT (Python escapes such as \n and \x03 allowed);
-- `resize:COLS:ROWS` changes the window size.  After the steps it waits
-- for the child to exit and prints everything the terminal showed, then
-- `[exit N]`.  A failed step prints the output so far, the reason, and
-- exits 3; anything that takes over 10 s is killed and exits 124.
local DRIVER = [=[
import codecs, errno, fcntl, os, select, signal, struct, sys, termios, time

LIMIT = 10.0

def setsize(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

def main():
    args = sys.argv[1:]
    cut = args.index("--")
    cols, rows = int(args[0]), int(args[1])
    steps, cmd = args[2:cut], args[cut + 1:]
    master, slave = os.openpty()
    setsize(master, cols, rows)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    out = bytearray()
    state = {"pos": 0, "eof": False}

    def pump(deadline):
        left = deadline - time.monotonic()
        if left <= 0 or state["eof"]:
            return False
        ready, _, _ = select.select([master], [], [], left)
        if not ready:
            return False
        try:
            data = os.read(master, 65536)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            state["eof"] = True
            return False
        out.extend(data)
        return True

    def fail(why):
        sys.stdout.write(out.decode("latin-1"))
        sys.stdout.write("\n[failed] " + why + "\n")
        sys.stdout.flush()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
        sys.exit(3)

    for step in steps:
        kind, _, rest = step.partition(":")
        if kind == "expect":
            want = codecs.decode(rest, "unicode_escape").encode("latin-1")
            deadline = time.monotonic() + LIMIT
            while out.find(want, state["pos"]) < 0:
                if not pump(deadline):
                    fail("no %r in the output" % want)
            state["pos"] = out.find(want, state["pos"]) + len(want)
        elif kind == "quiet":
            secs, _, text = rest.partition(":")
            want = codecs.decode(text, "unicode_escape").encode("latin-1")
            deadline = time.monotonic() + float(secs)
            while time.monotonic() < deadline:
                pump(deadline)
                if out.find(want, state["pos"]) >= 0:
                    fail("%r came too early" % want)
        elif kind == "send":
            data = codecs.decode(rest, "unicode_escape").encode("latin-1")
            os.write(master, data)
        elif kind == "resize":
            c, _, r = rest.partition(":")
            setsize(master, int(c), int(r))
        else:
            fail("unknown step " + step)
    deadline = time.monotonic() + LIMIT
    while not state["eof"]:
        if not pump(deadline) and not state["eof"]:
            fail("the child did not exit")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.write(out.decode("latin-1"))
    sys.stdout.write("\n[exit %d]\n" % code)

main()
]=]

local shellquote = require("support.files").shellquote

local function writefile(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local driver = os.tmpname()
writefile(driver, DRIVER)

-- The child's preamble: what the spec process loads, it loads too.
local PREAMBLE = ("package.path = %q\npackage.cpath = %q\n"):format(
  package.path, package.cpath)

-- The Lua command for a child script.  A sanitizer runtime preloaded into
-- this process goes to the Lua child only, not to python3, sh or stty.
local function luacommand(file)
  local preload = os.getenv("LD_PRELOAD")
  local prefix = preload and ("env LD_PRELOAD=" .. shellquote(preload) .. " ")
    or ""
  return prefix .. "lua5.4 " .. shellquote(file)
end

-- Runs `source` as a Lua script on a terminal of cols x rows, with the
-- steps; `after` is a shell command run on the same terminal once the
-- script has exited.  Returns what the terminal showed (without carriage
-- returns) and the driver's exit status.
local function onterminal(source, steps, opts)
  opts = opts or {}
  local script = os.tmpname()
  writefile(script, PREAMBLE .. source)
  local shell = luacommand(script) .. "; echo \"[lua $?]\""
  if opts.after then shell = shell .. "; " .. opts.after end
  local parts = { "env -u LD_PRELOAD timeout -k 2 30 python3", driver,
    tostring(opts.cols or 80), tostring(opts.rows or 24) }
  for _, s in ipairs(steps) do parts[#parts + 1] = shellquote(s) end
  parts[#parts + 1] = "-- sh -c " .. shellquote(shell) .. " 2>&1"
  local p = assert(io.popen(table.concat(parts, " ")))
  local out = p:read("a")
  local _, _, status = p:close()
  os.remove(script)
  return (out:gsub("\r", "")), status
end

-- Runs a script inside a shell command: `%s` in the template stands for
-- the script's command, so the template gives its stdin and stdout.
local function withstdio(source, template)
  local script = os.tmpname()
  writefile(script, PREAMBLE .. source)
  local command = "timeout -k 2 10 " .. luacommand(script) .. " 2>&1"
  local p = assert(io.popen((template:gsub("%%s",
    function() return command end))))
  local out = p:read("a")
  local _, _, status = p:close()
  os.remove(script)
  return out, status
end

-- The child scripts show bytes that are not letters, digits or spaces as
-- <n>, so "abc\n" shows as abc<10>.
local SHOW = [[
local function show(d)
  return (d:gsub("[^%w ]", function(c) return "<" .. c:byte() .. ">" end))
end
]]

local function errorof(f, ...)
  local ok, e = pcall(f, ...)
  assert.is_false(ok)
  return e
end

describe("tty.isatty", function()
  it("is false for anything that is not a terminal fd", function()
    for _, v in ipairs({ -1, 1.5, "0", 2 ^ 31, math.huge, 0 / 0, true }) do
      assert.is_false(tty.isatty(v), tostring(v))
    end
    assert.is_false(tty.isatty(nil))
  end)

  it("is false for a pipe, a socket and a file", function()
    local out = withstdio([[
      local tty = require("uvnet.tty")
      print(tty.isatty(0), tty.isatty(1), tty.isatty(2))
    ]], "%s </dev/null | cat")
    assert.are.equal("false\tfalse\tfalse\n", out)
  end)

  it("is true on a terminal, for a float with a whole value too", function()
    local out = onterminal([[
      local tty = require("uvnet.tty")
      print("isatty", tty.isatty(0), tty.isatty(1), tty.isatty(1.0))
    ]], {})
    assert.matches("isatty\ttrue\ttrue\ttrue\n", out, 1, true)
    assert.matches("[lua 0]", out, 1, true)
  end)
end)

describe("tty.ReadStream and tty.WriteStream", function()
  it("raise ERR_INVALID_FD for an fd that is not a whole number", function()
    for _, v in ipairs({ -1, 1.5, "0", 2 ^ 31 }) do
      for _, ctor in ipairs({ tty.ReadStream, tty.WriteStream }) do
        local e = errorof(ctor, v)
        assert.are.equal("ERR_INVALID_FD", e.code)
        assert.are.equal("RangeError", e.name)
      end
    end
    local e = errorof(tty.ReadStream, 1.5)
    assert.are.equal('"fd" must be a positive integer: 1.5', e.message)
    e = errorof(tty.WriteStream)
    assert.are.equal('"fd" must be a positive integer: undefined', e.message)
  end)

  it("raise ERR_TTY_INIT_FAILED for an fd that is not open", function()
    local e = errorof(tty.ReadStream, 2 ^ 31 - 1)
    assert.are.equal("ERR_TTY_INIT_FAILED", e.code)
    assert.are.equal("SystemError", e.name)
    assert.are.equal("TTY initialization failed: uv_tty_init returned "
      .. "EINVAL (invalid argument)", e.message)
    assert.are.same({ errno = -22, code = "EINVAL",
      message = "invalid argument", syscall = "uv_tty_init" }, e.info)
    assert.are.equal("SystemError [ERR_TTY_INIT_FAILED]: TTY initialization "
      .. "failed: uv_tty_init returned EINVAL (invalid argument)", tostring(e))
    loop.run(function() end) -- nothing was left open
  end)

  it("raise ERR_TTY_INIT_FAILED for a file", function()
    local out = withstdio([[
      local tty = require("uvnet.tty")
      local ok, e = pcall(tty.ReadStream, 0)
      io.stderr:write(tostring(ok), " ", e.code, " ", e.info.code, "\n")
      ok, e = pcall(tty.WriteStream, 1)
      io.stderr:write(tostring(ok), " ", e.code, " ", e.info.code, "\n")
    ]], "%s </dev/null >/dev/null")
    assert.are.equal("false ERR_TTY_INIT_FAILED EINVAL\n"
      .. "false ERR_TTY_INIT_FAILED EINVAL\n", out)
  end)

  it("read a pipe as Node does, and setRawMode on it emits 'error'", function()
    local out = withstdio(SHOW .. [[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local r = tty.ReadStream(0)
      print(r.isTTY, r.isRaw, r.readable, r.writable, r.readyState, r.pending)
      r:on("error", function(e)
        print("error", e.code, e.errno, e.syscall, e.message)
      end)
      print(r:setRawMode(true) == r, r.isRaw)
      r:on("data", function(d) print("data", show(d)) end)
      r:on("end", function() print("end") end)
      r:on("close", function(hadError) print("close", hadError) end)
      net.run()
    ]], "printf 'pipe\\n' | %s | cat")
    assert.are.equal(table.concat({
      "true\tfalse\ttrue\ttrue\topen\tfalse",
      "error\tENOTTY\t-25\tsetRawMode\tsetRawMode ENOTTY",
      "true\tfalse",
      "data\tpipe<10>",
      "end",
      "close\tfalse",
      "" }, "\n"), out)
  end)
end)

describe("a terminal", function()
  it("reads lines in normal mode and echoes them through a WriteStream",
  function()
    local out = onterminal(SHOW .. [[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local out = tty.WriteStream(1)
      local inp = tty.ReadStream(0)
      print("flags", inp.isTTY, inp.isRaw, out.isTTY, inp.pending, out.pending)
      local ok, e = pcall(net.Socket, { fd = 0 })
      print("socket", ok, e.code, e.message)
      inp:on("data", function(d)
        out:write("got[" .. show(d) .. "]\n")
        if d:find("quit") then
          inp:destroy()
          out:destroy()
        end
      end)
      inp:on("close", function() print("closed") end)
      out:write("ready\n")
      net.run()
    ]], { "expect:ready", "send:ab", "quiet:0.3:got[", "send:c\\n",
      "expect:got[abc<10>]", "send:quit\\n", "expect:closed" })
    assert.matches("flags\ttrue\tfalse\ttrue\tfalse\tfalse\n", out, 1, true)
    assert.matches("socket\tfalse\tERR_INVALID_FD_TYPE\tUnsupported fd type: "
      .. "TTY\n", out, 1, true)
    -- Normal mode echoes what is typed.
    assert.matches("abc\ngot[abc<10>]\n", out, 1, true)
    assert.matches("[lua 0]", out, 1, true)
  end)

  it("ends the ReadStream at Ctrl+D on an empty line", function()
    local out = onterminal(SHOW .. [[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local inp = tty.ReadStream(0)
      inp:on("error", function(e) print("error", tostring(e)) end)
      inp:on("data", function(d) print("got[" .. show(d) .. "]") end)
      inp:on("end", function() print("end") end)
      inp:on("close", function(hadError) print("close", hadError) end)
      print("ready")
      net.run()
    ]], { "expect:ready", "send:x\\n", "expect:got[x<10>]", "send:\\x04",
      "expect:close" })
    assert.matches("got[x<10>]\nend\nclose\tfalse\n[lua 0]", out, 1, true)
    assert.not_matches("error", out, 1, true)
  end)

  it("delivers single keys in raw mode, and exit restores normal mode",
  function()
    local out = onterminal(SHOW .. [[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local inp = tty.ReadStream(0)
      print("raw", inp:setRawMode(true) == inp, inp.isRaw)
      local n = 0
      inp:on("data", function(d)
        print("got[" .. show(d) .. "]")
        n = n + 1
        -- The script ends with the terminal still raw.
        if n == 2 then inp:destroy() end
      end)
      net.run()
    ]], { "expect:raw\ttrue\ttrue", "send:x", "expect:got[x]", "send:\\x03",
      "expect:got[<3>]" }, { after = "stty -a" })
    -- No echo in raw mode, and Ctrl+C is a byte, not SIGINT.
    assert.matches("true\ngot[x]\ngot[<3>]\n[lua 0]\n", out, 1, true)
    -- stty ran after the script: the terminal is back in normal mode.
    assert.matches("%sicanon%s", out)
    assert.matches("%secho%s", out)
    assert.matches("%sisig%s", out)
  end)

  it("restores normal mode on os.exit and after setRawMode(false)", function()
    local out = onterminal(SHOW .. [[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local inp = tty.ReadStream(0)
      inp:setRawMode(true)
      inp:setRawMode(false)
      print("normal", inp.isRaw)
      inp:setRawMode(true)
      print("raw", inp.isRaw)
      inp:on("data", function(d)
        print("got[" .. show(d) .. "]")
        os.exit(0)
      end)
      net.run()
    ]], { "expect:normal\tfalse", "expect:raw\ttrue", "send:y",
      "expect:got[y]" }, { after = "stty -a" })
    assert.matches("got[y]\n[lua 0]\n", out, 1, true)
    assert.matches("%sicanon%s", out)
    assert.matches("%secho%s", out)
  end)

  it("restores normal mode after an uncaught error", function()
    local out = onterminal([[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local inp = tty.ReadStream(0)
      inp:setRawMode(true)
      inp:on("data", function() error("uncaught in a callback") end)
      print("raw", inp.isRaw)
      net.run()
    ]], { "expect:raw\ttrue", "send:z" }, { after = "stty -a" })
    assert.matches("uncaught in a callback", out, 1, true)
    assert.matches("[lua 1]", out, 1, true)
    assert.matches("%sicanon%s", out)
    assert.matches("%secho%s", out)
  end)

  it("gives the window size, and 'resize' when it changes", function()
    local out = onterminal([[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local out = tty.WriteStream(1)
      local size = out:getWindowSize()
      print("size", out.columns, out.rows, size[1], size[2])
      out:on("resize", function()
        print("resize", out.columns, out.rows)
        out:destroy()
      end)
      local keep = net.setTimeout(function() print("no resize") end, 8000)
      out:on("close", function() net.clearTimeout(keep) end)
      print("ready")
      net.run()
    ]], { "expect:ready", "resize:120:40", "expect:resize" },
      { cols = 100, rows = 30 })
    assert.matches("size\t100\t30\t100\t30\n", out, 1, true)
    assert.matches("resize\t120\t40\n[lua 0]", out, 1, true)
  end)

  it("writes and ends a WriteStream without an error", function()
    local out = onterminal([[
      local net = require("uvnet")
      local tty = require("uvnet.tty")
      local out = tty.WriteStream(1)
      out:on("error", function(e)
        io.stderr:write("error ", tostring(e), "\n")
      end)
      out:on("finish", function() io.stderr:write("finished\n") end)
      out:write(string.rep("x", 100000) .. "\n", function(err)
        io.stderr:write("written ", tostring(err), "\n")
      end)
      out:finish("bye\n")
      net.run()
    ]], {})
    -- What follows the long line, and whether the whole line came out.
    local long = string.rep("x", 100000) .. "\n"
    local at = out:find(long, 1, true)
    assert.is_truthy(at, "the long line did not come out whole")
    assert.are.equal("bye\nwritten nil\nfinished\n[lua 0]\n\n[exit 0]\n",
      out:sub(at + #long))
  end)
end)

teardown(function() os.remove(driver) end)
