//! `guardrail lsp`: a Language Server Protocol server over stdio (lsp-server + lsp-types).
//!
//! Open documents are checked from their unsaved text with the engine `check` uses, with the
//! config found from each document's path ([`project`]): the same rules, file contexts, inline
//! suppressions and baseline. Diagnostics are published on open and save at once, and after
//! edits once the buffer has been quiet for [`DEBOUNCE`]. Saving `guardrail.toml`, a policy
//! file or the baseline reloads the projects and republishes; a config or policy error becomes
//! a diagnostic on the file it is in. Hover shows a rule's why and help; the code action inserts
//! a `guardrail:ignore` comment on the line above.
//!
//! Nothing here logs document text: log messages name paths and rule ids only, and findings
//! are redacted when they are built.

pub mod actions;
pub mod convert;
pub mod project;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher,
    GlobPattern, Hover, HoverContents, HoverParams, HoverProviderCapability, InitializeParams,
    LogMessageParams, MarkupContent, MarkupKind, MessageType, NumberOrString, Position,
    PublishDiagnosticsParams, Range, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};
use serde::de::DeserializeOwned;

use crate::error::{Error, LocatedError};
use crate::finding::Finding;
use crate::policy::Severity;
use convert::{path_to_uri, uri_to_path, LineIndex};
use project::{Project, ProjectKey};

/// How long a buffer must be quiet after an edit before it is checked again. Short: edits
/// that queue up while a check runs are coalesced anyway (the queue is drained first), and a
/// re-check reparses only what changed.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// Longest an edited document waits while other messages keep arriving.
pub const MAX_DELAY: Duration = Duration::from_millis(250);

/// The `source` of every diagnostic.
pub const SOURCE: &str = "guardrail";

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown` then `exit`.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt,
}

/// Serves one client on stdin/stdout until it exits.
pub fn run_stdio() -> Result<Ending, String> {
    let (connection, io_threads) = Connection::stdio();
    let ending = serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(|e| format!("stdio: {e}"))?;
    Ok(ending)
}

/// Runs the handshake and the message loop on `connection`.
pub fn serve(connection: &Connection) -> Result<Ending, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    // A client's odd capabilities are no reason to refuse it: none of them are needed.
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                include_text: Some(false),
            })),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "guardrail".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(connection);
    if let Some(ms) = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
    {
        server.debounce = Duration::from_millis(ms.min(10_000));
    }
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    if watch {
        server.register_watchers();
    }
    server.main_loop()
}

/// Files whose changes the server asks the client to report: configs, policies and baselines
/// (TOML), and ignore files.
pub const WATCHED: &[&str] = &["**/*.toml", "**/.guardrailignore", "**/.ignore", "**/.gitignore"];

/// An open document.
struct Document {
    uri: Uri,
    version: Option<i32>,
    text: String,
    path: Option<PathBuf>,
    /// Diagnostics last published, for hover.
    published: Vec<Diagnostic>,
}

/// A project that loaded, or the error its config or policies have.
enum Loaded {
    Ok(Box<Project>),
    Failed(Vec<(PathBuf, Diagnostic)>),
}

struct Server<'c> {
    connection: &'c Connection,
    documents: HashMap<String, Document>,
    projects: BTreeMap<ProjectKey, Loaded>,
    /// Edited documents waiting for the buffer to be quiet: uri -> last edit.
    pending: HashMap<String, Instant>,
    /// Files that carry config or policy error diagnostics now.
    error_files: HashSet<PathBuf>,
    shutting_down: bool,
    debounce: Duration,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection) -> Self {
        Self {
            connection,
            documents: HashMap::new(),
            projects: BTreeMap::new(),
            pending: HashMap::new(),
            error_files: HashSet::new(),
            shutting_down: false,
            debounce: DEBOUNCE,
        }
    }

    fn main_loop(&mut self) -> Result<Ending, String> {
        loop {
            // Edits still queued make a due check obsolete: check once the queue is drained.
            // A steady stream of other messages (hovers while typing) must not starve checks
            // for long, though.
            if self.connection.receiver.is_empty() {
                self.flush_pending(self.debounce);
            } else {
                self.flush_pending(self.debounce.max(MAX_DELAY));
            }
            let message = match self.pending.values().min() {
                None => self
                    .connection
                    .receiver
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
                Some(last) => {
                    let wait = (*last + self.debounce).saturating_duration_since(Instant::now());
                    self.connection.receiver.recv_timeout(wait)
                }
            };
            match message {
                Ok(Message::Request(req)) => {
                    if req.method == "shutdown" {
                        self.shutting_down = true;
                        self.respond(Response::new_ok(req.id, ()));
                        continue;
                    }
                    self.request(req);
                }
                Ok(Message::Notification(n)) => {
                    if n.method == "exit" {
                        return Ok(if self.shutting_down {
                            Ending::Clean
                        } else {
                            Ending::Abrupt
                        });
                    }
                    self.notification(n);
                }
                Ok(Message::Response(_)) => {}
                Err(RecvTimeoutError::Timeout) => self.flush_pending(self.debounce),
                Err(RecvTimeoutError::Disconnected) => return Ok(Ending::Abrupt),
            }
        }
    }

    /// Asks the client to report changes to [`WATCHED`] files (`workspace/didChangeWatchedFiles`).
    fn register_watchers(&self) {
        let watchers: Vec<FileSystemWatcher> = WATCHED
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*glob).to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "guardrail-watched-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let req = Request::new(
            RequestId::from("guardrail/register-watchers".to_string()),
            "client/registerCapability".to_string(),
            params,
        );
        let _ = self.connection.sender.send(Message::Request(req));
    }

    /// Checks the edited documents quiet for at least `quiet`.
    fn flush_pending(&mut self, quiet: Duration) {
        let now = Instant::now();
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, last)| **last + quiet <= now)
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in due {
            self.pending.remove(&uri);
            self.publish(&uri);
        }
    }

    fn request(&mut self, req: Request) {
        if self.shutting_down {
            let resp = Response::new_err(req.id, ErrorCode::InvalidRequest as i32, "shutting down".into());
            self.respond(resp);
            return;
        }
        let id = req.id.clone();
        let response = match req.method.as_str() {
            "textDocument/hover" => self.with_params(id, req.params, Self::hover),
            "textDocument/codeAction" => self.with_params(id, req.params, Self::code_actions),
            other => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request {other}"),
            ),
        };
        self.respond(response);
    }

    fn with_params<P: DeserializeOwned, R: serde::Serialize>(
        &mut self,
        id: RequestId,
        params: serde_json::Value,
        handler: fn(&mut Self, P) -> R,
    ) -> Response {
        match serde_json::from_value::<P>(params) {
            Ok(p) => {
                let result = handler(self, p);
                Response::new_ok(id, result)
            }
            Err(e) => Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("invalid params: {e}"),
            ),
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Some(p) = self.params::<DidOpenTextDocumentParams>(&n) {
                    let key = p.text_document.uri.as_str().to_string();
                    let path = uri_to_path(&p.text_document.uri);
                    self.documents.insert(
                        key.clone(),
                        Document {
                            uri: p.text_document.uri,
                            version: Some(p.text_document.version),
                            text: p.text_document.text,
                            path,
                            published: Vec::new(),
                        },
                    );
                    self.publish(&key);
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = self.params::<DidChangeTextDocumentParams>(&n) {
                    let key = p.text_document.uri.as_str().to_string();
                    let Some(doc) = self.documents.get_mut(&key) else {
                        self.log(
                            MessageType::WARNING,
                            format!("didChange for a document not open: {key}"),
                        );
                        return;
                    };
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        if change.range.is_some() {
                            self.log(
                                MessageType::WARNING,
                                "incremental change ignored (full sync was announced)".into(),
                            );
                            return;
                        }
                        doc.text = change.text;
                        doc.version = Some(p.text_document.version);
                        self.pending.insert(key, Instant::now());
                    }
                }
            }
            "textDocument/didSave" => {
                if let Some(p) = self.params::<DidSaveTextDocumentParams>(&n) {
                    self.saved(&p.text_document.uri);
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = self.params::<DidCloseTextDocumentParams>(&n) {
                    let key = p.text_document.uri.as_str().to_string();
                    self.pending.remove(&key);
                    if let Some(doc) = self.documents.remove(&key) {
                        let on_error = doc.path.as_ref().is_some_and(|p| self.error_files.contains(p));
                        if !on_error {
                            self.send_diagnostics(doc.uri, Vec::new(), None);
                        }
                    }
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Some(p) = self.params::<DidChangeWatchedFilesParams>(&n) {
                    let paths: Vec<PathBuf> = p.changes.iter().filter_map(|c| uri_to_path(&c.uri)).collect();
                    if paths.iter().any(|p| self.is_config_file(p)) {
                        self.reload();
                    } else if !paths.is_empty() {
                        // Created or deleted files change what require rules and ignore files see.
                        self.rewalk();
                        self.republish_all();
                    }
                }
            }
            _ => {}
        }
    }

    fn params<P: DeserializeOwned>(&self, n: &Notification) -> Option<P> {
        match serde_json::from_value(n.params.clone()) {
            Ok(p) => Some(p),
            Err(e) => {
                self.log(MessageType::ERROR, format!("{}: invalid params: {e}", n.method));
                None
            }
        }
    }

    /// A document was saved: a config, policy or baseline file reloads every project; any
    /// other file is checked at once (a new file joins its project's file list).
    fn saved(&mut self, uri: &Uri) {
        let key = uri.as_str().to_string();
        let path = uri_to_path(uri);
        if path.as_deref().is_some_and(|p| self.is_config_file(p)) {
            self.reload();
            return;
        }
        let ignore_file = path
            .as_deref()
            .and_then(Path::file_name)
            .is_some_and(|n| n == ".guardrailignore" || n == ".ignore" || n == ".gitignore");
        if ignore_file {
            self.rewalk();
            self.republish_all();
            return;
        }
        if let Some(path) = &path {
            let mut stale = false;
            for loaded in self.projects.values_mut() {
                if let Loaded::Ok(project) = loaded {
                    if path.starts_with(&project.key.root)
                        && !project.lists(path)
                        && project.unlisted_seen.insert(path.clone())
                    {
                        stale = true;
                    }
                }
            }
            if stale {
                self.rewalk();
            }
        }
        if self.documents.contains_key(&key) {
            self.pending.remove(&key);
            self.publish(&key);
        }
    }

    fn is_config_file(&self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        name == crate::config::FILE_NAME
            || self.projects.values().any(|l| match l {
                Loaded::Ok(p) => p.depends_on(path),
                Loaded::Failed(errors) => errors.iter().any(|(f, _)| f == path),
            })
    }

    /// Drops every loaded project, clears old error diagnostics and republishes.
    fn reload(&mut self) {
        self.log(MessageType::INFO, "configuration changed: reloading".into());
        self.projects.clear();
        let old: Vec<PathBuf> = self.error_files.drain().collect();
        self.republish_all();
        for path in old {
            if !self.error_files.contains(&path) && !self.is_open_path(&path) {
                if let Some(uri) = path_to_uri(&path) {
                    self.send_diagnostics(uri, Vec::new(), None);
                }
            }
        }
    }

    /// Checks every open document again, now.
    fn republish_all(&mut self) {
        let mut keys: Vec<String> = self.documents.keys().cloned().collect();
        keys.sort();
        for key in &keys {
            self.pending.remove(key);
            self.publish(key);
        }
    }

    fn rewalk(&mut self) {
        for loaded in self.projects.values_mut() {
            if let Loaded::Ok(project) = loaded {
                if let Err(e) = project.rewalk() {
                    let msg = format!("listing {}: {e}", project.key.root.display());
                    let _ = self.connection.sender.send(log_message(MessageType::ERROR, msg));
                }
            }
        }
    }

    fn is_open_path(&self, path: &Path) -> bool {
        self.documents.values().any(|d| d.path.as_deref() == Some(path))
    }

    /// The project of a document in `dir`, loaded on first use.
    fn project(&mut self, dir: &Path) -> &Loaded {
        let key = ProjectKey::of(dir);
        if !self.projects.contains_key(&key) {
            let started = Instant::now();
            let loaded = match Project::load(&key) {
                Ok(p) => {
                    self.log(
                        MessageType::INFO,
                        format!(
                            "loaded {} in {} ms",
                            describe(&key),
                            started.elapsed().as_millis()
                        ),
                    );
                    Loaded::Ok(Box::new(p))
                }
                Err(e) => {
                    self.log(MessageType::ERROR, format!("{}: {e}", describe(&key)));
                    let fallback = key.config.clone().unwrap_or_else(|| key.root.clone());
                    let errors = error_diagnostics(&e, &fallback);
                    for (file, _) in &errors {
                        self.error_files.insert(file.clone());
                    }
                    self.publish_errors(&errors);
                    Loaded::Failed(errors)
                }
            };
            self.projects.insert(key.clone(), loaded);
        }
        self.projects
            .entry(key)
            .or_insert_with(|| Loaded::Failed(Vec::new()))
    }

    /// Publishes config and policy errors on the files they are in.
    fn publish_errors(&mut self, errors: &[(PathBuf, Diagnostic)]) {
        let mut per_file: BTreeMap<&Path, Vec<Diagnostic>> = BTreeMap::new();
        for (file, d) in errors {
            per_file.entry(file).or_default().push(d.clone());
        }
        for (file, diagnostics) in per_file {
            if let Some(uri) = path_to_uri(file) {
                self.send_diagnostics(uri, diagnostics, None);
            }
        }
    }

    /// Checks one open document and publishes its diagnostics.
    fn publish(&mut self, key: &str) {
        let Some(doc) = self.documents.get(key) else {
            return;
        };
        let (path, text) = (doc.path.clone(), doc.text.clone());
        let started = Instant::now();
        let mut diagnostics = match path.as_deref().and_then(|p| Some((p, p.parent()?))) {
            None => Vec::new(),
            Some((path, dir)) => match self.project(dir) {
                Loaded::Ok(project) => match project.check(path, &text) {
                    Some(findings) => to_diagnostics(&findings, &text, project),
                    None => Vec::new(),
                },
                Loaded::Failed(errors) => {
                    let mut own: Vec<Diagnostic> = errors
                        .iter()
                        .filter(|(f, _)| f == path)
                        .map(|(_, d)| d.clone())
                        .collect();
                    if own.is_empty() {
                        own.push(config_error_notice(errors));
                    }
                    own
                }
            },
        };
        diagnostics.sort_by_key(|d| (d.range.start, d.range.end));
        if let Some(p) = &path {
            let n = diagnostics.len();
            let ms = started.elapsed().as_millis();
            self.log(
                MessageType::LOG,
                format!("checked {} in {ms} ms: {n} diagnostics", p.display()),
            );
        }
        let Some(doc) = self.documents.get_mut(key) else {
            return;
        };
        doc.published = diagnostics.clone();
        let (uri, version) = (doc.uri.clone(), doc.version);
        self.send_diagnostics(uri, diagnostics, version);
    }

    fn send_diagnostics(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let n = Notification::new("textDocument/publishDiagnostics".to_string(), params);
        let _ = self.connection.sender.send(Message::Notification(n));
    }

    fn respond(&self, response: Response) {
        let _ = self.connection.sender.send(Message::Response(response));
    }

    fn log(&self, typ: MessageType, message: String) {
        let _ = self.connection.sender.send(log_message(typ, message));
    }

    fn hover(&mut self, p: HoverParams) -> Option<Hover> {
        let key = p
            .text_document_position_params
            .text_document
            .uri
            .as_str()
            .to_string();
        let at = p.text_document_position_params.position;
        let doc = self.documents.get(&key)?;
        let hit = doc.published.iter().find(|d| contains(&d.range, at))?;
        let (id, range) = (rule_id(hit)?, hit.range);
        let dir = doc.path.as_ref()?.parent()?.to_path_buf();
        let rule = match self.project(&dir) {
            Loaded::Ok(project) => project.rule(&id).cloned(),
            Loaded::Failed(_) => None,
        };
        let value = actions::hover_text(&id, rule.as_ref())?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(range),
        })
    }

    // `WorkspaceEdit::changes` is keyed by lsp-types' `Uri`, whose parsed form caches
    // positions in cells; the key is never mutated while in the map.
    #[allow(clippy::mutable_key_type)]
    fn code_actions(&mut self, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let key = p.text_document.uri.as_str().to_string();
        let Some(doc) = self.documents.get(&key) else {
            return Vec::new();
        };
        let (Some(path), uri) = (doc.path.clone(), doc.uri.clone()) else {
            return Vec::new();
        };
        let text = doc.text.clone();
        let Some(dir) = path.parent() else {
            return Vec::new();
        };
        let Loaded::Ok(project) = self.project(dir) else {
            return Vec::new();
        };
        let index = LineIndex::new(&text);
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for d in &p.context.diagnostics {
            if d.source.as_deref() != Some(SOURCE) {
                continue;
            }
            let Some(id) = rule_id(d) else { continue };
            // Meta rules (an unused suppression) get no action.
            let Some(rule) = project.rule(&id) else { continue };
            if let Some(action) = fix_action(rule, &text, &index, &uri, d) {
                out.push(action);
            }
            // Unsuppressible rules get no comment.
            if !rule.suppressible || !seen.insert((id.clone(), d.range.start.line)) {
                continue;
            }
            let line = d.range.start.line;
            let Some(insert) = actions::suppression_line(&path, index.line(line as usize), &id) else {
                continue;
            };
            let at = Position { line, character: 0 };
            let edit = TextEdit {
                range: Range { start: at, end: at },
                new_text: insert,
            };
            let title = format!("Suppress {id} on this line (guardrail:ignore)");
            out.push(quick_fix(title, &uri, edit, d, false));
        }
        out
    }
}

/// The quick fix a rule declares (`[rule.fix]`), made inside the diagnostic's range.
// `Uri` keys are never mutated (see `code_actions`).
#[allow(clippy::mutable_key_type)]
fn fix_action(
    rule: &crate::policy::Rule,
    text: &str,
    index: &LineIndex<'_>,
    uri: &Uri,
    d: &Diagnostic,
) -> Option<CodeActionOrCommand> {
    let fix = rule.fix.as_ref()?;
    let span = index.offset(d.range.start)..index.offset(d.range.end);
    let edit = fix.edit(text, span)?;
    let text_edit = TextEdit {
        range: Range {
            start: index.byte_position(edit.range.start),
            end: index.byte_position(edit.range.end),
        },
        new_text: edit.replacement,
    };
    let title = format!("{} ({})", fix.title, rule.id);
    Some(quick_fix(title, uri, text_edit, d, true))
}

/// A quick fix for diagnostic `d`: one edit to the document at `uri`.
// `Uri` keys are never mutated (see `code_actions`).
#[allow(clippy::mutable_key_type)]
fn quick_fix(
    title: String,
    uri: &Uri,
    edit: TextEdit,
    d: &Diagnostic,
    preferred: bool,
) -> CodeActionOrCommand {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), vec![edit]);
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![d.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

fn log_message(typ: MessageType, message: String) -> Message {
    Message::Notification(Notification::new(
        "window/logMessage".to_string(),
        LogMessageParams { typ, message },
    ))
}

fn describe(key: &ProjectKey) -> String {
    match &key.config {
        Some(c) => c.display().to_string(),
        None => format!("{} (no guardrail.toml)", key.root.display()),
    }
}

fn contains(range: &Range, at: Position) -> bool {
    range.start <= at && (at < range.end || (range.start == range.end && at == range.start))
}

fn rule_id(d: &Diagnostic) -> Option<String> {
    match &d.code {
        Some(NumberOrString::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// LSP severity of a rule severity.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// Findings (already redacted) as diagnostics on `text`.
fn to_diagnostics(findings: &[Finding], text: &str, project: &Project) -> Vec<Diagnostic> {
    let index = LineIndex::new(text);
    findings
        .iter()
        .map(|f| Diagnostic {
            range: index.range(&f.location),
            severity: Some(severity(f.severity)),
            code: Some(NumberOrString::String(f.rule.clone())),
            code_description: project
                .rule(&f.rule)
                .and_then(|r| r.references.iter().find(|l| l.starts_with("https://")))
                .and_then(|l| l.parse::<Uri>().ok())
                .map(|href| CodeDescription { href }),
            source: Some(SOURCE.to_string()),
            message: crate::report::message_with_detail(f),
            ..Diagnostic::default()
        })
        .collect()
}

/// Shown on an open document whose project's config or policies do not load.
fn config_error_notice(errors: &[(PathBuf, Diagnostic)]) -> Diagnostic {
    let files: Vec<String> = errors
        .iter()
        .map(|(f, _)| f.display().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::WARNING),
        code: Some(NumberOrString::String("guardrail/config-error".to_string())),
        source: Some(SOURCE.to_string()),
        message: format!(
            "not checked: the guardrail configuration has errors in {}",
            files.join(", ")
        ),
        ..Diagnostic::default()
    }
}

/// A load error as diagnostics on the files it points into; an error without a place is put
/// at the start of `fallback` (the config file, or the project directory).
pub fn error_diagnostics(error: &Error, fallback: &Path) -> Vec<(PathBuf, Diagnostic)> {
    let located = |e: &LocatedError| -> (PathBuf, Diagnostic) {
        let file = PathBuf::from(&e.source.name);
        let file = if file.is_absolute() {
            file
        } else {
            fallback.to_path_buf()
        };
        let index = LineIndex::new(&e.source.text);
        let shift = |p: Position| Position {
            line: p
                .line
                .saturating_add(u32::try_from(e.source.line_offset).unwrap_or(0)),
            character: if p.line == 0 {
                p.character
                    .saturating_add(u32::try_from(e.source.column_offset).unwrap_or(0))
            } else {
                p.character
            },
        };
        let range = Range {
            start: shift(index.byte_position(e.span.start)),
            end: shift(index.byte_position(e.span.end)),
        };
        let mut message = e.message.clone();
        if !e.label.is_empty() && e.label != "here" {
            message = format!("{message}: {}", e.label);
        }
        if let Some(help) = &e.help {
            message = format!("{message}\nhelp: {help}");
        }
        let code = match e.kind {
            crate::error::LocatedKind::Policy => "guardrail::policy",
            crate::error::LocatedKind::Config => "guardrail::config",
        };
        let d = Diagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String(code.to_string())),
            source: Some(SOURCE.to_string()),
            message,
            ..Diagnostic::default()
        };
        (file, d)
    };
    match error {
        Error::Located(e) => vec![located(e)],
        Error::Many(list) => list.iter().map(located).collect(),
        other => vec![(
            fallback.to_path_buf(),
            Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some(SOURCE.to_string()),
                message: other.to_string(),
                ..Diagnostic::default()
            },
        )],
    }
}
