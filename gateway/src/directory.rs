//! Which store to transfer to when the database cannot answer a webhook.
//!
//! Loaded from `api.twilio_directory` at start and refreshed in the background, so that even
//! with PostgreSQL down a caller hears an apology and is put through to the restaurant.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::lanes::Pool;

#[derive(Debug, Clone)]
pub struct Store {
    pub transfer_number: Option<String>,
    pub voice: String,
    pub language: String,
}

#[derive(Debug, Clone, Default)]
pub struct Directory {
    by_number: Arc<RwLock<HashMap<String, Store>>>,
}

impl Directory {
    pub fn get(&self, to: &str) -> Option<Store> {
        self.by_number.read().ok()?.get(to).cloned()
    }

    /// Reloads the whole directory (a few rows per merchant).
    pub async fn refresh(
        &self,
        pool: &Pool,
    ) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        let client = pool.get().await?;
        let rows = client
            .query(
                "select e164, transfer_number, voice, language from api.twilio_directory",
                &[],
            )
            .await?;
        let map: HashMap<String, Store> = rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    Store {
                        transfer_number: r.get(1),
                        voice: r.get(2),
                        language: r.get(3),
                    },
                )
            })
            .collect();
        let n = map.len();
        if let Ok(mut w) = self.by_number.write() {
            *w = map;
        }
        Ok(n)
    }

    /// Refreshes every `every` until the process ends; failures keep the last good copy.
    pub fn spawn_refresher(&self, pool: Pool, every: Duration) {
        let dir = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = dir.refresh(&pool).await {
                    tracing::warn!(error = %e, "store directory refresh failed; keeping the last copy");
                }
                tokio::time::sleep(every).await;
            }
        });
    }
}
