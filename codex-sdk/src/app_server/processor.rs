//! The v1 (seed) methods: each turns its params into calls on [`Codex`] and its conversations and its
//! result into the method's response type. No agent logic lives here.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::Value;

use super::ConfigSource;
use super::jsonrpc::{ErrorObject, INVALID_PARAMS, NOT_INITIALIZED, RequestId};
use super::listener::ServedConversation;
use super::outgoing::Outgoing;
use super::v1::{self, ClientRequest, client_methods as m};
use crate::config::{Config, ConfigToml};
use crate::conversation::NewConversation;
use crate::model::ResponsesClient;
use crate::protocol::{ConversationId, Op, TurnAbortReason, UserInput};
use crate::rollout::Cursor;
use crate::{Codex, CodexBuilder};

pub(crate) type Reply<T> = Result<T, ErrorObject>;

/// What one connection knows.
pub(crate) struct Processor {
    source: ConfigSource,
    model_client: Option<Arc<dyn crate::model::ModelClient>>,
    pub(crate) outgoing: Arc<Outgoing>,
    codex: OnceLock<Codex>,
    pub(crate) conversations: Mutex<HashMap<ConversationId, Arc<ServedConversation>>>,
    subscriptions: Mutex<HashMap<String, ConversationId>>,
}

impl Processor {
    pub(crate) fn new(
        source: ConfigSource,
        model_client: Option<Arc<dyn crate::model::ModelClient>>,
        outgoing: Arc<Outgoing>,
    ) -> Self {
        Self {
            source,
            model_client,
            outgoing,
            codex: OnceLock::new(),
            conversations: Mutex::new(HashMap::new()),
            subscriptions: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn is_initialized(&self) -> bool {
        self.codex.get().is_some()
    }

    /// Handles `initialize` (the only request handled before the connection is initialized).
    pub(crate) async fn initialize(&self, id: RequestId, params: v1::InitializeParams) {
        let result = self.do_initialize(&params);
        self.outgoing.respond::<m::Initialize>(id, result).await;
    }

    fn do_initialize(&self, params: &v1::InitializeParams) -> Reply<v1::InitializeResponse> {
        if self.is_initialized() {
            return Err(ErrorObject::new(NOT_INITIALIZED, "already initialized"));
        }
        let info = &params.client_info;
        let suffix = format!("{}/{}", info.name.trim(), info.version.trim());
        let mut config = self.base_config(&[])?;
        config.user_agent_suffix = Some(suffix.clone());
        let mut builder = CodexBuilder::new(config.clone());
        if let Some(client) = &self.model_client {
            builder = builder.model_client(Arc::clone(client));
        }
        let codex = builder.build()?;
        let user_agent = user_agent(&config);
        self.codex
            .set(codex)
            .map_err(|_| ErrorObject::new(NOT_INITIALIZED, "already initialized"))?;
        Ok(v1::InitializeResponse {
            user_agent,
            codex_home: config.codex_home.clone(),
            platform_family: std::env::consts::FAMILY.to_owned(),
            platform_os: std::env::consts::OS.to_owned(),
        })
    }

    /// Handles every other request (the connection is initialized).
    pub(crate) async fn handle(self: Arc<Self>, request: ClientRequest) {
        let out = &self.outgoing;
        match request {
            ClientRequest::Initialize { request_id, params } => {
                self.initialize(request_id, params).await;
            }
            ClientRequest::NewConversation { request_id, params } => {
                let r = self.new_conversation(params).await;
                out.respond::<m::NewConversation>(request_id, r).await;
            }
            ClientRequest::SendUserMessage { request_id, params } => {
                let r = self.send(params.conversation_id, params.items, None).await;
                out.respond::<m::SendUserMessage>(request_id, r.map(|()| Default::default()))
                    .await;
            }
            ClientRequest::SendUserTurn { request_id, params } => {
                let r = self.send_turn(params).await;
                out.respond::<m::SendUserTurn>(request_id, r).await;
            }
            ClientRequest::InterruptConversation { request_id, params } => {
                let r = self.interrupt(params.conversation_id).await;
                out.respond::<m::InterruptConversation>(request_id, r).await;
            }
            ClientRequest::AddConversationListener { request_id, params } => {
                let r = self.add_listener(params.conversation_id);
                out.respond::<m::AddConversationListener>(request_id, r)
                    .await;
            }
            ClientRequest::RemoveConversationListener { request_id, params } => {
                let r = self.remove_listener(&params.subscription_id);
                out.respond::<m::RemoveConversationListener>(request_id, r)
                    .await;
            }
            ClientRequest::ListConversations { request_id, params } => {
                let r = self.list(params).await;
                out.respond::<m::ListConversations>(request_id, r).await;
            }
            ClientRequest::ResumeConversation { request_id, params } => {
                let r = self.resume(params.path, None, params.overrides).await;
                out.respond::<m::ResumeConversation>(request_id, r).await;
            }
            ClientRequest::ForkConversation { request_id, params } => {
                let nth = Some(params.nth_user_message.unwrap_or(usize::MAX));
                let r = self.resume(params.path, nth, params.overrides).await;
                out.respond::<m::ForkConversation>(request_id, r).await;
            }
            ClientRequest::ArchiveConversation { request_id, params } => {
                let r = self.archive(params).await;
                out.respond::<m::ArchiveConversation>(request_id, r).await;
            }
            ClientRequest::SetDefaultModel { request_id, params } => {
                let r = self.codex().and_then(|codex| {
                    crate::config::set_default_model(
                        &codex.config().codex_home,
                        params.model.as_deref(),
                        params.reasoning_effort,
                    )
                    .map_err(ErrorObject::from)
                });
                out.respond::<m::SetDefaultModel>(request_id, r.map(|()| Default::default()))
                    .await;
            }
            ClientRequest::LoginApiKey { request_id, params } => {
                let r = self.login_api_key(&params.api_key).await;
                out.respond::<m::LoginApiKey>(request_id, r).await;
            }
            ClientRequest::Logout { request_id } => {
                let r = self.logout().await;
                out.respond::<m::Logout>(request_id, r).await;
            }
            ClientRequest::GetAuthStatus { request_id, params } => {
                let r = self.auth_status(params.include_token.unwrap_or(false));
                out.respond::<m::GetAuthStatus>(request_id, r).await;
            }
            ClientRequest::UserInfo { request_id } => {
                let r = self.codex().and_then(|codex| {
                    let status = crate::auth::auth_status(&codex.config().codex_home)?;
                    Ok(v1::UserInfoResponse {
                        alleged_user_email: status.email,
                    })
                });
                out.respond::<m::UserInfo>(request_id, r).await;
            }
            ClientRequest::GetUserAgent { request_id } => {
                let r = self.codex().map(|codex| v1::GetUserAgentResponse {
                    user_agent: user_agent(codex.config()),
                });
                out.respond::<m::GetUserAgent>(request_id, r).await;
            }
        }
    }

    pub(crate) fn codex(&self) -> Reply<&Codex> {
        self.codex
            .get()
            .ok_or_else(|| ErrorObject::new(NOT_INITIALIZED, "not initialized"))
    }

    pub(crate) fn conversation(&self, id: ConversationId) -> Reply<Arc<ServedConversation>> {
        lock(&self.conversations)
            .get(&id)
            .cloned()
            .ok_or_else(|| ErrorObject::invalid_params(format!("no conversation {id}")))
    }

    /// The configuration with `overrides` (dotted keys, TOML values) on top.
    fn base_config(&self, overrides: &[(String, toml::Value)]) -> Reply<Config> {
        match &self.source {
            ConfigSource::CodexHome {
                codex_home,
                overrides: base,
            } => {
                let mut all = base.clone();
                all.extend_from_slice(overrides);
                Ok(Config::load(codex_home.clone(), &all)?.config)
            }
            ConfigSource::Fixed(config) => {
                let mut config = (**config).clone();
                let mut table = toml::Table::new();
                for (key, value) in overrides {
                    ConfigToml::set_path(&mut table, key, value.clone())?;
                }
                ConfigToml::from_table(table)?.apply_to(&mut config)?;
                config.validate()?;
                Ok(config)
            }
        }
    }

    /// A conversation's configuration from `newConversation`-style params.
    pub(crate) fn conversation_config(
        &self,
        params: Option<v1::NewConversationParams>,
    ) -> Reply<Config> {
        let codex = self.codex()?;
        let params = params.unwrap_or_default();
        let mut overrides = Vec::new();
        for (key, value) in params.config.unwrap_or_default() {
            let value: toml::Value = serde_json::from_value(value.clone()).map_err(|e| {
                ErrorObject::invalid_params(format!(
                    "config `{key}`: {value} is not a TOML value: {e}"
                ))
            })?;
            overrides.push((key, value));
        }
        if let Some(model) = params.model {
            overrides.push(("model".to_owned(), toml::Value::String(model)));
        }
        if let Some(policy) = params.approval_policy {
            overrides.push(("approval_policy".to_owned(), wire_string(&policy)?));
        }
        if let Some(mode) = params.sandbox {
            overrides.push(("sandbox_mode".to_owned(), wire_string(&mode)?));
        }
        let mut config = self.base_config(&overrides)?;
        if let Some(cwd) = params.cwd {
            config.cwd = std::fs::canonicalize(&cwd)
                .map_err(|e| ErrorObject::invalid_params(format!("cwd {}: {e}", cwd.display())))?;
        }
        if let Some(text) = params.base_instructions {
            config.base_instructions = Some(text);
        }
        config
            .user_agent_suffix
            .clone_from(&codex.config().user_agent_suffix);
        Ok(config)
    }

    fn serve(&self, started: NewConversation) -> Arc<ServedConversation> {
        let (handle, events) = started.conversation.into_parts();
        let served = ServedConversation::new(handle, events, None);
        lock(&self.conversations).insert(served.id(), Arc::clone(&served));
        served
    }

    async fn new_conversation(
        &self,
        params: v1::NewConversationParams,
    ) -> Reply<v1::NewConversationResponse> {
        let config = self.conversation_config(Some(params))?;
        let started = self.codex()?.new_conversation_with(config).await?;
        let response = v1::NewConversationResponse {
            conversation_id: started.conversation_id,
            model: started.session_configured.model.clone(),
            reasoning_effort: started.session_configured.reasoning_effort,
            rollout_path: started.rollout_path.clone().unwrap_or_default(),
        };
        self.serve(started);
        Ok(response)
    }

    async fn send(
        &self,
        id: ConversationId,
        items: Vec<v1::InputItem>,
        turn: Option<Op>,
    ) -> Reply<()> {
        let conv = self.conversation(id)?;
        let items: Vec<UserInput> = items.into_iter().map(Into::into).collect();
        let op = match turn {
            Some(Op::UserTurn {
                cwd,
                model,
                effort,
                summary,
                output_schema,
                approval_policy,
                sandbox_policy,
                ..
            }) => Op::UserTurn {
                items,
                cwd,
                model,
                effort,
                summary,
                output_schema,
                approval_policy,
                sandbox_policy,
            },
            _ => Op::UserInput { items },
        };
        conv.mark_turn_submitted();
        conv.handle.submit(op).await?;
        Ok(())
    }

    async fn send_turn(&self, p: v1::SendUserTurnParams) -> Reply<v1::SendUserTurnResponse> {
        let turn = Op::UserTurn {
            items: Vec::new(),
            cwd: p.cwd,
            model: p.model,
            effort: p.effort,
            summary: p.summary,
            output_schema: None,
            approval_policy: Some(p.approval_policy),
            sandbox_policy: Some(p.sandbox_policy),
        };
        self.send(p.conversation_id, p.items, Some(turn)).await?;
        Ok(v1::SendUserTurnResponse {})
    }

    async fn interrupt(&self, id: ConversationId) -> Reply<v1::InterruptConversationResponse> {
        Ok(v1::InterruptConversationResponse {
            abort_reason: self.interrupt_conversation(id).await?,
        })
    }

    /// Interrupts the running turn and waits until it is aborted (at once when none runs).
    pub(crate) async fn interrupt_conversation(
        &self,
        id: ConversationId,
    ) -> Reply<TurnAbortReason> {
        let conv = self.conversation(id)?;
        Ok(match conv.interrupt().await? {
            Some(rx) => rx.await.unwrap_or(TurnAbortReason::Interrupted),
            None => TurnAbortReason::Interrupted,
        })
    }

    fn add_listener(&self, id: ConversationId) -> Reply<v1::AddConversationSubscriptionResponse> {
        let conv = self.conversation(id)?;
        let subscription = uuid::Uuid::now_v7().to_string();
        lock(&self.subscriptions).insert(subscription.clone(), id);
        conv.subscribe(subscription.clone(), &self.outgoing);
        Ok(v1::AddConversationSubscriptionResponse {
            subscription_id: subscription,
        })
    }

    fn remove_listener(
        &self,
        subscription: &str,
    ) -> Reply<v1::RemoveConversationSubscriptionResponse> {
        let missing = || ErrorObject::invalid_params(format!("no subscription {subscription}"));
        let id = lock(&self.subscriptions)
            .remove(subscription)
            .ok_or_else(missing)?;
        let conv = self.conversation(id)?;
        if conv.unsubscribe(subscription) {
            Ok(v1::RemoveConversationSubscriptionResponse {})
        } else {
            Err(missing())
        }
    }

    async fn list(&self, p: v1::ListConversationsParams) -> Reply<v1::ListConversationsResponse> {
        let cursor = p
            .cursor
            .as_deref()
            .map(str::parse::<Cursor>)
            .transpose()
            .map_err(crate::Error::from)?;
        let size = p.page_size.unwrap_or(25).clamp(1, 100);
        let page = self
            .codex()?
            .list_conversations(size, cursor.as_ref())
            .await?;
        Ok(v1::ListConversationsResponse {
            items: page
                .items
                .into_iter()
                .map(|s| v1::ConversationSummary {
                    conversation_id: s.conversation_id,
                    path: s.path,
                    preview: s.preview,
                    timestamp: Some(s.created_at),
                })
                .collect(),
            next_cursor: page.next_cursor.map(|c| c.to_string()),
        })
    }

    /// Resume (`fork_at` `None`) or fork a recorded conversation.
    async fn resume(
        &self,
        path: PathBuf,
        fork_at: Option<usize>,
        overrides: Option<v1::NewConversationParams>,
    ) -> Reply<v1::ResumeConversationResponse> {
        let config = self.conversation_config(overrides)?;
        let codex = self.codex()?;
        let started = match fork_at {
            None => codex.resume_conversation_with(&path, config).await?,
            Some(nth) => codex.fork_conversation_with(&path, nth, config).await?,
        };
        let response = v1::ResumeConversationResponse {
            conversation_id: started.conversation_id,
            model: started.session_configured.model.clone(),
            initial_messages: started.session_configured.initial_messages.clone(),
            rollout_path: started.rollout_path.clone().unwrap_or_default(),
        };
        self.serve(started);
        Ok(response)
    }

    pub(crate) async fn archive(
        &self,
        p: v1::ArchiveConversationParams,
    ) -> Reply<v1::ArchiveConversationResponse> {
        let codex = self.codex()?;
        let served = lock(&self.conversations).get(&p.conversation_id).cloned();
        codex
            .archive_conversation(p.conversation_id, &p.rollout_path)
            .await?;
        if let Some(served) = served {
            lock(&self.conversations).remove(&p.conversation_id);
            served.close().await;
        }
        Ok(v1::ArchiveConversationResponse {})
    }

    async fn login_api_key(&self, key: &str) -> Reply<v1::LoginApiKeyResponse> {
        if key.trim().is_empty() {
            return Err(ErrorObject::new(INVALID_PARAMS, "the API key is empty"));
        }
        crate::auth::login_api_key(&self.codex()?.config().codex_home, key)?;
        self.auth_changed().await;
        Ok(v1::LoginApiKeyResponse {})
    }

    async fn logout(&self) -> Reply<v1::LogoutResponse> {
        crate::auth::logout(&self.codex()?.config().codex_home)?;
        self.auth_changed().await;
        Ok(v1::LogoutResponse {})
    }

    async fn auth_changed(&self) {
        if let Ok(status) = self.auth_status(false) {
            let notification =
                v1::ServerNotification::AuthStatusChange(v1::AuthStatusChangeNotification {
                    auth_method: status.auth_method,
                });
            self.outgoing.notify(&notification).await;
        }
    }

    fn auth_status(&self, include_token: bool) -> Reply<v1::GetAuthStatusResponse> {
        let home = &self.codex()?.config().codex_home;
        let status = crate::auth::auth_status(home)?;
        let auth_method = status.auth_mode.map(|mode| match mode {
            crate::auth::AuthMode::ChatGpt => v1::AuthMethod::ChatGpt,
            _ => v1::AuthMethod::ApiKey,
        });
        let auth_token = if include_token {
            crate::auth::load_api_key(home)?.map(|k| k.expose().to_owned())
        } else {
            None
        };
        Ok(v1::GetAuthStatusResponse {
            auth_method,
            auth_token,
        })
    }

    /// The connection is closing: every conversation it started is shut down and its rollout written.
    pub(crate) async fn shutdown(&self) {
        self.outgoing.fail_pending();
        let served: Vec<_> = lock(&self.conversations).drain().collect();
        for (id, conv) in served {
            conv.close().await;
            if let Some(codex) = self.codex.get() {
                codex
                    .shut_down_live(id, crate::conversation::ARCHIVE_SHUTDOWN_TIMEOUT)
                    .await;
            }
        }
    }
}

/// The user agent model requests carry under `config`.
fn user_agent(config: &Config) -> String {
    let mut client = ResponsesClient::new(
        config.model_provider.clone(),
        None,
        config.originator.clone(),
    );
    if let Some(suffix) = &config.user_agent_suffix {
        client = client.with_user_agent_suffix(suffix.clone());
    }
    client.user_agent()
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A policy enum as its wire string (a TOML string for a config override).
pub(crate) fn wire_string<T: serde::Serialize>(value: &T) -> Reply<toml::Value> {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => Ok(toml::Value::String(s)),
        _ => Err(ErrorObject::invalid_params("unexpected policy value")),
    }
}
