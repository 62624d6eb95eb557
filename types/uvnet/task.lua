---@meta uvnet.task
-- LuaLS definitions for the sequential style, require("uvnet.task") (also
-- net.task and net.spawn; lua/uvnet/task.lua, docs/sequential.md).  Editors
-- only: nothing here runs.  spec/meta_spec.lua checks these names against
-- the real module.

---The events of a task.
---@alias uvnet.TaskEvent
---| "done"  # (...) the values the task's function returned
---| "error" # (err) the error it raised; with a listener, the loop goes on
---| uvnet.EmitterEvent

---The option of the waiting calls: `timeout` in ms bounds the wait.
---@class uvnet.TaskWaitOptions
---@field timeout? number Raises `ETIMEDOUT` when the wait is over; nothing is lost.

---What `read` reads: nil (the next chunk), a byte count, or a format as
---io.read's: "l" (a line without its end), "L" (with it), "a" (all).
---@alias uvnet.ReadFormat integer|"l"|"L"|"a"|"*l"|"*L"|"*a"

---A function running as a coroutine the loop schedules, and an EventEmitter.
---A task in a to-be-closed variable is cancelled when the scope ends.
---@class uvnet.Task: uvnet.EventEmitter
---@field status "pending"|"running"|"suspended"|"done"|"failed"|"cancelled"
---@field error? any The error a failed or cancelled task ended with.
local Task = {}

---Waits (inside another task) until this task ends; returns what its
---function returned, or raises its error.
---@return any ...
function Task:join() end

---Raises an AbortError (code ABORT_ERR, `cause` = reason) in the task where
---it waits; a task that has not started never runs. false if it had ended.
---@param reason? any
---@return boolean
function Task:cancel(reason) end

---The module `require("uvnet.task")`, also `net.task`. Its functions
---other than `spawn` and `current` suspend the task that calls them and
---must be called inside a task.
---@class uvnet.task
local M = {}

M.Task = Task

---Runs `fn(...)` as a task, from the next tick on.
---@param fn function
---@param ... any
---@return uvnet.Task
function M.spawn(fn, ...) end

---The task running now, or nil outside a task.
---@return uvnet.Task?
function M.current() end

---Suspends the running task for `ms` milliseconds.
---@param ms number
function M.sleep(ms) end

---Connects and returns the socket once it is connected; takes
---`net.connect`'s arguments, or a socket and `socket:connect`'s. Raises the
---connect error (ECONNREFUSED, ENOTFOUND, ETIMEDOUT with `timeout`).
---@param options uvnet.ConnectOptions
---@return uvnet.Socket
---@overload fun(port: integer|string, host?: string): uvnet.Socket
---@overload fun(path: string): uvnet.Socket
---@overload fun(socket: uvnet.Socket, ...: any): uvnet.Socket
function M.connect(options) end

---Reads from the socket as io.read reads a file; nil at the end of the
---input (but "" for "a"). Raises the socket's error.
---@param socket uvnet.Socket
---@param format? uvnet.ReadFormat
---@param options? uvnet.TaskWaitOptions
---@return string?
function M.read(socket, format, options) end

---An iterator over the lines (or what `format` reads) until the end of the
---input, as io.lines.
---@param socket uvnet.Socket
---@param format? uvnet.ReadFormat
---@param options? uvnet.TaskWaitOptions
---@return fun(): string?
function M.lines(socket, format, options) end

---The bytes taken from the socket and not returned yet, without waiting
---("" if none); they are forgotten here.
---@param socket uvnet.Socket
---@return string
function M.held(socket) end

---Writes as socket:write does and, when that gives false, waits for
---'drain'. Raises the socket's error. Returns the socket.
---@param socket uvnet.Socket
---@param data string|string[]
---@param encoding? uvnet.Encoding
---@return uvnet.Socket
function M.write(socket, data, encoding) end

---Waits until everything written so far has been handed to the system.
---@param socket uvnet.Socket
---@return uvnet.Socket
function M.flush(socket) end

---Node's end(): writes `data`, ends the writing side and waits for
---'finish'. Returns the socket.
---@param socket uvnet.Socket
---@param data? string|string[]
---@param encoding? uvnet.Encoding
---@return uvnet.Socket
function M.finish(socket, data, encoding) end

---Makes a server listen (a new one, or the one given first) and returns it
---once it does; raises the listen error (EADDRINUSE, ...).
---@param ... any `server:listen`'s arguments, optionally after a server
---@return uvnet.Server
function M.listen(...) end

---The next connection, waiting for one if none is queued; nil once the
---server has closed.
---@param server uvnet.Server
---@param options? uvnet.TaskWaitOptions
---@return uvnet.Socket?
function M.accept(server, options) end

return M
