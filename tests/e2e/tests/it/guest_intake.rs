//! Guests who are not in the reservation system, in the real staff window: a walk-in
//! entered on the form, and a bookings CSV imported from a file (a bad one refused with
//! its line number, nothing written).

use uketsuke_core::platform::clock;
use uketsuke_e2e::{app_binary, enabled, sync_setup, test_config, write_config, Driver, Session};
use uketsuke_sim::{Sim, SimConfig};

/// Stores and areas synced into a fresh cache; no clouds needed after that.
async fn facility() -> (Sim, tempfile::TempDir, std::path::PathBuf) {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = test_config(dir.path(), "jp.uketsuke.e2e-intake");
    let path = write_config(&c, dir.path());
    sync_setup(&c, &sim, false).await;
    (sim, dir, path)
}

/// "2026-11-23 09:30" in Japan time.
fn jst(t: i64) -> String {
    clock::iso_jst(t)[..16].replace('T', " ")
}

/// Hands the page a file as if the person had picked it in the file dialog.
async fn pick_file(s: &Session, name: &str, contents: &str) {
    let js = format!(
        "const dt = new DataTransfer();
         dt.items.add(new File([{contents}], {name}, {{ type: 'text/csv' }}));
         const input = document.querySelector('[data-testid=csv-file]');
         input.files = dt.files;
         input.dispatchEvent(new Event('change', {{ bubbles: true }}));",
        contents = serde_json::to_string(contents).unwrap(),
        name = serde_json::to_string(name).unwrap(),
    );
    s.script(&js).await;
}

/// Clicks a button, then 250 ms later clicks whatever is under the same point, as the
/// second click of a double click does; answers the test id of what the second met.
async fn click_twice_in_place(s: &Session, css: &str) -> serde_json::Value {
    let js = format!(
        "const b = document.querySelector({css:?}); const r = b.getBoundingClientRect();
         const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
         b.click();
         return new Promise((done) => setTimeout(() => {{
           const under = document.elementFromPoint(x, y); under.click();
           done(under.dataset.testid ?? under.tagName);
         }}, 250));"
    );
    s.script(&js).await
}

#[tokio::test(flavor = "multi_thread")]
async fn walk_in_and_csv_import_from_the_staff_window() {
    let _alone = uketsuke_e2e::alone().await;
    if !enabled() {
        return;
    }
    let (_sim, _dir, config) = facility().await;
    let driver = Driver::start().await;
    let s = Session::start(&driver, &app_binary(), &["--config", config.to_str().unwrap()]).await;
    s.wait_for("[data-testid=guest-search]").await;

    // A walk-in: name, one room, default times (now to an hour later).
    s.click_css("[data-testid=walk-in]").await;
    let name = s.wait_for("[data-testid=walk-in-name]").await;
    s.clear_and_type(&name, "森 拓海").await;
    let kana = s.wait_for("[data-testid=walk-in-kana]").await;
    s.clear_and_type(&kana, "モリ タクミ").await;
    // Saving with no room is refused, in Japanese, and the form stays open.
    s.click_css("[data-testid=walk-in-save]").await;
    s.wait_for_text("エリアを1つ以上選んでください").await;
    s.click_css("[data-testid=walk-in-area]").await;
    s.screenshot("walk-in-form").await;
    s.click_css("[data-testid=walk-in-save]").await;
    s.wait_for_count("[data-testid=guest-row]", 1).await;
    assert!(s.page_text().await.contains("森 拓海"));
    assert!(s.find_all("[data-testid=walk-in-form]").await.is_empty(), "the form closed");
    // Standing at the counter: arrived as registered.
    s.wait_for("[data-testid=guest-row]:not([data-status=upcoming]) [data-testid=check-in][disabled]").await;

    // The kiosk covers this window and only the manager PIN brings it back: with none
    // chosen, キオスクに表示 asks for one first.
    s.click_css("[data-testid=open-kiosk]").await;
    s.wait_for("[data-testid=kiosk-pin-first] [data-testid=pin-input]").await;
    s.wait_for_text("キオスクを開く前に、管理者 PIN を決めてください").await;
    s.screenshot("kiosk-asks-for-a-pin").await;
    s.script("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))")
        .await;
    s.wait_gone("[data-testid=kiosk-pin-first]").await;

    // A CSV whose second row names an unknown room: refused as a whole, line named.
    let now = clock::now_unix();
    let (from, to) = (jst(now - 1800), jst(now + 3600));
    let bad = format!(
        "予約番号,店舗ID,氏名,フリガナ,電話番号,開始,終了,エリア\n\
         R-1,S001,山田 花,ヤマダ ハナ,090-1111-2222,{from},{to},A101\n\
         R-2,S001,川口 学,カワグチ マナブ,,{from},{to},Z999\n"
    );
    pick_file(&s, "bad.csv", &bad).await;
    s.wait_for("[data-testid=guest-error]").await;
    s.wait_for_text("3 行目: エリア `Z999`").await;
    assert_eq!(s.find_all("[data-testid=guest-row]").await.len(), 1, "nothing imported");

    // The corrected file goes in whole.
    pick_file(&s, "ok.csv", &bad.replace("Z999", "A102")).await;
    s.wait_for_text("2 件の予約を取り込みました").await;
    s.wait_for_count("[data-testid=guest-row]", 3).await;
    let text = s.page_text().await;
    assert!(text.contains("山田 花") && text.contains("川口 学"), "{text}");
    s.screenshot("guests-after-import").await;

    // On a counter PC's small screen (1366×768 less a taskbar and the title bar; the
    // test screen is 1280 wide) the guests show without scrolling.
    s.set_window_size(1280, 690).await;
    let fits = s
        .script(
            "const rows = document.querySelectorAll('[data-testid=guest-row]');
             return [window.innerHeight, rows[rows.length - 1].getBoundingClientRect().bottom];",
        )
        .await;
    let (height, bottom) = (fits[0].as_f64().unwrap(), fits[1].as_f64().unwrap());
    assert!(height <= 700.0, "the window took the small size: {fits}");
    assert!(bottom <= height, "the guest list is above the fold at {height} px: {fits}");
    s.screenshot("guests-at-1366x768").await;

    // A double click on 来店: the second click lands where the first did, on the same
    // button, now done. The guest stays checked in.
    let id = s
        .script(
            "return document.querySelector('[data-testid=guest-row][data-status=upcoming]').dataset.guestId",
        )
        .await;
    let row = format!("[data-testid=guest-row][data-guest-id='{}']", id.as_str().unwrap());
    let row = row.as_str();
    let second = click_twice_in_place(&s, &format!("{row} [data-testid=check-in]")).await;
    assert_eq!(second, "check-in", "the second click met the same button");
    s.wait_for(&format!("{row}:not([data-status=upcoming]) [data-testid=check-in][disabled]")).await;
    // A double click on 退出 only asks: the second click confirms nothing, the focus is
    // on 戻る, and Esc closes the question with the guest still in.
    click_twice_in_place(&s, &format!("{row} [data-testid=check-out]")).await;
    s.wait_for("[data-testid=check-out-confirm]").await;
    let focused = s.script("return document.activeElement.dataset.testid").await;
    assert_eq!(focused, "check-out-confirm-cancel");
    s.screenshot("check-out-confirm").await;
    s.script("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))")
        .await;
    s.wait_gone("[data-testid=check-out-confirm]").await;
    assert!(s.find_all(&format!("{row}[data-status=left]")).await.is_empty(), "not checked out");

    // A scanner types the booking code, at its speed, with nothing focused: the guest is
    // found and selected, 来店 has the focus, and Enter checks them in.
    s.script("document.activeElement.blur()").await;
    s.keys("R-2\n").await;
    s.wait_for("[data-testid=guest-row][data-selected=true]").await;
    assert_eq!(s.find_all("[data-testid=guest-row]").await.len(), 1, "the list shows the one guest");
    let focused = s.script("return document.activeElement.dataset.testid").await;
    assert_eq!(focused, "check-in", "Enter is 来店 now");
    s.screenshot("scanned-guest-selected").await;
    s.keys("\n").await;
    s.wait_for("[data-testid=guest-row][data-selected=true] [data-testid=check-in][disabled]").await;
    // The confirmation's QR, when it is a link, finds the guest the same way.
    s.keys("https://yoyaku.example.jp/r?code=R-1\n").await;
    s.wait_for_text("山田 花").await;
    s.wait_for("[data-testid=guest-row][data-selected=true]").await;
    s.script(
        "const i = document.querySelector('[data-testid=guest-search]'); i.value = '';
         i.dispatchEvent(new Event('input', { bubbles: true }));",
    )
    .await;
    s.wait_for_count("[data-testid=guest-row]", 3).await;

    // Names carrying markup and invisible characters are shown as the text they are.
    let hostile = format!(
        "店舗ID,氏名,開始,終了,エリア\n\
         S001,<img src=x onerror=window.__owned=1>,{from},{to},A101\n\
         S001,<script>window.__owned=2</script>,{from},{to},A101\n\
         S001,右{rlo}左 逆,{from},{to},A101\n",
        rlo = '\u{202E}'
    );
    pick_file(&s, "hostile.csv", &hostile).await;
    s.wait_for_count("[data-testid=guest-row]", 6).await;
    let text = s.page_text().await;
    assert!(text.contains("<img src=x onerror=window.__owned=1>"), "{text}");
    assert!(text.contains("<script>window.__owned=2</script>"), "{text}");
    assert!(text.contains("右左 逆") && !text.contains('\u{202E}'), "the override was removed: {text}");
    let owned = s
        .script("return [window.__owned === undefined, document.querySelectorAll('img[src=x]').length]")
        .await;
    assert_eq!(owned, serde_json::json!([true, 0]), "no markup ran");
    s.screenshot("guests-hostile-names").await;
    s.close().await;
}
