-- scripts/bootstrap: installs only what is missing, and as a normal user
-- prints the command to run instead.
describe("scripts/bootstrap", function()
  local function run(cmd)
    local f = io.popen(cmd .. " 2>&1; echo \"exit=$?\"")
    local out = f:read("a")
    f:close()
    return out
  end

  it("does nothing when everything is installed", function()
    assert.are.equal("exit=0\n", run("./scripts/bootstrap"))
  end)

  it("prints the apt command for a normal user and fails", function()
    local out = run("setpriv --reuid=nobody --regid=nogroup --clear-groups "
      .. "env UVNET_BOOTSTRAP_EXTRA=uvnet-no-such-package ./scripts/bootstrap")
    assert.matches("missing packages: uvnet%-no%-such%-package", out)
    assert.matches("run: sudo apt%-get update && sudo apt%-get install %-y "
      .. "uvnet%-no%-such%-package", out)
    assert.matches("exit=1\n$", out)
  end)
end)
