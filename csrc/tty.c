/*
 * tty.c: terminal handles, under Node's tty.ReadStream and tty.WriteStream.
 *
 * A terminal is a stream like a pipe: it reads, writes and shuts down
 * through the methods of stream.c.  This unit adds what only terminals
 * have: raw mode, the window size and blocking writes.  As Node does, the
 * terminal settings from before the first raw mode are put back when the
 * process exits, whatever state the handles are in by then.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "uvnet.h"

/*
 * The settings to put back at exit, and a descriptor of that terminal to
 * put them back through.  libuv's uv_tty_reset_mode keeps the descriptor
 * of the handle itself, which libuv closes with the handle; a Lua state
 * closes its handles before the core is unloaded, so that descriptor is
 * gone by the time an exit handler runs.  A duplicate made here stays open
 * until the process ends.
 */
static int saved_fd = -1;
static struct termios saved_termios;
static int restore_registered;

/* Runs at exit, or when the core is unloaded (glibc runs the exit
 * handlers of a shared object when it is unloaded). */
static void restore_terminal(void) {
  if (saved_fd >= 0) {
    while (tcsetattr(saved_fd, TCSANOW, &saved_termios) != 0 &&
           errno == EINTR) {
    }
  }
}

/*
 * Before the first change away from normal mode: keeps the terminal's
 * settings and a descriptor for restore_terminal.  Returns 0 or a libuv
 * error; on error the mode must not change, since it could not be put back.
 */
static int save_terminal(uvn_handle *h) {
  uv_os_fd_t fd;
  int dup_fd, rc;
  if (saved_fd >= 0)
    return 0;
  rc = uv_fileno(&h->u.handle, &fd);
  if (rc < 0)
    return rc;
  dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (dup_fd < 0)
    return uv_translate_sys_error(errno);
  if (tcgetattr(dup_fd, &saved_termios) != 0) {
    rc = uv_translate_sys_error(errno);
    close(dup_fd);
    return rc;
  }
  if (!restore_registered) {
    if (atexit(restore_terminal) != 0) {
      close(dup_fd);
      return UV_ENOMEM;
    }
    restore_registered = 1;
  }
  saved_fd = dup_fd;
  return 0;
}

/* core.tty(owner, fd, readable): a terminal handle on fd, owned by the
 * table, or nil, name, code (EINVAL when fd is a file, not a stream). */
static int c_tty(lua_State *L) {
  uvn_ctx *ctx = uvn_getctx(L);
  lua_Integer fd = luaL_checkinteger(L, 2);
  int readable = lua_toboolean(L, 3);
  uvn_handle *h;
  int rc;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, fd >= 0 && fd <= INT_MAX, 2, "not a file descriptor");
  lua_settop(L, 1);
  h = uvn_newhandle(L, 1, UVN_TTY);
  rc = uv_tty_init(&ctx->loop, &h->u.tty, (uv_file) fd, readable);
  if (rc < 0) {
    /* libuv has not taken the handle in when it fails. */
    uvn_discard(h);
    return uvn_pushstatus(L, rc);
  }
  return 1;
}

/* h:setmode(mode): 'normal', 'raw' or 'io' (libuv's binary-safe raw
 * mode); returns true, or nil, name, code. */
static int t_setmode(lua_State *L) {
  static const char *const names[] = { "normal", "raw", "io", NULL };
  static const uv_tty_mode_t modes[] = { UV_TTY_MODE_NORMAL, UV_TTY_MODE_RAW,
                                         UV_TTY_MODE_IO };
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TTY);
  uv_tty_mode_t mode = modes[luaL_checkoption(L, 2, NULL, names)];
  int rc = 0;
  if (mode != UV_TTY_MODE_NORMAL)
    rc = save_terminal(h);
  if (rc == 0)
    rc = uv_tty_set_mode(&h->u.tty, mode);
  return uvn_pushstatus(L, rc);
}

/* h:winsize(): columns and rows, or nil, name, code. */
static int t_winsize(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TTY);
  int width, height;
  int rc = uv_tty_get_winsize(&h->u.tty, &width, &height);
  if (rc < 0)
    return uvn_pushstatus(L, rc);
  lua_pushinteger(L, width);
  lua_pushinteger(L, height);
  return 2;
}

/* h:setblocking(on): writes that finish before returning, so output is
 * neither interleaved nor lost at exit; returns true, or nil, name, code. */
static int t_setblocking(lua_State *L) {
  uvn_handle *h = uvn_checkkind(L, 1, UVN_TTY);
  int on = lua_toboolean(L, 2);
  return uvn_pushstatus(L, uv_stream_set_blocking(&h->u.stream, on));
}

static const luaL_Reg tty_methods[] = { { "setmode", t_setmode },
                                        { "winsize", t_winsize },
                                        { "setblocking", t_setblocking },
                                        { NULL, NULL } };

static const luaL_Reg tty_funcs[] = { { "tty", c_tty }, { NULL, NULL } };

/* The stream methods (read, write, shutdown) come from stream.c. */
void uvn_open_tty(lua_State *L) {
  uvn_addmethods(L, UVN_TTY, tty_methods);
  uvn_setfuncs(L, tty_funcs);
}
