-- Headless Neovim (0.7 API) as a real LSP client for tests/it/lsp.rs: attaches `guardrail lsp`
-- to $GUARDRAIL_FILE, records the diagnostics it receives, edits the buffer, records them again,
-- and writes one line per diagnostic to $GUARDRAIL_OUT.
local bin, target, out = vim.env.GUARDRAIL_BIN, vim.env.GUARDRAIL_FILE, vim.env.GUARDRAIL_OUT
local result = {}
local function finish(status)
  table.insert(result, status)
  vim.fn.writefile(result, out)
  vim.cmd('qa!')
end

vim.cmd('edit ' .. vim.fn.fnameescape(target))
local buf = vim.api.nvim_get_current_buf()
local published = 0
local client_id = vim.lsp.start_client({
  name = 'guardrail',
  cmd = { bin, 'lsp' },
  root_dir = vim.fn.fnamemodify(target, ':h'),
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
      if params.uri == vim.uri_from_bufnr(buf) then
        published = published + 1
      end
    end,
  },
})
if not client_id then
  finish('error: the client did not start')
  return
end
vim.lsp.buf_attach_client(buf, client_id)

local function record(step)
  local lines = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(lines, string.format('%s %s %d:%d-%d:%d severity=%d %s',
      step, tostring(d.code), d.lnum, d.col, d.end_lnum, d.end_col, d.severity, d.message))
  end
  table.sort(lines)
  for _, l in ipairs(lines) do
    table.insert(result, l)
  end
end

if not vim.wait(60000, function() return published >= 1 end, 20) then
  finish('error: no diagnostics after opening')
  return
end
record('open')

-- Replace the line with the token by an environment lookup (an unsaved edit).
vim.api.nvim_buf_set_lines(buf, 1, 2, false, { 'CFG = {"token": os.environ["GH"]}' })
if not vim.wait(60000, function() return published >= 2 end, 20) then
  finish('error: no diagnostics after the edit')
  return
end
record('edit')

vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
finish('done')
