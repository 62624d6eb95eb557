-- Loaded by busted before the specs (see .busted); the loop helpers live in
-- spec/support/loop.lua.
package.path = "lua/?.lua;lua/?/init.lua;spec/?.lua;" .. package.path
-- The build tree's core, unless the command line named another (the ASan
-- run passes --cpath=build-asan/?.so, which must win).
if not package.searchpath("uvnet.core", package.cpath) then
  package.cpath = "build/?.so;" .. package.cpath
end
