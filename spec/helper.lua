-- Loaded by busted before the specs (see .busted); the loop helpers live in
-- spec/support/loop.lua.
package.path = "lua/?.lua;lua/?/init.lua;spec/?.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
