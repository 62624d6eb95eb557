--- A minimal HTTP/1.1 responder with keep-alive: `Hello, world!` to every
-- GET or HEAD.
--
--   uvnet examples/http_hello.lua [port] [host]   (port 0, the default: any
--                                                  free port; host: 127.0.0.1)
--
-- Try it with `curl http://127.0.0.1:PORT/`. It reads the request line and
-- the headers, enough for keep-alive: an HTTP/1.1 connection stays open
-- unless the request says `Connection: close`, an HTTP/1.0 one only if it
-- says `Connection: keep-alive`. Requests may be pipelined (several in one
-- read, answered in order with one write) or split across reads. A body
-- announced by Content-Length is read and skipped.
--
-- Answers: 200 with `Hello, world!\n` to GET and HEAD (HEAD without the
-- body), 405 to other methods; then, closing the connection, 400 to
-- anything that does not parse, 431 to a head over MAX_HEAD bytes, 501 to
-- a Transfer-Encoding, 505 to a version other than 1.x. Responses are
-- built once a second (the Date header changes) and reused. A connection
-- idle for IDLE_MS is closed, as Node's http server does after its
-- keep-alive timeout. A client that sends requests without reading the
-- answers is paused while its write queue is over the high-water mark.
--
-- On SIGINT or SIGTERM it stops accepting, closes idle connections, answers
-- requests already under way with `Connection: close`, destroys whatever
-- is still open after GRACE_MS and exits. bench/http_hello.js is the same
-- responder in Node 22, line for line; bench/http compares them under wrk.
local net = require("uvnet")

local byte, find, lower = string.byte, string.find, string.lower
local match, sub = string.match, string.sub
local format = string.format
local concat = table.concat
local date, time = os.date, os.time
local pairs, tonumber = pairs, tonumber
local stdout, stderr = io.stdout, io.stderr

local BODY = "Hello, world!\n"
local MAX_HEAD = 8192     -- bytes in a request line and headers
local IDLE_MS = 5000      -- an idle keep-alive connection is closed after this
local GRACE_MS = 2000     -- how long open connections get to close at exit

local where = arg[1] or "0"
local host = arg[2] or "127.0.0.1"
if not where:match("^%d+$") or tonumber(where) > 65535 then
  stderr:write("usage: http_hello.lua [port] [host]\n")
  os.exit(2)
end

local conns = {}          -- socket -> connection state
local stopping = false

local STATUS = {
  [200] = "OK", [400] = "Bad Request", [405] = "Method Not Allowed",
  [431] = "Request Header Fields Too Large", [501] = "Not Implemented",
  [505] = "HTTP Version Not Supported",
}

--- Builds one response.
-- @param status the status code
-- @param keep_alive false adds `Connection: close`
-- @param announce true adds `Connection: keep-alive` (for HTTP/1.0)
-- @param head true leaves the body out (a HEAD request)
local function build(status, keep_alive, announce, head)
  local body = status == 200 and BODY or STATUS[status] .. "\n"
  local extra = ""
  if not keep_alive then
    extra = "Connection: close\r\n"
  elseif announce then
    extra = "Connection: keep-alive\r\n"
  end
  if status == 405 then extra = extra .. "Allow: GET, HEAD\r\n" end
  return "HTTP/1.1 " .. status .. " " .. STATUS[status] .. "\r\n"
    .. "Content-Type: text/plain\r\n"
    .. "Content-Length: " .. #body .. "\r\n"
    .. "Date: " .. date("!%a, %d %b %Y %H:%M:%S GMT") .. "\r\n"
    .. extra .. "\r\n"
    .. (head and "" or body)
end

-- Responses already built in this second, by status and flags.
local cache, cache_second = {}, -1

--- The response for a status and flags (see build), from the cache.
local function response(status, keep_alive, announce, head)
  local key = status * 8 + (keep_alive and 4 or 0) + (announce and 2 or 0) + (head and 1 or 0)
  local now = time()
  if now ~= cache_second then
    cache, cache_second = {}, now
  end
  local r = cache[key]
  if not r then
    r = build(status, keep_alive, announce, head)
    cache[key] = r
  end
  return r
end

--- Reads the head of the request that starts at `first` in `buf`, line by
-- line up to the empty line that ends it.
-- @return nil if the head is not complete yet; else status, keep_alive,
-- announce, head, body_length and where the head ends (its last byte); a
-- request line or header that does not parse gives 400 at once, with
-- keep_alive false.
local function parse_request(buf, first)
  local eol = find(buf, "\n", first, true)
  if not eol then return nil end
  local method, major, minor = match(buf, "^(%u+) [^%s]+ HTTP/(%d)%.(%d)\r?\n", first)
  if not method then return 400, false end
  if major ~= "1" then return 505, false end
  local keep_alive = minor ~= "0"
  local announce, has_host, length = false, false, nil
  local pos = eol + 1
  while true do
    eol = find(buf, "\n", pos, true)
    if not eol then return nil end
    if eol == pos or (eol == pos + 1 and byte(buf, pos) == 13) then break end
    local name, value = match(buf, "^([%w!#$%%&'*+.^_`|~-]+):[ \t]*([^\r\n]*)", pos)
    if not name then return 400, false end
    name = lower(name)
    if name == "host" then
      has_host = true
    elseif name == "connection" then
      value = lower(value)
      for token in value:gmatch("[^%s,]+") do
        if token == "close" then
          keep_alive, announce = false, false
        elseif token == "keep-alive" and minor == "0" then
          keep_alive, announce = true, true
        end
      end
    elseif name == "content-length" then
      local n = match(value, "^(%d+)[ \t]*$")
      if not n or #n > 15 or (length and length ~= tonumber(n)) then return 400, false end
      length = tonumber(n)
    elseif name == "transfer-encoding" then
      return 501, false
    end
    pos = eol + 1
  end
  if minor ~= "0" and not has_host then return 400, false end
  if stopping then keep_alive = false end
  if method ~= "GET" and method ~= "HEAD" then
    return 405, keep_alive, announce, false, length or 0, eol
  end
  return 200, keep_alive, announce, method == "HEAD", length or 0, eol
end

--- Answers every complete request in the connection's buffer, in one write.
local function on_data(st, data)
  local sock = st.sock
  if st.closing then return end        -- after a final answer: read and drop
  local buf = st.buf == "" and data or st.buf .. data
  local pos, out = 1, nil
  while true do
    if st.skip > 0 then                -- the body of the previous request
      local n = #buf - pos + 1
      if n > st.skip then n = st.skip end
      pos, st.skip = pos + n, st.skip - n
      if st.skip > 0 then break end
    end
    local b = byte(buf, pos)
    if b == 13 or b == 10 then pos = match(buf, "^[\r\n]*()", pos) end  -- empty lines first
    local status, keep_alive, announce, head, length, last = parse_request(buf, pos)
    if status == nil and #buf - pos + 1 > MAX_HEAD or last and last - pos + 1 > MAX_HEAD then
      status, keep_alive = 431, false
    end
    if status == nil then break end    -- the rest of the head is still to come
    out = out or {}
    out[#out + 1] = response(status, keep_alive, announce, head)
    if not keep_alive then
      st.closing = true
      break
    end
    st.skip = length
    pos = last + 1
  end
  st.buf = st.closing and "" or sub(buf, pos)
  if out then
    if st.closing then
      sock:finish(#out == 1 and out[1] or concat(out))
    elseif not sock:write(#out == 1 and out[1] or concat(out)) then
      sock:pause()                       -- resumed on 'drain'
    end
  end
end

local server = net.createServer(function(sock)
  local st = { sock = sock, buf = "", skip = 0, closing = false }
  conns[sock] = st
  sock:setTimeout(IDLE_MS, function() sock:destroy() end)
  sock:on("data", function(data) on_data(st, data) end)
  sock:on("drain", function() sock:resume() end)
  sock:on("error", function() end)      -- resets by clients are routine
  sock:on("close", function() conns[sock] = nil end)
end)

server:on("error", function(err) error(err) end)
server:on("close", function()
  stdout:write("server closed\n")
  stdout:flush()
end)

server:listen(tonumber(where), host, function()
  local addr = server:address()
  stdout:write(format("listening on %s port %d\n", addr.address, addr.port))
  stdout:flush()
end)

local function stop(name)
  stdout:write(format("got %s, %s\n", name, stopping and "already stopping" or "stopping"))
  stdout:flush()
  if stopping then return end
  stopping = true
  server:close()
  for sock, st in pairs(conns) do
    if st.buf == "" and st.skip == 0 then
      st.closing = true
      sock:finish()
    end
  end
  net.setTimeout(function()
    for sock in pairs(conns) do sock:destroy() end
  end, GRACE_MS):unref()
end
-- The watchers stay open while stopping, so that a second signal (a
-- supervisor may send one to the process and one to its group) is only
-- noted; they do not keep the process alive.
net.onSignal("SIGINT", stop)
net.onSignal("SIGTERM", stop)
