//! `guardrail lsp` driven over real stdio with Content-Length framing: diagnostics for an
//! edited buffer, the suppression quick fix, hover, config reloads and config errors, a clean
//! shutdown; then a real editor (headless Neovim) attaching the server to a file.
//!
//! The Neovim test needs `nvim` (`.ci/run` installs Debian's neovim). Without it the test
//! skips, loudly, except under CI, where it fails.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{fake, IG};

/// How long any one message may take (a debug build compiles the built-in packs first).
const TIMEOUT: Duration = Duration::from_secs(60);

/// A language client on the other end of `guardrail lsp`.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Every message the server sent, as text (checked for secrets at the end).
    transcript: Vec<String>,
    next_id: i64,
}

impl Client {
    fn start() -> Self {
        Self::start_with(json!({}))
    }

    /// Starts the server and runs the handshake with these client capabilities.
    fn start_with(capabilities: Value) -> Self {
        Self::start_with_options(capabilities, Value::Null)
    }

    /// Starts the server with client capabilities and `initializationOptions`.
    fn start_with_options(capabilities: Value, options: Value) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guardrail"))
            .arg("lsp")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("guardrail lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(m) = read_message(&mut reader) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let mut client = Self {
            child,
            stdin,
            messages,
            transcript: Vec::new(),
            next_id: 1,
        };
        let init = client.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options}),
        );
        assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 1, "full sync");
        assert_eq!(init["capabilities"]["hoverProvider"], true);
        assert_eq!(
            init["capabilities"]["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix"])
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result (notifications in between are kept).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait_for(|m| m["id"] == id && m.get("method").is_none());
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    fn recv(&mut self) -> Value {
        let m = self
            .messages
            .recv_timeout(TIMEOUT)
            .expect("the server answers in time");
        self.transcript.push(m.to_string());
        m
    }

    fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self.recv();
            if pred(&m) {
                return m;
            }
        }
    }

    /// The next diagnostics published for `uri`, as (code, range, severity) plus messages.
    fn diagnostics(&mut self, uri: &str) -> Vec<Diag> {
        let m =
            self.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
        m["params"]["diagnostics"]
            .as_array()
            .expect("diagnostics array")
            .iter()
            .map(Diag::of)
            .collect()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown`, `exit`, and the process's exit code.
    fn shut_down(mut self) -> (i32, Vec<String>) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("exits");
        while let Ok(m) = self.messages.recv_timeout(Duration::from_millis(200)) {
            self.transcript.push(m.to_string());
        }
        (status.code().unwrap_or(-1), self.transcript)
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// One published diagnostic: code, range (line, character, end line, end character), severity.
#[derive(Debug, PartialEq)]
struct Diag {
    code: String,
    range: (u64, u64, u64, u64),
    severity: u64,
    message: String,
    raw: Value,
}

impl Diag {
    fn of(d: &Value) -> Self {
        let r = &d["range"];
        let n = |v: &Value| v.as_u64().expect("number");
        Self {
            code: d["code"].as_str().unwrap_or_default().to_string(),
            range: (
                n(&r["start"]["line"]),
                n(&r["start"]["character"]),
                n(&r["end"]["line"]),
                n(&r["end"]["character"]),
            ),
            severity: n(&d["severity"]),
            message: d["message"].as_str().unwrap_or_default().to_string(),
            raw: d.clone(),
        }
    }

    fn short(&self) -> (&str, (u64, u64, u64, u64), u64) {
        (self.code.as_str(), self.range, self.severity)
    }
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A throwaway repository (a `.git` directory is enough for the root to be found).
fn repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().canonicalize().expect("canonical");
    std::fs::create_dir_all(root.join(".git")).expect("mkdir .git");
    (tmp, root)
}

fn token() -> String {
    fake(&["ghp_", "aB3dE5fG7hJ9kL1mN3pQ", "5rS7tU9vW1xY3z5A"])
}

const EMAIL_LOG: &str = "logging.info(\"reset for %s\", user.email)";
const GITHUB: &str = "security/github-token";
const EMAIL: &str = "privacy/python-personal-data-in-log";

/// Applies one insertion edit (`range` empty) to `text`, positions counted in UTF-16 units.
fn apply_insert(text: &str, edit: &Value) -> String {
    let start = &edit["range"]["start"];
    assert_eq!(edit["range"]["start"], edit["range"]["end"], "an insertion");
    let line = start["line"].as_u64().expect("line") as usize;
    let character = start["character"].as_u64().expect("character") as usize;
    assert_eq!(character, 0, "inserted at the start of the line");
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let new_text = edit["newText"].as_str().expect("newText");
    lines.insert(line, new_text);
    lines.concat()
}

#[test]
fn diagnostics_follow_the_buffer_the_quick_fix_and_the_config() {
    let (_tmp, root) = repo();
    let path = root.join("app.py");
    let uri = uri_of(&path);
    let secret = token();
    // A non-ASCII key before the token: columns are UTF-16 units ("😀" is two).
    let text = format!("import logging\nCFG = {{\"ключ😀\": \"{secret}\"}}\n{EMAIL_LOG}\n");
    let mut client = Client::start();
    client.open(&uri, &text);
    let diags = client.diagnostics(&uri);
    let short: Vec<_> = diags.iter().map(Diag::short).collect();
    assert_eq!(
        short,
        vec![(GITHUB, (1, 18, 1, 58), 1), (EMAIL, (2, 0, 2, 40), 2)]
    );
    assert_eq!(
        diags[0].message,
        "GitHub personal access or OAuth token committed to the repository"
    );
    assert_eq!(diags[0].raw["source"], "guardrail");
    assert_eq!(
        diags[0].raw["codeDescription"]["href"],
        "https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/"
    );
    assert_eq!(diags[1].message, "Personal data passed to a log or print call");

    // Hover on the email finding: the rule's why and help.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 30}}),
    );
    let value = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        value.starts_with("**privacy/python-personal-data-in-log** (warning, privacy)\n"),
        "{value}"
    );
    assert!(
        value.contains("\n**Why:** A logging.*/logger.* or print() call"),
        "{value}"
    );
    assert!(value.contains("\n**Help:** Log an opaque identifier"), "{value}");
    assert_eq!(
        hover["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 40}})
    );
    // Nowhere near a finding: no hover.
    let none = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}),
    );
    assert_eq!(none, Value::Null);

    // Remove the token: only the email finding is left.
    let text = format!("import logging\nimport os\nCFG = {{\"token\": os.environ[\"GH\"]}}\n{EMAIL_LOG}\n");
    client.change(&uri, 2, &text);
    let diags = client.diagnostics(&uri);
    let short: Vec<_> = diags.iter().map(Diag::short).collect();
    assert_eq!(short, vec![(EMAIL, (3, 0, 3, 40), 2)]);

    // The quick fix inserts a suppression comment above; applied, the finding is suppressed.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diags[0].raw["range"],
            "context": {"diagnostics": [diags[0].raw]},
        }),
    );
    let actions = actions.as_array().expect("actions");
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(
        actions[0]["title"],
        format!("Suppress {EMAIL} on this line ({IG})")
    );
    let edits = actions[0]["edit"]["changes"][&uri]
        .as_array()
        .expect("edits")
        .clone();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["newText"],
        format!("# {IG} {EMAIL} -- TODO: say why this is acceptable\n")
    );
    let text = apply_insert(&text, &edits[0]);
    client.change(&uri, 3, &text);
    assert_eq!(client.diagnostics(&uri), vec![]);

    // The config turns inline suppressions off and raises the rule to an error: saved, it
    // applies without a restart.
    let config = root.join("guardrail.toml");
    std::fs::write(
        &config,
        format!("inline-suppressions = false\n\n[rules]\n\"{EMAIL}\" = \"error\"\n"),
    )
    .expect("write config");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&config), "type": 1}]}),
    );
    let diags = client.diagnostics(&uri);
    let short: Vec<_> = diags.iter().map(Diag::short).collect();
    assert_eq!(short, vec![(EMAIL, (4, 0, 4, 40), 1)]);

    let (code, transcript) = client.shut_down();
    assert_eq!(code, 0, "clean exit after shutdown");
    let all = transcript.join("\n");
    assert!(!all.contains(&secret), "the secret is never sent");
    assert!(!all.contains(&secret[4..20]), "no part of the secret is sent");
}

#[test]
fn config_errors_are_diagnostics_on_the_config_file() {
    let (_tmp, root) = repo();
    let config = root.join("guardrail.toml");
    std::fs::write(&config, "fail-on = \"warning\"\nbogus-key = 1\n").expect("write");
    let path = root.join("src/app.py");
    let uri = uri_of(&path);
    let mut client = Client::start();
    client.open(&uri, &format!("import logging\n{EMAIL_LOG}\n"));
    let on_config = client.diagnostics(&uri_of(&config));
    assert_eq!(on_config.len(), 1);
    assert_eq!(on_config[0].short(), ("guardrail::config", (1, 0, 1, 9), 1));
    assert!(
        on_config[0]
            .message
            .starts_with("unknown field `bogus-key`, expected one of `fail-on`"),
        "{}",
        on_config[0].message
    );
    let on_doc = client.diagnostics(&uri);
    assert_eq!(on_doc.len(), 1);
    assert_eq!(on_doc[0].short(), ("guardrail/config-error", (0, 0, 0, 0), 2));
    assert_eq!(
        on_doc[0].message,
        format!(
            "not checked: the guardrail configuration has errors in {}",
            config.display()
        )
    );

    // Fixed and saved in the editor: the error goes, the document is checked again.
    std::fs::write(&config, "fail-on = \"warning\"\n").expect("write");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri_of(&config)}}),
    );
    let mut seen = std::collections::BTreeMap::new();
    while seen.len() < 2 {
        let m = client.wait_for(|m| m["method"] == "textDocument/publishDiagnostics");
        let diags: Vec<Diag> = m["params"]["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .map(Diag::of)
            .collect();
        seen.insert(m["params"]["uri"].as_str().unwrap_or_default().to_string(), diags);
    }
    assert_eq!(seen[&uri_of(&config)], vec![]);
    let short: Vec<_> = seen[&uri].iter().map(Diag::short).collect();
    assert_eq!(short, vec![(EMAIL, (1, 0, 1, 40), 2)]);

    // A broken policy file the config names: the error points into the policy.
    std::fs::write(
        root.join("team.toml"),
        "[pack]\nname = \"team\"\n\n[[rule]]\nid = \"x\"\nseverity = \"fatal\"\n",
    )
    .expect("write policy");
    std::fs::write(&config, "policies = [\"team.toml\"]\n").expect("write");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri_of(&config)}}),
    );
    let on_policy = client.diagnostics(&uri_of(&root.join("team.toml")));
    assert_eq!(on_policy.len(), 1);
    assert_eq!(on_policy[0].short(), ("guardrail::policy", (5, 11, 5, 18), 1));
    assert!(
        on_policy[0]
            .message
            .starts_with("unknown variant `fatal`, expected one of `note`, `warning`, `error`"),
        "{}",
        on_policy[0].message
    );

    let (code, _) = client.shut_down();
    assert_eq!(code, 0);
}

#[test]
fn excluded_files_get_no_diagnostics_and_bad_messages_do_not_stop_the_server() {
    let (_tmp, root) = repo();
    std::fs::write(root.join("guardrail.toml"), "exclude = [\"vendor/**\"]\n").expect("write");
    let vendored = uri_of(&root.join("vendor/lib.py"));
    let mine = uri_of(&root.join("lib.py"));
    let mut client = Client::start();
    let text = format!("import logging\n{EMAIL_LOG}\n");
    client.open(&vendored, &text);
    assert_eq!(client.diagnostics(&vendored), vec![]);
    // Garbage params and an unknown request are answered or logged, never fatal.
    client.notify("textDocument/didOpen", json!({"textDocument": 7}));
    client.send(json!({"jsonrpc": "2.0", "id": 99, "method": "guardrail/unknown", "params": {}}));
    let err = client.wait_for(|m| m["id"] == 99);
    assert_eq!(err["error"]["code"], -32601);
    client.open(&mine, &text);
    let short: Vec<_> = client.diagnostics(&mine).iter().map(|d| d.code.clone()).collect();
    assert_eq!(short, vec![EMAIL.to_string()]);
    let (code, _) = client.shut_down();
    assert_eq!(code, 0);
}

/// Whether `nvim` runs here; `None` (with a loud message) when it is missing, except under CI.
fn nvim() -> Option<&'static str> {
    let works = Command::new("nvim")
        .args(["--headless", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some("nvim");
    }
    // In CI (.ci/run installs neovim) a missing editor is a failure; on a fresh developer
    // machine `cargo test` must still run every other test, so it skips, loudly.
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but nvim is not installed: `apt-get install -y neovim` (.ci/run does)");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: nvim is not installed (`apt-get install neovim`); the Neovim LSP client test did not run ***\n"
    );
    None
}

#[test]
fn neovim_shows_the_diagnostics_and_updates_them_after_an_edit() {
    let Some(nvim) = nvim() else { return };
    let (_tmp, root) = repo();
    let secret = token();
    let file = root.join("app.py");
    std::fs::write(
        &file,
        format!("import logging\nCFG = {{\"ключ😀\": \"{secret}\"}}\n{EMAIL_LOG}\n"),
    )
    .expect("write");
    let out = root.join("nvim-diagnostics.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/lsp/nvim.lua");
    let home = root.join("home");
    std::fs::create_dir_all(&home).expect("home");
    let mut child = Command::new(nvim)
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&script)
        .env("GUARDRAIL_BIN", env!("CARGO_BIN_EXE_guardrail"))
        .env("GUARDRAIL_FILE", &file)
        .env("GUARDRAIL_OUT", &out)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nvim starts");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("nvim did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let got =
        std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("nvim wrote no result ({status}): {e}"));
    assert!(status.success(), "nvim exited with {status}:\n{got}");
    // Neovim turns the server's UTF-16 columns into byte columns: the token starts after
    // `CFG = {"ключ😀": "`, 17 characters, 18 UTF-16 units, 24 bytes.
    let expected = [
        format!("open {EMAIL} 2:0-2:40 severity=2 Personal data passed to a log or print call"),
        format!("open {GITHUB} 1:24-1:64 severity=1 GitHub personal access or OAuth token committed to the repository"),
        format!("edit {EMAIL} 2:0-2:40 severity=2 Personal data passed to a log or print call"),
        "done".to_string(),
    ];
    assert_eq!(got.lines().collect::<Vec<_>>(), expected, "{got}");
    assert!(!got.contains(&secret));
}

#[test]
fn ignore_files_leave_a_file_out_as_check_does_and_watchers_are_registered() {
    let (_tmp, root) = repo();
    let file = root.join("gen.py");
    let text = format!("import logging\n{EMAIL_LOG}\n");
    std::fs::write(&file, &text).expect("write");
    let mut client = Client::start_with(json!({
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}
    }));
    let registration = client.wait_for(|m| m["method"] == "client/registerCapability");
    let reg = &registration["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = reg["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers")
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert_eq!(
        globs,
        ["**/*.toml", "**/.guardrailignore", "**/.ignore", "**/.gitignore"]
    );
    client.send(json!({"jsonrpc": "2.0", "id": registration["id"], "result": null}));

    let uri = uri_of(&file);
    client.open(&uri, &text);
    let codes: Vec<String> = client.diagnostics(&uri).iter().map(|d| d.code.clone()).collect();
    assert_eq!(codes, [EMAIL]);
    std::fs::write(root.join(".guardrailignore"), "gen.py\n").expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&root.join(".guardrailignore")), "type": 1}]}),
    );
    assert_eq!(client.diagnostics(&uri), vec![]);
    let (code, _) = client.shut_down();
    assert_eq!(code, 0);
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let mut client = Client::start();
    client.notify("exit", Value::Null);
    let status = client.child.wait().expect("exits");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn the_config_baseline_hides_accepted_findings_and_new_ones_show() {
    let (_tmp, root) = repo();
    let file = root.join("legacy.py");
    let text = format!("import logging\n{EMAIL_LOG}\n");
    std::fs::write(&file, &text).expect("write");
    std::fs::write(
        root.join("guardrail.toml"),
        "baseline = \".guardrail-baseline.toml\"\n",
    )
    .expect("write");
    let written = crate::common::guardrail()
        .args(["check", "--write-baseline"])
        .current_dir(&root)
        .output()
        .expect("runs");
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert!(root.join(".guardrail-baseline.toml").exists());

    let uri = uri_of(&file);
    let mut client = Client::start();
    client.open(&uri, &text);
    assert_eq!(client.diagnostics(&uri), vec![]);
    // Lines inserted above move the accepted finding without making it new; a second log
    // call is new.
    let edited = format!("import logging\n\n\n{EMAIL_LOG}\nlogging.warning(\"%s\", customer.phone)\n");
    client.change(&uri, 2, &edited);
    let diags = client.diagnostics(&uri);
    let short: Vec<_> = diags.iter().map(Diag::short).collect();
    assert_eq!(short, vec![(EMAIL, (4, 0, 4, 37), 2)]);
    let (code, _) = client.shut_down();
    assert_eq!(code, 0);
}

#[test]
fn a_new_file_is_checked_before_and_after_its_first_save_and_bare_directories_are_not_walked() {
    let (_tmp, root) = repo();
    let file = root.join("src/new.py");
    let uri = uri_of(&file);
    let text = format!("import logging\n{EMAIL_LOG}\n");
    let mut client = Client::start();
    client.open(&uri, &text);
    let codes: Vec<String> = client.diagnostics(&uri).iter().map(|d| d.code.clone()).collect();
    assert_eq!(codes, [EMAIL]);
    // Saved for the first time: the file list is refreshed, so it is still checked.
    std::fs::create_dir_all(root.join("src")).expect("mkdir");
    std::fs::write(&file, &text).expect("write");
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": uri}}));
    let codes: Vec<String> = client.diagnostics(&uri).iter().map(|d| d.code.clone()).collect();
    assert_eq!(codes, [EMAIL]);

    // Outside any repository and config: the file's directory is the project, not walked.
    let bare = tempfile::tempdir().expect("tempdir");
    let loose = bare.path().canonicalize().expect("canonical").join("notes.py");
    std::fs::write(&loose, &text).expect("write");
    let loose_uri = uri_of(&loose);
    client.open(&loose_uri, &text);
    let codes: Vec<String> = client
        .diagnostics(&loose_uri)
        .iter()
        .map(|d| d.code.clone())
        .collect();
    assert_eq!(codes, [EMAIL]);
    let (code, _) = client.shut_down();
    assert_eq!(code, 0);
}

#[test]
fn a_burst_of_edits_is_checked_once() {
    let (_tmp, root) = repo();
    let uri = uri_of(&root.join("app.py"));
    let mut client = Client::start_with_options(json!({}), json!({"debounceMs": 300}));
    client.open(&uri, "import logging\n");
    assert_eq!(client.diagnostics(&uri), vec![]);
    for version in 2..=6 {
        let text = format!("import logging\n{}{EMAIL_LOG}\n", "\n".repeat(version));
        client.change(&uri, version as i64, &text);
    }
    let m = client.wait_for(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(m["params"]["version"], 6, "only the last version is checked: {m}");
    let diags: Vec<Diag> = m["params"]["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(Diag::of)
        .collect();
    let short: Vec<_> = diags.iter().map(Diag::short).collect();
    assert_eq!(short, vec![(EMAIL, (7, 0, 7, 40), 2)]);
    let (code, transcript) = client.shut_down();
    assert_eq!(code, 0);
    let publishes = transcript
        .iter()
        .filter(|m| m.contains("textDocument/publishDiagnostics"))
        .count();
    assert_eq!(publishes, 2, "one for the open, one for the burst");
}

#[test]
fn a_rule_that_declares_a_fix_offers_it_first_and_applying_it_clears_the_finding() {
    const TLS: &str = "security/python-tls-verification-disabled";
    let (_tmp, root) = repo();
    let uri = uri_of(&root.join("client.py"));
    // "ü" before the call: the edit's columns are UTF-16 units.
    let text = "import requests\nü = requests.get(url, verify=False)\n";
    let mut client = Client::start();
    client.open(&uri, text);
    let diags = client.diagnostics(&uri);
    let short: Vec<_> = diags.iter().map(Diag::short).collect();
    assert_eq!(short, vec![(TLS, (1, 22, 1, 34), 1)]);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diags[0].raw["range"],
            "context": {"diagnostics": [diags[0].raw]},
        }),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["title"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        titles,
        vec![
            format!("Turn certificate verification back on ({TLS})"),
            format!("Suppress {TLS} on this line ({IG})"),
        ]
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(
        fix["edit"]["changes"][&uri],
        json!([{"range": {"start": {"line": 1, "character": 29}, "end": {"line": 1, "character": 34}}, "newText": "True"}])
    );
    client.change(&uri, 2, "import requests\nü = requests.get(url, verify=True)\n");
    assert_eq!(client.diagnostics(&uri), vec![]);
    let (code, _) = client.shut_down();
    assert_eq!(code, 0);
}
