---@meta uvnet.socket
-- LuaLS definitions for net.Socket (lua/uvnet/socket.lua).  Editors only:
-- nothing here runs.  spec/meta_spec.lua checks these names against the
-- real class, so they cannot drift.

---The encodings of setEncoding and write, in any case.
---@alias uvnet.Encoding
---| "utf8"
---| "utf-8"
---| "utf16le"
---| "utf-16le"
---| "ucs2"
---| "ucs-2"
---| "latin1"
---| "binary"
---| "ascii"
---| "hex"
---| "base64"
---| "base64url"

---The events of a socket, with what their listeners get.
---@alias uvnet.SocketEvent
---| "close"                    # (hadError: boolean?) once, when fully closed
---| "connect"                  # () the connection is made
---| "connectionAttempt"        # (ip: string, port: integer, family: 4|6)
---| "connectionAttemptFailed"  # (ip, port, family, err: uvnet.Error)
---| "connectionAttemptTimeout" # (ip, port, family) with family autoselection
---| "data"                     # (data: string) bytes, or text after setEncoding
---| "drain"                    # () the write queue emptied after write() gave false
---| "end"                      # () the peer finished sending
---| "error"                    # (err: uvnet.Error) 'close' follows
---| "lookup"                   # (err?, address?, family?, host: string)
---| "ready"                    # () right after 'connect'
---| "timeout"                  # () idle for the time given to setTimeout
---| "finish"                   # () finish() was called and every write is out
---| "prefinish"                # () the stream's step just before 'finish'
---| "pause"                    # () the flow of 'data' stopped
---| "resume"                   # () the flow of 'data' started
---| "pipe"                     # (src: uvnet.Socket) on the destination of src:pipe()
---| "readable"                 # () paused mode: data (or the end) can be read()
---| uvnet.EmitterEvent

---A buffer from `core.buffer`, or its size in bytes.
---@alias uvnet.OnReadBuffer uvnet.Buffer|integer

---The `onread` option: reads land in one reused buffer, with no 'data' events.
---@class uvnet.OnReadOptions
---@field buffer uvnet.OnReadBuffer|fun(): uvnet.OnReadBuffer A buffer, a size, or a function giving either (called once).
---@field callback fun(nread: integer, buf: uvnet.Buffer): boolean? Called per read; returning false pauses.

---An address a custom `lookup` answers with when `options.all` is set.
---@class uvnet.LookupAddress
---@field address string
---@field family 4|6

---What a custom `lookup` function is given as its `options`.
---@class uvnet.LookupOptions
---@field family? 4|6|0 The `family` option.
---@field hints? integer The `hints` option, or AI_ADDRCONFIG when there is none.
---@field all? boolean true when the answer is a sequence of uvnet.LookupAddress.

---Node's `lookup(host, options, callback)`: call `callback(err, address, family)`,
---or `callback(err, addresses)` when `options.all` is set.
---@alias uvnet.LookupFunction fun(host: string, options: uvnet.LookupOptions, callback: fun(err: any, address: string|uvnet.LookupAddress[]|nil, family?: integer))

---The options of `net.Socket(options)`.
---@class uvnet.SocketOptions
---@field allowHalfOpen? boolean Stay writable after the peer's end (default false).
---@field fd? integer Wrap an open TCP or Unix stream socket, or a pipe.
---@field readable? boolean false: nothing is read.
---@field writable? boolean false: writes fail.
---@field onread? uvnet.OnReadOptions Reads into one reused buffer.
---@field signal? uvnet.AbortSignal Aborting destroys the socket with an AbortError.
---@field highWaterMark? integer Read and write high-water marks (default 65536).
---@field noDelay? boolean Nagle's algorithm off once connected.
---@field keepAlive? boolean TCP keep-alive on once connected.
---@field keepAliveInitialDelay? number Milliseconds before the first probe.
---@field blockList? uvnet.BlockList Addresses the socket must not connect to.

---The options of `socket:connect(options)`; `net.connect` takes these and
---those of uvnet.SocketOptions together.
---@class uvnet.ConnectOptions: uvnet.SocketOptions
---@field port? integer|string TCP: the port (required for TCP).
---@field host? string TCP: an IP address or a name (default "localhost").
---@field path? string A Unix socket path; "\0name" is a Linux abstract name.
---@field family? 0|4|6|"IPv4"|"IPv6" The IP version a name resolves to (0: either).
---@field hints? integer getaddrinfo flags: core.AI_ADDRCONFIG, AI_V4MAPPED, AI_ALL.
---@field lookup? uvnet.LookupFunction Resolves names in place of the system resolver.
---@field localAddress? string Bind this IP address before connecting.
---@field localPort? integer Bind this port before connecting.
---@field autoSelectFamily? boolean Try every address of a name in turn (default true).
---@field autoSelectFamilyAttemptTimeout? integer Milliseconds per attempt (default 250).
---@field timeout? number net.connect only: setTimeout(timeout) before connecting.

---The options of `socket:pipe`: Node's `{ end: false }` is `{ ["end"] = false }`.
---@class uvnet.PipeOptions
---@field ['end'] boolean? false: do not call destination:finish() at 'end'.

---The local or remote end of a TCP socket or server.
---@class uvnet.AddressInfo
---@field address string
---@field family "IPv4"|"IPv6"
---@field port integer

---A duplex stream over a TCP connection or a Unix socket, and an EventEmitter.
---`net.Socket(options)` and `net.Socket.new(options)` make one.
---@class uvnet.Socket: uvnet.EventEmitter
---@field connecting boolean From connect() until connected or failed.
---@field pending boolean No connection yet: before connect() and while connecting.
---@field destroyed boolean destroy() has been called.
---@field closed boolean The socket has been destroyed.
---@field errored? any The error the socket was destroyed with.
---@field readyState "opening"|"open"|"readOnly"|"writeOnly"|"closed"
---@field readable boolean The read side is open.
---@field writable boolean The write side is open.
---@field allowHalfOpen boolean
---@field bytesRead integer
---@field bytesWritten integer Counted when a write is made, queued bytes included.
---@field bufferSize? integer Bytes queued for writing; nil while there is no handle.
---@field readableLength integer Bytes buffered for reading.
---@field writableLength integer Bytes queued for writing.
---@field readableHighWaterMark integer
---@field writableHighWaterMark integer
---@field readableFlowing boolean|nil nil before any consumer, true flowing, false paused.
---@field readableEnded boolean 'end' has been emitted.
---@field readableEncoding? string The encoding setEncoding set.
---@field writableEnded boolean finish() has been called.
---@field writableFinished boolean 'finish' has been emitted.
---@field writableCorked integer The cork count.
---@field writableNeedDrain boolean write() gave false and 'drain' has not come yet.
---@field remoteAddress? string TCP: the peer's address; kept after close.
---@field remotePort? integer
---@field remoteFamily? "IPv4"|"IPv6"
---@field localAddress? string TCP: the local address; kept after close.
---@field localPort? integer
---@field localFamily? "IPv4"|"IPv6"
---@field timeout? number The value last given to setTimeout.
---@field server? uvnet.Server For an accepted socket: the server that accepted it.
---@field blockList? uvnet.BlockList The blockList option.
---@field autoSelectFamilyAttemptedAddresses? string[] "ip:port" of each autoselection attempt.
---@overload fun(options?: uvnet.SocketOptions|integer): uvnet.Socket
local Socket = {}

---Creates a socket that is not connected yet; the same as `net.Socket(options)`.
---A number is read as `{ fd = number }`.
---@param options? uvnet.SocketOptions|integer
---@return uvnet.Socket
function Socket.new(options) end

---Starts connecting; `'connect'` (or `'error'`) follows from the loop.
---`connectListener` is added with `once`.
---@param options uvnet.ConnectOptions
---@param connectListener? fun()
---@return self
---@overload fun(self: uvnet.Socket, port: integer|string, host?: string, connectListener?: fun()): uvnet.Socket
---@overload fun(self: uvnet.Socket, port: integer|string, connectListener: fun()): uvnet.Socket
---@overload fun(self: uvnet.Socket, path: string, connectListener?: fun()): uvnet.Socket
function Socket:connect(options, connectListener) end

---Sends `data` (a string, or a sequence of strings as one vectored write).
---Returns false when the caller should wait for `'drain'`.
---@param data string|string[]
---@param encoding? uvnet.Encoding
---@param callback? fun(err?: uvnet.Error)
---@return boolean
---@overload fun(self: uvnet.Socket, data: string|string[], callback: fun(err?: uvnet.Error)): boolean
function Socket:write(data, encoding, callback) end

---Node's `socket.end()`: writes `data` if given, then half-closes.
---`socket["end"](socket, ...)` is the same method.
---@param data? string|string[]
---@param encoding? uvnet.Encoding
---@param callback? fun(err?: uvnet.Error)
---@return self
---@overload fun(self: uvnet.Socket, callback: fun(err?: uvnet.Error)): uvnet.Socket
---@overload fun(self: uvnet.Socket, data: string|string[], callback: fun(err?: uvnet.Error)): uvnet.Socket
function Socket:finish(data, encoding, callback) end

---Node's name for `finish` (`end` is a Lua keyword): `socket["end"](socket)`.
Socket["end"] = Socket.finish

---Closes the socket at once; with `err`, `'error'` is emitted with it first.
---@param err? any
---@return self
function Socket:destroy(err) end

---Ends the write side and destroys the socket once the writes are out.
function Socket:destroySoon() end

---Closes a TCP connection with RST and destroys the socket.
---@return self
function Socket:resetAndDestroy() end

---Stops `'data'` events; data is buffered up to the high-water mark.
---@return self
function Socket:pause() end

---Starts (or restarts) the flow of `'data'` events.
---@return self
function Socket:resume() end

---Whether `pause()` stopped the flow.
---@return boolean
function Socket:isPaused() end

---Paused mode: takes `size` bytes (all buffered without `size`), or nil
---when not enough has arrived.
---@param size? integer
---@return string?
function Socket:read(size) end

---`'data'` gives text decoded from `encoding` (default "utf8") from now on.
---@param encoding? uvnet.Encoding
---@return self
function Socket:setEncoding(encoding) end

---Emits `'timeout'` after `timeout` ms idle; 0 turns it off.
---@param timeout number
---@param callback? fun()
---@return self
function Socket:setTimeout(timeout, callback) end

---Nagle's algorithm off (true, the default) or on (false).
---@param noDelay? boolean
---@return self
function Socket:setNoDelay(noDelay) end

---TCP keep-alive on or off; `initialDelay` in ms before the first probe.
---@param enable? boolean
---@param initialDelay? number
---@return self
function Socket:setKeepAlive(enable, initialDelay) end

---The local end of a TCP socket; an empty table for a Unix socket or no connection.
---@return uvnet.AddressInfo|table
function Socket:address() end

---Holds writes back until `uncork()`.
function Socket:cork() end

---Sends what `cork()` held, as one vectored write.
function Socket:uncork() end

---Lets `net.run()` return while this socket is open.
---@return self
function Socket:unref() end

---Undoes `unref()`.
---@return self
function Socket:ref() end

---Writes everything read to `destination`, with back-pressure; calls
---`destination:finish()` at `'end'` unless `options["end"] == false`.
---@generic T
---@param destination T
---@param options? uvnet.PipeOptions
---@return T
function Socket:pipe(destination, options) end

---Adds a listener. A `'data'` listener starts the flow; a `'readable'`
---listener switches to paused mode.
---@param eventName uvnet.SocketEvent|string
---@param listener function
---@return self
---@overload fun(self: uvnet.Socket, eventName: "data", listener: fun(data: string)): uvnet.Socket
---@overload fun(self: uvnet.Socket, eventName: "close", listener: fun(hadError?: boolean)): uvnet.Socket
---@overload fun(self: uvnet.Socket, eventName: "error", listener: fun(err: uvnet.Error)): uvnet.Socket
---@overload fun(self: uvnet.Socket, eventName: "connect"|"ready"|"end"|"drain"|"timeout"|"finish", listener: fun()): uvnet.Socket
---@overload fun(self: uvnet.Socket, eventName: "lookup", listener: fun(err?: uvnet.Error, address?: string, family?: integer, host: string)): uvnet.Socket
function Socket:on(eventName, listener) end

---The same method as `on`.
---@param eventName uvnet.SocketEvent|string
---@param listener function
---@return self
function Socket:addListener(eventName, listener) end

---As `on`, removed before its first call.
---@param eventName uvnet.SocketEvent|string
---@param listener function
---@return self
---@overload fun(self: uvnet.Socket, eventName: "data", listener: fun(data: string)): uvnet.Socket
---@overload fun(self: uvnet.Socket, eventName: "close", listener: fun(hadError?: boolean)): uvnet.Socket
---@overload fun(self: uvnet.Socket, eventName: "error", listener: fun(err: uvnet.Error)): uvnet.Socket
---@overload fun(self: uvnet.Socket, eventName: "connect"|"ready"|"end"|"drain"|"timeout"|"finish", listener: fun()): uvnet.Socket
function Socket:once(eventName, listener) end

---As `on`, at the front of the list.
---@param eventName uvnet.SocketEvent|string
---@param listener function
---@return self
function Socket:prependListener(eventName, listener) end

return Socket
