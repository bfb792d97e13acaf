//! A network cable that a test can pull: a loopback TCP proxy in front of a server.
//! Pulled, it keeps every connection open and passes nothing either way, new ones
//! too: what a PC whose LAN cable was pulled (or whose Wi-Fi dropped) looks like to
//! the server and to itself, with no connection ever closed (no FIN, no RST).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct Cable {
    pub port: u16,
    pulled: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Cable {
    /// Starts passing connections on a free loopback port to `127.0.0.1:target`.
    pub async fn to(target: u16) -> std::io::Result<Cable> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let pulled = Arc::new(AtomicBool::new(false));
        let p = pulled.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else { return };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::spawn(pump(cr, sw, p.clone()));
                    pump(sr, cw, p).await;
                });
            }
        });
        Ok(Cable { port, pulled, task })
    }

    /// From now on nothing passes, and nothing is closed.
    pub fn pull(&self) {
        self.pulled.store(true, Ordering::SeqCst);
    }
}

impl Drop for Cable {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies one way until either side closes; once the cable is pulled, holds what it
/// read and waits for ever (the task ends with the test's runtime).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    pulled: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if pulled.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
