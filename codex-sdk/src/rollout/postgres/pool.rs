//! A small connection pool: at most `size` connections, idle ones reused, closed ones dropped. Connections
//! are opened on demand, so building a store never touches the network.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::{Client, NoTls};

use super::error::pg_error;
use crate::error::Result;

pub(super) struct Pool {
    config: tokio_postgres::Config,
    idle: Mutex<Vec<Client>>,
    permits: Arc<Semaphore>,
    /// The URL's password, scrubbed from every error.
    password: Option<String>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("size", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl Pool {
    pub(super) fn new(
        config: tokio_postgres::Config,
        size: usize,
        password: Option<String>,
    ) -> Self {
        Self {
            config,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size.max(1))),
            password,
        }
    }

    pub(super) fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// A connection: an idle one that is still open, else a new one.
    pub(super) async fn get(self: &Arc<Self>) -> Result<PooledClient> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| crate::Error::Closed)?;
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            idle.retain(|c| !c.is_closed());
            idle.pop()
        };
        let client = match reused {
            Some(client) => client,
            None => self.connect().await?,
        };
        Ok(PooledClient {
            client: Some(client),
            pool: Arc::clone(self),
            _permit: permit,
        })
    }

    /// A connection of its own, outside the pool's count.
    pub(super) async fn connect(&self) -> Result<Client> {
        let (client, connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(|e| pg_error(&e, self.password()))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "a PostgreSQL connection ended");
            }
        });
        Ok(client)
    }
}

/// A connection borrowed from the pool; back to it when dropped (unless it closed).
pub(super) struct PooledClient {
    client: Option<Client>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl PooledClient {
    pub(super) fn client(&mut self) -> &mut Client {
        // Only `drop` takes the client out.
        self.client.get_or_insert_with(|| unreachable!())
    }
}

impl Drop for PooledClient {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
        {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(client);
        }
    }
}
