//! Bulk member operations: split to fit SPLATS' limits, then poll each to the end.
//!
//! One request may carry at most 1,000 members and a body of at most 4 MB (413
//! otherwise). Requests are submitted one at a time and each is polled until it is
//! final, so that a failure stops the run with everything before it known.

use super::client::SplatsClient;
use super::model::{BulkMemberResult, RequestStatus};
use crate::platform::error::{Cloud, Code, Error, Result};
use serde::Serialize;
use serde_json::Value;
use std::time::{Duration, Instant};

pub const MAX_MEMBERS: usize = 1000;
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What to do to every member in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    Create,
    Update,
    Delete,
}

impl Tag {
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Create => "create",
            Tag::Update => "update",
            Tag::Delete => "delete",
        }
    }
}

/// Splits members into request bodies of at most `max_members` and `max_bytes`.
/// A single member larger than `max_bytes` is an error: no split can send it.
pub fn split(tag: Tag, members: &[Value], max_members: usize, max_bytes: usize) -> Result<Vec<Vec<Value>>> {
    let envelope = serde_json::to_vec(&serde_json::json!({ "tag": tag.as_str(), "members": [] }))
        .map(|v| v.len())
        .unwrap_or(0);
    let mut batches = Vec::new();
    let mut batch: Vec<Value> = Vec::new();
    let mut size = envelope;
    for (i, m) in members.iter().enumerate() {
        let len = serde_json::to_vec(m).map(|v| v.len()).unwrap_or(0) + 1; // + the comma
        if envelope + len > max_bytes {
            return Err(Error::invalid(
                Code::BulkMemberTooLarge,
                format!("{} 人目のメンバーが大きすぎて送れません ({len} バイト)", i + 1),
                format!("member {} is too large to send ({len} bytes)", i + 1),
            ));
        }
        if !batch.is_empty() && (batch.len() == max_members || size + len > max_bytes) {
            batches.push(std::mem::take(&mut batch));
            size = envelope;
        }
        size += len;
        batch.push(m.clone());
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    Ok(batches)
}

/// How often to ask for progress, and for how long at most.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    pub first: Duration,
    pub max_interval: Duration,
    pub timeout: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            first: Duration::from_millis(250),
            max_interval: Duration::from_secs(5),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// The outcome of a bulk run, member by member in input order.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub requests: Vec<RequestSummary>,
    pub results: Vec<BulkMemberResult>,
    pub succeeded: usize,
    pub failed: usize,
    /// Members never processed because a request failed as a whole.
    pub not_processed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestSummary {
    pub request_id: String,
    pub members: usize,
    pub status: RequestStatus,
}

/// Splits, submits and polls; `progress` hears (members done, members total).
pub async fn run(
    client: &SplatsClient,
    tag: Tag,
    members: &[Value],
    polling: Polling,
    mut progress: impl FnMut(usize, usize),
) -> Result<Outcome> {
    let batches = split(tag, members, MAX_MEMBERS, MAX_BODY_BYTES)?;
    let total = members.len();
    let mut out =
        Outcome { requests: Vec::new(), results: Vec::new(), succeeded: 0, failed: 0, not_processed: 0 };
    for batch in batches {
        let accepted = client.bulk_members(tag.as_str(), &batch).await?;
        let done_before = out.results.len();
        let (status, results) =
            poll(client, &accepted.request_id, polling, |n| progress(done_before + n, total)).await?;
        out.requests.push(RequestSummary { request_id: accepted.request_id, members: batch.len(), status });
        let processed = results.len().min(batch.len());
        out.succeeded += results.iter().filter(|r| r.status == "succeeded").count();
        out.failed += results.iter().filter(|r| r.status != "succeeded").count();
        out.results.extend(results.into_iter().take(batch.len()));
        if status == RequestStatus::Failed {
            out.not_processed = total - done_before - processed;
            break;
        }
    }
    Ok(out)
}

/// Polls one request until it is final, backing off up to `max_interval`.
async fn poll(
    client: &SplatsClient,
    request_id: &str,
    polling: Polling,
    mut progress: impl FnMut(usize),
) -> Result<(RequestStatus, Vec<BulkMemberResult>)> {
    let started = Instant::now();
    let mut interval = polling.first;
    loop {
        let r = client.request_result(request_id).await?;
        let result = r.result.unwrap_or_default();
        progress(result.completed_member_count);
        if r.status.is_final() {
            return Ok((r.status, result.members));
        }
        if started.elapsed() > polling.timeout {
            return Err(Error::Http {
                cloud: Cloud::Splats,
                status: 0,
                message: format!(
                    "bulk request {request_id} still {:?} after {:?}",
                    r.status, polling.timeout
                ),
            });
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 2).min(polling.max_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn members(n: usize, pad: usize) -> Vec<Value> {
        (0..n).map(|i| json!({ "member_name": format!("M{i:05}"), "note": "x".repeat(pad) })).collect()
    }

    #[test]
    fn splits_by_count() {
        let b = split(Tag::Create, &members(2500, 0), MAX_MEMBERS, MAX_BODY_BYTES).unwrap();
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![1000, 1000, 500]);
    }

    #[test]
    fn splits_by_size_and_every_body_fits() {
        let list = members(900, 10_000); // ~9 MB in all
        let b = split(Tag::Create, &list, MAX_MEMBERS, MAX_BODY_BYTES).unwrap();
        assert!(b.len() >= 3);
        assert_eq!(b.iter().map(Vec::len).sum::<usize>(), 900);
        for batch in &b {
            let body = serde_json::to_vec(&json!({ "tag": "create", "members": batch })).unwrap();
            assert!(body.len() <= MAX_BODY_BYTES, "{}", body.len());
        }
    }

    #[test]
    fn refuses_a_member_that_cannot_fit() {
        assert!(split(Tag::Create, &members(1, 100), MAX_MEMBERS, 50).is_err());
    }
}
