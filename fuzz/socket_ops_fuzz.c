/*
 * socket_ops_fuzz.c: libFuzzer target that runs programs of socket
 * operations through the whole of uvnet, the C core and the Lua layer.
 *
 * Each input gets a Lua state of its own, with the C core (linked into this
 * program) preloaded as uvnet.core and the Lua layer found in the source
 * tree.  The driver fuzz/socket_ops.lua reads the input as a program of
 * operations on a few servers and sockets over loopback TCP and Unix
 * sockets, runs it and tears everything down; it raises an error when the
 * library breaks one of its promises, and this file aborts on that error,
 * so that libFuzzer keeps the input.
 *
 * libFuzzer sees the coverage of the C code it instruments, but not that of
 * the Lua layer, where most of the logic is.  A line hook gives it that
 * too: each pair of consecutive lines run in lua/ (an edge, as AFL counts
 * them) bumps one of the extra counters libFuzzer reads after each input.
 *
 * Parsing the Lua layer costs more than running most inputs, so each Lua
 * file is compiled once per process and later states load its bytecode:
 * that cache, the directory for Unix sockets, a listener that never answers
 * (for connections that must wait) and the coverage counters are all that
 * outlives a state.
 *
 * Around the state, this file checks what Lua cannot see: every descriptor
 * opened during the input is closed after lua_close, and every Unix socket
 * path a server bound is removed again.  AddressSanitizer's leak checker
 * covers memory.  Build with fuzz/run, or by hand from the source tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -DUVNET_SOURCE_DIR="\"$PWD\"" -Icsrc -I/usr/include/lua5.4 \
 *     fuzz/socket_ops_fuzz.c $(ls csrc/[a-z]*.c) -llua5.4 -luv -lm
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <uv.h>

#ifndef UVNET_SOURCE_DIR
#error "define UVNET_SOURCE_DIR as the quoted path of the source tree"
#endif

#define DRIVER UVNET_SOURCE_DIR "/fuzz/socket_ops.lua"
#define LUA_PATH                                                               \
  UVNET_SOURCE_DIR "/lua/?.lua;" UVNET_SOURCE_DIR "/lua/?/init.lua"

#define LUA_SOURCES "@" UVNET_SOURCE_DIR "/lua/"
#define EDGE_COUNTERS (1u << 16)

/* The core's only export, from csrc/context.c. */
int luaopen_uvnet_core(lua_State *L);

/* Lua edges run by the current input; libFuzzer clears them before each
 * input and reads them after. */
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
    edge_counters[EDGE_COUNTERS];

/* What the line hook knows of a source: its name as a pointer (which stays
 * valid while the state lives), the hash of the name, and its number in
 * the line report: -1 if there is no report, -2 if it is not in lua/. */
typedef struct {
  const char *source;
  uint32_t hash;
  int index;
} source_info;

/* The line hook's state, reset for each input: the sources seen, by their
 * pointer, and the previous location. */
#define SOURCE_SLOTS 64
static source_info hook_sources[SOURCE_SLOTS];
static uint32_t hook_prev;

/* UVNET_FUZZ_LINES=file: the lines of lua/ that ran, written to file at
 * exit as "path:line" lines, for a report of the Lua coverage of a corpus
 * (run it with -runs=0). */
#define REPORT_SOURCES 64
#define REPORT_LINES 8192
static const char *report_file;
static char *report_names[REPORT_SOURCES];
static uint8_t report_lines[REPORT_SOURCES][REPORT_LINES / 8];
static int report_count;

/* The directory the Unix socket paths of this process go in, made once and
 * removed at exit. */
static char sockdir[] = "/tmp/uvnet-fuzz-XXXXXX";

/* Removes what is left in the socket directory; returns how many entries
 * there were. */
static int empty_sockdir(void) {
  DIR *dir = opendir(sockdir);
  struct dirent *e;
  char path[sizeof(sockdir) + 256];
  int n = 0;

  if (dir == NULL)
    return 0;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof(path), "%s/%s", sockdir, e->d_name);
    fprintf(stderr, "socket_ops_fuzz: left behind: %s\n", path);
    unlink(path);
    n++;
  }
  closedir(dir);
  return n;
}

static void remove_sockdir(void) {
  empty_sockdir();
  rmdir(sockdir);
}

/* The port of a loopback listener that never accepts, with a backlog of 0
 * and one connection waiting in its queue: the kernel drops every further
 * SYN, so a connection to it waits until given up on.  Made once, as the
 * test suite's blackhole is; 0 if it could not be made. */
static int hole_port;

static void open_blackhole(void) {
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (l >= 0 && c >= 0 && bind(l, (struct sockaddr *) &sa, len) == 0 &&
      listen(l, 0) == 0 && getsockname(l, (struct sockaddr *) &sa, &len) == 0 &&
      (connect(c, (struct sockaddr *) &sa, len) == 0 || errno == EINPROGRESS)) {
    hole_port = ntohs(sa.sin_port);
    return; /* both stay open until the process exits */
  }
  perror("socket_ops_fuzz: blackhole");
  if (l >= 0)
    close(l);
  if (c >= 0)
    close(c);
}

/* Ends the process on a finding, as a crash libFuzzer keeps; the socket
 * directory goes first, since no exit handler runs after abort. */
static void crash(void) {
  remove_sockdir();
  abort();
}

/* The lowest descriptor number that is free: a descriptor opened and not
 * closed during an input takes it, so comparing it before and after the
 * input finds leaks without listing /proc. */
static int lowest_free_fd(void) {
  int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

  if (fd >= 0)
    close(fd);
  return fd;
}

/* A Lua file compiled once: its path and its bytecode, line information
 * included (the line hook and tracebacks need it). */
typedef struct compiled {
  struct compiled *next;
  char *path;
  char *code;
  size_t len;
} compiled;

static compiled *compiled_files;

static int collect_bytecode(lua_State *L, const void *p, size_t size,
                            void *ud) {
  compiled *c = (compiled *) ud;
  char *code = (char *) realloc(c->code, c->len + size);

  (void) L;
  if (code == NULL)
    return 1;
  memcpy(code + c->len, p, size);
  c->code = code;
  c->len += size;
  return 0;
}

/* Pushes the function of the Lua file at path, compiling the file only the
 * first time; returns a lua_load status, with the message pushed on error. */
static int load_compiled(lua_State *L, const char *path) {
  compiled *c;
  int rc;

  for (c = compiled_files; c != NULL; c = c->next) {
    if (strcmp(c->path, path) == 0)
      return luaL_loadbufferx(L, c->code, c->len, path, "b");
  }
  rc = luaL_loadfile(L, path);
  if (rc != LUA_OK)
    return rc;
  c = (compiled *) calloc(1, sizeof(*c));
  if (c == NULL || (c->path = strdup(path)) == NULL ||
      lua_dump(L, collect_bytecode, c, 0) != 0) {
    fprintf(stderr, "socket_ops_fuzz: out of memory\n");
    abort();
  }
  c->next = compiled_files;
  compiled_files = c;
  return LUA_OK;
}

/* The searcher for Lua modules, in place of Lua's own: the same search of
 * package.path, and the file loaded through load_compiled. */
static int search_compiled(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  const char *path;

  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchpath");
  lua_pushvalue(L, 1);
  lua_getfield(L, -3, "path");
  lua_call(L, 2, 2);
  if (lua_isnil(L, -2))
    return 1; /* the message that lists the paths tried */
  path = lua_tostring(L, -2);
  if (load_compiled(L, path) != LUA_OK)
    return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s",
                      name, path, lua_tostring(L, -1));
  lua_pushstring(L, path);
  return 2;
}

/* FNV-1a: a hash of a source name that does not change between states. */
static uint32_t hash_name(const char *s) {
  uint32_t h = 2166136261u;

  while (*s != '\0') {
    h ^= (uint8_t) *s++;
    h *= 16777619u;
  }
  return h;
}

/* The number of a source in the line report, added if new; -1 if the
 * report is off or full. */
static int report_index(const char *source) {
  int i;

  if (report_file == NULL)
    return -1;
  for (i = 0; i < report_count; i++) {
    if (strcmp(report_names[i], source) == 0)
      return i;
  }
  if (report_count == REPORT_SOURCES ||
      (report_names[report_count] = strdup(source)) == NULL)
    return -1;
  return report_count++;
}

static void write_report(void) {
  FILE *f = fopen(report_file, "w");
  int i, line;

  if (f == NULL) {
    perror(report_file);
    return;
  }
  for (i = 0; i < report_count; i++) {
    for (line = 0; line < REPORT_LINES; line++) {
      if (report_lines[i][line / 8] & (1u << (line % 8)))
        fprintf(f, "%s:%d\n", report_names[i] + 1, line);
    }
  }
  fclose(f);
}

/* What the hook knows of the source of ar, found or added. */
static source_info *source_of(lua_Debug *ar) {
  uintptr_t key = (uintptr_t) ar->source;
  source_info *si = &hook_sources[(key >> 4) % SOURCE_SLOTS];

  if (si->source != ar->source) {
    si->source = ar->source;
    si->hash = hash_name(ar->source);
    si->index = -2;
    if (strncmp(ar->source, LUA_SOURCES, sizeof(LUA_SOURCES) - 1) == 0)
      si->index = report_index(ar->source);
  }
  return si;
}

static void line_hook(lua_State *L, lua_Debug *ar) {
  source_info *si;
  uint32_t here;
  uint32_t edge;
  int line = ar->currentline;

  if (!lua_getinfo(L, "S", ar))
    return;
  si = source_of(ar);
  if (si->index == -2)
    return;
  here = si->hash ^ ((uint32_t) line * 2654435761u);
#ifdef FUZZ_COARSE
  /* Lines rather than edges, and no counts: what fuzz/run merge builds
   * with, so that the merged corpus keeps one input per new line. */
  edge = here & (EDGE_COUNTERS - 1);
  edge_counters[edge] = 1;
#else
  edge = (here ^ hook_prev) & (EDGE_COUNTERS - 1);
  if (edge_counters[edge] != 255)
    edge_counters[edge]++;
#endif
  hook_prev = here >> 1;
  if (si->index >= 0 && line >= 0 && line < REPORT_LINES)
    report_lines[si->index][line / 8] |= (uint8_t) (1u << (line % 8));
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  uv_loop_t loop;

  (void) argc;
  (void) argv;
  if (mkdtemp(sockdir) == NULL) {
    perror("socket_ops_fuzz: mkdtemp");
    abort();
  }
  atexit(remove_sockdir);
  report_file = getenv("UVNET_FUZZ_LINES");
  if (report_file != NULL)
    atexit(write_report);
  /* libuv opens a few descriptors once per process, with the first loop
   * (the lock of its signal handling); open them now, before any input is
   * measured. */
  if (uv_loop_init(&loop) == 0)
    uv_loop_close(&loop);
  open_blackhole();
  return 0;
}

/* The message handler of the driver's call: adds the traceback. */
static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);

  if (msg == NULL)
    msg = luaL_tolstring(L, 1, NULL);
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Runs the driver on one input in the fresh state L; returns 0, or prints
 * why the driver failed and returns -1. */
static int run_driver(lua_State *L, const uint8_t *data, size_t size) {
  luaL_openlibs(L);
  lua_getglobal(L, "package");
  lua_pushliteral(L, LUA_PATH);
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_getfield(L, -1, "searchers");
  lua_pushcfunction(L, search_compiled);
  lua_rawseti(L, -2, 2);
  lua_pop(L, 2);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_uvnet_core);
  lua_setfield(L, -2, "uvnet.core");
  lua_pop(L, 1);

  lua_pushcfunction(L, traceback);
  if (load_compiled(L, DRIVER) != LUA_OK) {
    fprintf(stderr, "socket_ops_fuzz: %s\n", lua_tostring(L, -1));
    return -1;
  }
  lua_pushlstring(L, (const char *) data, size);
  lua_pushstring(L, sockdir);
  lua_pushinteger(L, hole_port);
  if (lua_pcall(L, 3, 0, 1) != LUA_OK) {
    fprintf(stderr, "socket_ops_fuzz: %s\n", lua_tostring(L, -1));
    return -1;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd_before = lowest_free_fd();
  int fd_after;
  lua_State *L = luaL_newstate();
  int rc;

  if (L == NULL)
    abort();
  memset(hook_sources, 0, sizeof(hook_sources));
  hook_prev = 0;
  lua_sethook(L, line_hook, LUA_MASKLINE, 0);
  rc = run_driver(L, data, size);
  lua_close(L);
  if (rc != 0)
    crash();

  fd_after = lowest_free_fd();
  if (fd_after != fd_before) {
    fprintf(stderr,
            "socket_ops_fuzz: descriptors differ after the input: the lowest "
            "free one was %d and is %d\n",
            fd_before, fd_after);
    crash();
  }
  if (empty_sockdir() != 0)
    crash();
  return 0;
}
