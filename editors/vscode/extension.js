// A minimal VS Code client for `guardrail lsp`: starts the server over stdio for every file
// on disk; diagnostics, hover and the suppression quick fix come from the server.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('guardrail');
  const command = config.get('path', 'guardrail');
  const run = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'guardrail',
    'guardrail',
    { run, debug: run },
    {
      documentSelector: [{ scheme: 'file' }],
      initializationOptions: { debounceMs: config.get('debounceMs', 20) },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
