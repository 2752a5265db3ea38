//! `NativeReplayModel`: the core's [`ReplayModel`], which replays a recorded conversation offline
//! (`testing.ReplayModel` wraps it).

use std::sync::Arc;

use codex_sdk::model::ReplayModel;
use napi_derive::napi;

use crate::error::{Result, core};

/// A model replaying the responses recorded in a rollout, in order; the first request that differs from
/// the recording fails its turn with a `replay_diverged` error naming the difference.
#[napi]
pub struct NativeReplayModel {
    inner: Arc<ReplayModel>,
}

impl NativeReplayModel {
    /// Wraps a core replay model.
    pub fn new(model: ReplayModel) -> Self {
        Self {
            inner: Arc::new(model),
        }
    }

    /// The core client.
    pub fn client(&self) -> Arc<dyn codex_sdk::model::ModelClient> {
        self.inner.clone()
    }
}

#[napi]
impl NativeReplayModel {
    /// Reads the rollout file at `path`.
    #[napi(factory)]
    pub fn from_rollout(path: String) -> Result<Self> {
        let bytes = core(std::fs::read(&path).map_err(codex_sdk::Error::Io))?;
        Ok(Self {
            inner: Arc::new(core(ReplayModel::from_rollout_bytes(&bytes))?),
        })
    }

    /// Recorded responses not served yet.
    #[napi(getter)]
    pub fn remaining(&self) -> u32 {
        u32::try_from(self.inner.remaining()).unwrap_or(u32::MAX)
    }

    /// Where the replay first differed from its recording (`null` while it matches).
    #[napi(getter)]
    pub fn divergence(&self) -> Option<String> {
        self.inner.divergence().map(|d| d.to_string())
    }
}
