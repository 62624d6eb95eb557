/*
 * cidr.c: IP address parsing and the BlockList matcher (in progress).
 */
#include "uvnet.h"

void uvn_open_cidr(lua_State *L) {
  (void) L;
}
