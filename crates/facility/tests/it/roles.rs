//! Each role keeps only the secrets it needs, after a full exchange with a real
//! PostgreSQL: a counter with the cloud keys and a lock's key starts the facility, a
//! head office and a kiosk PC join. The head office's keyring then holds no cloud
//! secret at all (it calls no cloud), the kiosk's none that opens a door; a counter
//! that joins receives them all.

use crate::two_pcs::{join_as, two_pcs, until};
use std::time::Duration;
use uketsuke_core::platform::config::PcRole;
use uketsuke_core::platform::secrets::names;
use uketsuke_sim::postgres::Cluster;
use uketsuke_sim::{Sim, SimConfig};

#[tokio::test(flavor = "multi_thread")]
async fn a_head_office_keeps_no_cloud_secret_and_a_kiosk_none_that_opens_a_door() {
    if !uketsuke_sim::postgres::available() {
        return;
    }
    let pg = Cluster::start().unwrap();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let (a, counter) = two_pcs(&sim, &pg).await;
    let lock = names::device_secret("3F1C2A9E-0000-4000-8000-00000000A101");
    a.secrets.set(&lock, "00112233445566778899aabbccddeeff").unwrap();
    a.secrets.set(names::SPLATS_LICENSE_KEY, uketsuke_sim::splats::DEMO_LICENSE_KEY).unwrap();
    a.db.write_now(|c| {
        c.execute(
            "UPDATE areas SET device_uuid = '3F1C2A9E-0000-4000-8000-00000000A101' WHERE id = 'A101'",
            [],
        )?;
        Ok(())
    })
    .unwrap();
    let office = join_as(&sim, &pg, &a, "本部", PcRole::HeadOffice).await;
    // A copy an earlier version wrote there is taken away.
    office.secrets.set(names::SESAME_API_KEY, "left-by-an-earlier-version").unwrap();
    let kiosk = join_as(&sim, &pg, &a, "入口", PcRole::Kiosk).await;

    // The counter that joined has every one: the exchange is complete.
    until("the counter has the lock's key", Duration::from_secs(15), || {
        counter.secrets.get(&lock).unwrap().is_some()
    })
    .await;
    until("the kiosk has the SPLATS token", Duration::from_secs(15), || {
        kiosk.secrets.get(names::SPLATS_TOKEN).unwrap().is_some()
    })
    .await;
    // Give the other two a few exchanges more to take what they should not.
    tokio::time::sleep(Duration::from_secs(4)).await;
    for name in [names::SESAME_API_KEY, names::SPLATS_LICENSE_KEY, names::SPLATS_TOKEN, lock.as_str()] {
        assert!(counter.secrets.get(name).unwrap().is_some(), "the counter holds {name}");
    }
    for name in [
        names::SESAME_API_KEY,
        names::SPLATS_LICENSE_KEY,
        names::SPLATS_TOKEN,
        names::RESERVATION_TOKEN,
        lock.as_str(),
    ] {
        assert!(office.secrets.get(name).unwrap().is_none(), "the head office holds no {name}");
    }
    for name in [names::SESAME_API_KEY, names::SPLATS_LICENSE_KEY, lock.as_str()] {
        assert!(kiosk.secrets.get(name).unwrap().is_none(), "the kiosk holds no {name}");
    }
    drop((a, counter, office, kiosk));
}
