-- busted output handler: busted's usual terminal report, then one plain
-- closing line `N passed, N failed` (errors count as failures), so a run
-- that ran nothing cannot pass for green.
return function(options)
  local busted = require("busted")
  local handler = require("busted.outputHandlers.utfTerminal")(options)

  local function summary()
    local passed = #handler.successes
    local failed = #handler.failures + #handler.errors
    io.write(string.format("\n%d passed, %d failed\n", passed, failed))
    io.flush()
    return nil, true
  end

  busted.subscribe({ "exit" }, summary)
  return handler
end
