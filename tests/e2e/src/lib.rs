//! A small W3C WebDriver client for driving the real app through `tauri-driver`
//! (which starts `WebKitWebDriver`), plus the fixtures the end-to-end tests share.
//!
//! The tests run only with `UKETSUKE_E2E=1` and a display (`make test` provides
//! both under Xvfb); without them they say so and pass, so `cargo test` stays usable
//! on a machine without a display.

pub mod procs;

use base64::Engine;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// IPC replies are asynchronous: UI state is polled for up to this long.
pub const WAIT: Duration = Duration::from_secs(20);

pub fn enabled() -> bool {
    if std::env::var_os("UKETSUKE_E2E").is_some() {
        return true;
    }
    eprintln!("skipped: end-to-end tests run with UKETSUKE_E2E=1 under a display (make test)");
    false
}

/// One window test at a time in the one test binary: each starts the app (WebKit, a
/// simulator, sometimes PostgreSQL), and two at once on a 2-core machine make the
/// timing a test measures (a QR's rotation, a door's confirmation) the machine's, not
/// the app's. An async lock (each test has its own runtime): a test that failed
/// releases it as it unwinds.
pub async fn alone() -> tokio::sync::MutexGuard<'static, ()> {
    static ONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    ONE.lock().await
}

/// The debug build of the app, built by `cargo build` before the tests run.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("UKETSUKE_APP") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let bin = target.join("debug/uketsuke-app");
    assert!(bin.exists(), "{} is missing: run `cargo build -p uketsuke-app` first", bin.display());
    bin
}

/// Where screenshots go, to be looked at after a run.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits until no instance of the app from an earlier test is running, and ends one
/// still there after 10 s. The app is single-instance: a launch while the previous
/// one is still quitting would hand its arguments to that one and stop.
async fn no_app_running(app: &Path) {
    let running = || procs::running(app);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running().is_empty() {
        if Instant::now() > deadline {
            for pid in running() {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `tauri-driver`; killed on drop.
pub struct Driver {
    child: Child,
    url: String,
    /// Started as a process group of its own (a second PC's session): ended as one.
    group: bool,
}

impl Driver {
    pub async fn start() -> Driver {
        let (port, native) = (free_port(), free_port());
        let child = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver on PATH (scripts/install-test-tools.sh)");
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), group: false };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        while http.get(format!("{}/status", driver.url)).send().await.is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        driver
    }
}

impl Driver {
    /// A `tauri-driver` (and so an app) in a D-Bus session of its own, with its own
    /// unlocked keyring: a second PC on the same display. `setup` runs in that session
    /// first (a shell command line, e.g. the CLI putting a password in this keyring).
    pub async fn start_in_own_keyring(setup: &str) -> Driver {
        use std::os::unix::process::CommandExt;
        let (port, native) = (free_port(), free_port());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/with-keyring.sh");
        let child = Command::new(script)
            .args(["sh", "-c", &format!("{setup} && exec tauri-driver --port {port} --native-port {native}")])
            .env_remove("UKETSUKE_IN_KEYRING_SESSION")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .expect("scripts/with-keyring.sh and tauri-driver");
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), group: true };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while http.get(format!("{}/status", driver.url)).send().await.is_err() {
            assert!(Instant::now() < deadline, "tauri-driver in its own keyring session did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if self.group {
            // The whole group: this driver sits under dbus-run-session and a keyring.
            // `--` first: without it `kill` may read "-PID" as an option.
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-s", "KILL", "--", &group]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session: one running app with its window.
pub struct Session {
    http: reqwest::Client,
    base: String,
}

impl Session {
    pub async fn start(driver: &Driver, app: &Path, args: &[&str]) -> Session {
        no_app_running(app).await;
        Session::start_another(driver, app, args).await
    }

    /// A session beside one already running (a second PC's app, in its own D-Bus
    /// session: the single-instance check does not see across sessions).
    pub async fn start_another(driver: &Driver, app: &Path, args: &[&str]) -> Session {
        let http = reqwest::Client::new();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app, "args": args},
        }}});
        let reply: Value = http
            .post(format!("{}/session", driver.url))
            .json(&caps)
            .send()
            .await
            .expect("tauri-driver answers")
            .json()
            .await
            .unwrap();
        let id = reply["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {reply}"));
        Session { http, base: format!("{}/session/{id}", driver.url) }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let reply: Value = req.send().await.unwrap().json().await.unwrap();
        reply["value"].clone()
    }

    /// Elements matching a CSS selector now (maybe none).
    pub async fn find_all(&self, css: &str) -> Vec<String> {
        let v = self
            .send(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css})))
            .await;
        v.as_array()
            .map(|a| a.iter().filter_map(|e| e[ELEMENT_KEY].as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    /// Waits until `count` elements (at least) match, and returns them.
    /// Types `text` into whatever has the focus, as a keyboard does (WebDriver key
    /// actions, no pause between keys: as fast as a barcode scanner); `\n` is Enter.
    pub async fn keys(&self, text: &str) {
        let mut actions = Vec::new();
        for ch in text.chars() {
            let key = if ch == '\n' { "\u{E007}".to_string() } else { ch.to_string() };
            actions.push(json!({ "type": "keyDown", "value": key }));
            actions.push(json!({ "type": "keyUp", "value": key }));
        }
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.send(reqwest::Method::POST, "/actions", Some(body)).await;
    }

    /// Resizes the window (its outer size; under Xvfb without a window manager, the page's).
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.send(reqwest::Method::POST, "/window/rect", Some(json!({ "width": width, "height": height })))
            .await;
    }

    /// Waits until nothing matches `css` (a dialog closed).
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.find_all(css).await.is_empty() {
            assert!(Instant::now() < deadline, "`{css}` still shown after {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn wait_for_count(&self, css: &str, count: usize) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.find_all(css).await;
            if found.len() >= count {
                return found;
            }
            if Instant::now() > deadline {
                let page = self.page_text().await;
                panic!("waited for {count} × `{css}`, found {}; page text:\n{page}", found.len());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn wait_for(&self, css: &str) -> String {
        self.wait_for_count(css, 1).await.remove(0)
    }

    pub async fn text(&self, element: &str) -> String {
        self.send(reqwest::Method::GET, &format!("/element/{element}/text"), None)
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.find_all(css).await {
            out.push(self.text(&e).await);
        }
        out
    }

    /// Clicks an element; a click WebDriver refused (the element gone, covered or not
    /// interactable) fails the test rather than passing unseen.
    pub async fn click(&self, element: &str) {
        let reply = self.try_click(element).await;
        assert!(reply.get("error").is_none(), "the click was refused: {reply}");
    }

    async fn try_click(&self, element: &str) -> Value {
        self.send(reqwest::Method::POST, &format!("/element/{element}/click"), Some(json!({}))).await
    }

    /// Clicks the element `css` matches once it is there. Found, then re-rendered or
    /// covered for a moment before the click (a list answering a search, a dialog
    /// opening), it is found again and clicked again, for up to 10 s.
    pub async fn click_css(&self, css: &str) {
        let started = std::time::Instant::now();
        loop {
            let e = self.wait_for(css).await;
            let reply = self.try_click(&e).await;
            if reply.get("error").is_none() {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "could not click `{css}`: {reply}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Replaces an input's text by typing, as a person would (`\n` presses Enter).
    pub async fn clear_and_type(&self, element: &str, text: &str) {
        self.send(reqwest::Method::POST, &format!("/element/{element}/clear"), Some(json!({}))).await;
        let text = text.replace('\n', "\u{E007}");
        self.send(reqwest::Method::POST, &format!("/element/{element}/value"), Some(json!({"text": text})))
            .await;
    }

    pub async fn page_text(&self) -> String {
        let v = self
            .send(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": "return document.body.innerText", "args": []})),
            )
            .await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn script(&self, js: &str) -> Value {
        self.send(reqwest::Method::POST, "/execute/sync", Some(json!({"script": js, "args": []}))).await
    }

    /// The handle of the window the session is driving.
    pub async fn window(&self) -> String {
        self.send(reqwest::Method::GET, "/window", None).await.as_str().unwrap_or_default().to_string()
    }

    /// Waits for a second window (one the app opened) and returns its handle.
    pub async fn other_window(&self, this: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let handles = self.send(reqwest::Method::GET, "/window/handles", None).await;
            let other =
                handles.as_array().into_iter().flatten().filter_map(Value::as_str).find(|h| *h != this);
            if let Some(h) = other {
                return h.to_string();
            }
            assert!(Instant::now() < deadline, "no second window opened: {handles}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Drives the window with this handle from now on.
    pub async fn switch_to(&self, handle: &str) {
        self.send(reqwest::Method::POST, "/window", Some(json!({ "handle": handle }))).await;
    }

    /// Calls a Tauri command from the page, as any script in the window could:
    /// `{"ok": value}` or `{"err": {code, message}}`.
    pub async fn invoke(&self, command: &str, args: Value) -> Value {
        let js = "const done = arguments[arguments.length - 1];
                  window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
                    .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: e }));";
        self.send(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": js, "args": [command, args]})),
        )
        .await
    }

    /// Replaces the text of the field `css` (waiting for it to appear).
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.wait_for(css).await;
        self.clear_and_type(&el, text).await;
    }

    /// Settings → the first manager PIN, chosen twice: the window is then the manager's.
    pub async fn first_manager_pin(&self, pin: &str) {
        self.click_css("[data-testid=settings-open]").await;
        self.wait_for("[data-testid=pin-input]:focus").await; // its autofocus, before typing
        self.type_into("[data-testid=pin-input]", pin).await;
        self.type_into("[data-testid=pin-again]", pin).await;
        self.click_css("[data-testid=pin-submit]").await;
        self.wait_for("[data-testid=settings-page][data-role=manager]").await;
    }

    /// Waits until the page's text contains `needle`.
    pub async fn wait_for_text(&self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.page_text().await;
            if text.contains(needle) {
                return;
            }
            assert!(Instant::now() < deadline, "waited for text `{needle}`; page text:\n{text}");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Saves a PNG of the window and returns its path. Two animation frames first: a
    /// change just made (a scroll, a page shown) is painted before it is captured.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let frames = "const done = arguments[arguments.length - 1];
                      requestAnimationFrame(() => requestAnimationFrame(() => done(null)));";
        self.send(reqwest::Method::POST, "/execute/async", Some(json!({"script": frames, "args": []}))).await;
        let b64 = self.send(reqwest::Method::GET, "/screenshot", None).await;
        let png =
            base64::engine::general_purpose::STANDARD.decode(b64.as_str().expect("base64 PNG")).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// Holds a QR payload to the simulated SPLATS reader of `area`: its verdict as JSON.
pub async fn scan(sim: &uketsuke_sim::Sim, area: &str, payload: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{}/_sim/splats/scan", sim.url()))
        .json(&json!({ "area_id": area, "payload": payload }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Decodes every QR code in a PNG with `zbarimg` (zbar-tools), as a reader would see it.
pub fn zbarimg(png: &Path) -> Vec<String> {
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(png)
        .output()
        .expect("zbarimg is installed (scripts/install-system-deps.sh)");
    String::from_utf8_lossy(&out.stdout).lines().map(String::from).filter(|l| !l.is_empty()).collect()
}

impl Session {
    pub async fn close(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}

/// A config for one window test: a fresh database in `dir`, its own keyring service,
/// no paid status polling, and the background worker off (a test syncs when it wants
/// to; `live_desk.rs` turns it on). Each test adds the clouds and options it needs.
pub fn test_config(dir: &Path, keyring_service: &str) -> uketsuke_core::Config {
    let mut c = uketsuke_core::Config {
        database: Some(dir.join("cache.sqlite3")),
        keyring_service: Some(keyring_service.into()),
        log_dir: Some(dir.join("logs")),
        ..Default::default()
    };
    c.sesame.poll_interval_secs = 0;
    c.sync.background = false;
    c
}

/// Saves the config where the app is told to read it (`--config`).
pub fn write_config(c: &uketsuke_core::Config, dir: &Path) -> PathBuf {
    let path = dir.join("config.toml");
    c.save(&path).unwrap();
    path
}

/// What a manager did before the window opened: stores and areas synced from the
/// reservation system, and with `splats` the SPLATS areas and pass controllers cached
/// too (with the simulator's demo tokens). The test's handle on the database comes back.
pub async fn sync_setup(
    c: &uketsuke_core::Config,
    sim: &uketsuke_sim::Sim,
    splats: bool,
) -> uketsuke_core::platform::db::Db {
    use uketsuke_core::{
        clouds::reservation::ReservationClient, clouds::splats::SplatsClient, platform::db, workflows::sync,
    };
    let shared = db::Db::open(c.database.as_ref().unwrap()).unwrap();
    let reservation =
        ReservationClient::new(&sim.reservation_url(), uketsuke_sim::DEMO_RESERVATION_TOKEN.into());
    sync::stores_and_areas(&shared, &reservation, "setup").await.unwrap();
    if splats {
        let client = SplatsClient::new(&sim.splats_url(), uketsuke_sim::splats::DEMO_TOKEN.into());
        sync::splats(&shared, &client, c, "setup").await.unwrap();
    }
    shared
}

/// Maps 会議室A (A101) and 渋谷店's entrance onto their SPLATS areas, as a manager would.
pub fn map_demo_doors(db: &uketsuke_core::platform::db::Db) {
    use uketsuke_core::desk::cache;
    db.write_now(|c| {
        cache::splats::map_area(c, "A101", Some("sa-0001"))?;
        cache::splats::map_entrance(c, "S001", Some("sa-0006"))
    })
    .unwrap();
}

/// A desk with every cloud on the simulator, as a manager leaves it: the worker on,
/// the demo tokens in `keyring_service`, stores and SPLATS synced, the demo doors
/// mapped and A101's SESAME lock registered. `edit` adjusts the config before it is
/// written; the config's path comes back.
pub async fn live_desk(
    sim: &uketsuke_sim::Sim,
    dir: &Path,
    keyring_service: &str,
    edit: impl FnOnce(&mut uketsuke_core::Config),
) -> PathBuf {
    use uketsuke_core::clouds::sesame::{DeviceUuid, SecretKey};
    use uketsuke_core::desk::doors::lock::{self, Target};
    use uketsuke_core::platform::secrets::{names, Keyring, SecretStore};
    let mut c = test_config(dir, keyring_service);
    c.sync.background = true;
    c.reservation.base_url = Some(sim.reservation_url());
    c.reservation.client_id = Some("demo".into());
    c.sesame.base_url = Some(sim.sesame_url());
    c.sesame.confirm_delay_ms = 200;
    c.splats.base_url = Some(sim.splats_url());
    c.splats.guest_membergroup_id = Some("mg-guest".into());
    edit(&mut c);
    let path = write_config(&c, dir);
    let keyring = Keyring::new(keyring_service);
    keyring.set(names::RESERVATION_TOKEN, uketsuke_sim::DEMO_RESERVATION_TOKEN).unwrap();
    keyring.set(names::SPLATS_TOKEN, uketsuke_sim::splats::DEMO_TOKEN).unwrap();
    keyring.set(names::SESAME_API_KEY, uketsuke_sim::sesame::DEMO_API_KEY).unwrap();
    let shared = sync_setup(&c, sim, true).await;
    map_demo_doors(&shared);
    let device = sim.state.world.lock().unwrap().sesame.device_for("area:A101").unwrap().clone();
    let key: String = device.secret.iter().map(|b| format!("{b:02x}")).collect();
    let uuid = DeviceUuid::parse(&device.uuid).unwrap();
    let target = Target::Area("A101".into());
    shared
        .write_now(|conn| lock::assign(conn, &keyring, &target, &uuid, &SecretKey::parse(&key)?, "manager"))
        .unwrap();
    path
}

/// Every log line the app wrote in this test's folder (`test_config` puts them there).
pub fn app_logs(dir: &Path) -> String {
    std::fs::read_dir(dir.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect()
}
