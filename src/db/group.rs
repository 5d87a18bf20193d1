//! Group commit for SQLite: one writer thread takes the selection writes (holds, confirms,
//! releases) that are waiting, runs each in a savepoint of one transaction and commits them
//! together, then gives every request its own outcome. SQLite lets one writer in at a time; this
//! way the writes queued behind a busy moment share one `BEGIN IMMEDIATE`, one chaining of the
//! audit log and one `COMMIT` instead of paying for each.
//!
//! A write that fails is rolled back to its savepoint and answers with its own error; the others
//! in the group commit. Nothing is answered before the group's `COMMIT` has returned, so no
//! request sees success for a change that is not durable. If the `COMMIT` itself fails, every
//! write of the group answers with that failure.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::result::Error as DieselError;

use super::{write_tx, AnyConnection};

/// What a job hands back once its group has committed or failed: `true` when committed.
type Deliver = Box<dyn FnOnce(bool) + Send>;
type Job = Box<dyn FnOnce(&mut AnyConnection) -> Deliver + Send>;

/// The most writes committed together: a group's answers wait for its last write.
const MAX_GROUP: usize = 64;

/// How long a write waited for its group and how long it ran in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupTimes {
    pub waited: Duration,
    pub ran: Duration,
}

/// The queue in front of the writer thread.
pub struct GroupWriter {
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for GroupWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupWriter").finish_non_exhaustive()
    }
}

impl GroupWriter {
    /// Starts the writer thread on a connection of its own to `database_url` (outside the
    /// pool, so a connection left in a bad state can be thrown away).
    pub fn spawn(database_url: &str) -> GroupWriter {
        let (queue, jobs) = mpsc::channel::<Job>();
        let url = database_url.to_string();
        std::thread::Builder::new()
            .name("anju-group-writer".into())
            .spawn(move || run(&url, jobs))
            .expect("spawn the group writer thread");
        GroupWriter { queue }
    }

    /// Queues `f` to run in the next group (inside `write_tx`, a savepoint of the group's
    /// transaction); the receiver gets its result once the group has committed.
    pub fn submit<T, E, F>(
        &self,
        f: F,
    ) -> tokio::sync::oneshot::Receiver<(Result<T, E>, GroupTimes)>
    where
        T: Send + 'static,
        E: From<DieselError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = Instant::now();
        let job: Job = Box::new(move |conn| {
            let started = Instant::now();
            let result = write_tx(conn, f);
            let times = GroupTimes {
                waited: started - queued,
                ran: started.elapsed(),
            };
            Box::new(move |committed| {
                let result = match result {
                    Ok(_) if !committed => Err(E::from(group_failed())),
                    other => other,
                };
                let _ = reply.send((result, times));
            })
        });
        // a send fails only when the writer thread is gone: the dropped reply answers that
        let _ = self.queue.send(job);
        answer
    }
}

fn group_failed() -> DieselError {
    DieselError::QueryBuilderError("the group of writes this one was committed with failed".into())
}

fn run(database_url: &str, jobs: mpsc::Receiver<Job>) {
    let mut conn = None;
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match super::open_connection(database_url) {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    tracing::error!(error = %e, "group writer has no connection");
                    drop(group); // every request of the group gets an error
                    continue;
                }
            },
        };
        let mut delivers: Vec<Deliver> = Vec::with_capacity(group.len());
        let mut panicked = false;
        let committed = write_tx(c, |c| {
            for job in group {
                match catch_unwind(AssertUnwindSafe(|| job(c))) {
                    Ok(deliver) => delivers.push(deliver),
                    Err(_) => {
                        panicked = true;
                        return Err(group_failed());
                    }
                }
            }
            Ok::<_, DieselError>(())
        })
        .is_ok();
        if panicked || !matches!(super::depth::in_transaction(c), Ok(false)) {
            // a panic left savepoints open: start again on a fresh connection
            tracing::error!("a write panicked inside a group commit; the group was rolled back");
            let _ = c.batch_execute("ROLLBACK");
            conn = None;
        }
        for deliver in delivers {
            deliver(committed);
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;

    use super::*;
    use crate::db::audit::{self, Actor, AuditCtx};

    fn insert(c: &mut AnyConnection, x: i64) -> Result<(), DieselError> {
        diesel::sql_query(format!("INSERT INTO t (x) VALUES ({x})"))
            .execute(c)
            .map(|_| ())
    }

    fn audited(c: &mut AnyConnection, action: &str) -> Result<(), DieselError> {
        let ctx = AuditCtx {
            actor: Actor::System,
            request_id: None,
            now_ms: 0,
        };
        audit::record(c, &ctx, action, "test", None, serde_json::json!({}))
    }

    #[tokio::test]
    async fn each_write_of_a_group_gets_its_own_outcome_and_only_failures_are_undone() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let mut setup = crate::db::open_connection(&url).unwrap();
        crate::db::run_migrations(&mut setup).unwrap();
        diesel::sql_query("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")
            .execute(&mut setup)
            .unwrap();
        let writer = GroupWriter::spawn(&url);
        // the first write holds the writer while the others queue behind it: one group
        let first = writer.submit(|c| {
            std::thread::sleep(Duration::from_millis(200));
            insert(c, 1)
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let ok = writer.submit(|c| {
            insert(c, 2)?;
            audited(c, "kept")
        });
        let refused = writer.submit(|c| {
            insert(c, 3)?;
            audited(c, "undone")?;
            Err::<(), _>(DieselError::RollbackTransaction)
        });
        let duplicate = writer.submit(|c| insert(c, 2));
        let last = writer.submit(|c| insert(c, 4));
        assert!(first.await.unwrap().0.is_ok());
        assert!(ok.await.unwrap().0.is_ok());
        assert!(matches!(
            refused.await.unwrap().0,
            Err(DieselError::RollbackTransaction)
        ));
        let duplicate = duplicate.await.unwrap().0;
        assert!(crate::db::is_unique_violation(&duplicate.unwrap_err()));
        let (result, times) = last.await.unwrap();
        assert!(result.is_ok());
        assert!(times.waited >= Duration::from_millis(100), "{times:?}");

        #[derive(diesel::QueryableByName)]
        struct X {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            x: i64,
        }
        let xs: Vec<X> = diesel::sql_query("SELECT x FROM t ORDER BY x")
            .load(&mut setup)
            .unwrap();
        assert_eq!(xs.iter().map(|r| r.x).collect::<Vec<_>>(), vec![1, 2, 4]);
        let actions: Vec<String> = {
            use crate::db::schema::audit_events::dsl::*;
            use diesel::QueryDsl;
            audit_events.select(action).load(&mut setup).unwrap()
        };
        assert_eq!(actions, vec!["kept".to_string()]);
        let verified = crate::db::audit_chain::verify(&mut setup, 100, &mut |_| {}).unwrap();
        assert!(verified.broken.is_none(), "{verified:?}");
    }
}
