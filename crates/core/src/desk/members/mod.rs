//! SPLATS members for managers: staff and regulars who open doors with an IC card, a
//! fixed QR or a one-time QR, within a period and with per-area permissions (at any time
//! or on weekly schedules), and optionally a face image. The app's own guest members
//! (`UK-…`, made per booking by `guests::access`) are not listed here and cannot be
//! edited here: reconciliation owns them.
//!
//! Every write is sent once and audited; SPLATS' 40901 (a card, QR or member code that
//! another member already has) is explained in words.

pub mod face;
pub mod form;

pub use face::FaceState;
pub use form::{AreaRule, Credential, Day, MemberForm, WeeklySlot};

use crate::clouds::splats::model::Member;
use crate::clouds::splats::SplatsClient;
use crate::desk::audit::{self, AuditEvent};
use crate::desk::staff::role::{self, Deed};
use crate::platform::db::Db;
use crate::platform::error::{Code, Error, Result};
use serde::Serialize;

/// One member as the members screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MemberRow {
    pub form: MemberForm,
    pub group_name: String,
    /// A face image is registered (`face_data` is present).
    pub face: bool,
}

/// Something to pick from: a member group or a SPLATS area.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// The members screen: the members and what their form offers.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MembersView {
    pub members: Vec<MemberRow>,
    pub groups: Vec<Choice>,
    pub areas: Vec<Choice>,
}

fn is_guest_member(m: &Member) -> bool {
    m.member_code.as_deref().is_some_and(|c| c.starts_with("UK-"))
}

/// Reads groups, areas and members (one call each, members paged). A tenant without
/// SPLATS PASS has no areas: its members are listed with none.
pub async fn view(client: &SplatsClient) -> Result<MembersView> {
    let groups: Vec<Choice> = client
        .membergroups()
        .await?
        .into_iter()
        .map(|g| Choice { id: g.membergroup_id, name: g.membergroup_name })
        .collect();
    let areas = match client.areas().await {
        Ok(a) => a.into_iter().map(|a| Choice { id: a.area_id, name: a.area_name }).collect(),
        Err(Error::Rejected { status: 403, .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut members: Vec<MemberRow> =
        client.all_members().await?.iter().filter(|m| !is_guest_member(m)).map(|m| row(m, &groups)).collect();
    members.sort_by(|a, b| a.form.name.cmp(&b.form.name));
    Ok(MembersView { members, groups, areas })
}

fn row(m: &Member, groups: &[Choice]) -> MemberRow {
    let form = MemberForm::from_member(m);
    let group_name =
        groups.iter().find(|g| g.id == form.membergroup_id).map(|g| g.name.clone()).unwrap_or_default();
    let face = m.extra.get("face_data").is_some_and(|f| !f.is_null());
    MemberRow { form, group_name, face }
}

/// Creates the member, or updates it when the form has an ID. Audited either way.
pub async fn save(db: &Db, client: &SplatsClient, form: &MemberForm, actor: &str) -> Result<MemberRow> {
    db.read(|c| role::require_here(c, Deed::Credential)).await?;
    let body = form.to_body()?;
    let sent = match &form.member_id {
        Some(id) => {
            refuse_guest_member(client, id).await?;
            client.update_member(id, &body).await
        }
        None => client.create_member(&body).await,
    };
    let action = if form.member_id.is_some() { "member.update" } else { "member.create" };
    let target = sent.as_ref().ok().map(|m| m.member_id.clone()).or(form.member_id.clone());
    let kind = serde_json::to_value(&form.credential).ok().and_then(|v| v.get("kind").cloned());
    let event =
        AuditEvent::new(actor, action, target.as_deref(), sent.is_ok()).with_detail(serde_json::json!({
            "name": form.name, "credential": kind, "areas": form.areas.len(),
            "error": sent.as_ref().err().map(|e| e.code()),
        }));
    db.write(move |c| audit::record(c, &event)).await?;
    let member = sent.map_err(explain_duplicate)?;
    Ok(row(&member, &[]))
}

/// Deletes a member (and so its face image). Audited.
pub async fn delete(db: &Db, client: &SplatsClient, member_id: &str, actor: &str) -> Result<()> {
    db.read(|c| role::require_here(c, Deed::Credential)).await?;
    refuse_guest_member(client, member_id).await?;
    let sent = client.delete_member(member_id).await;
    let event = AuditEvent::new(actor, "member.delete", Some(member_id), sent.is_ok());
    db.write(move |c| audit::record(c, &event)).await?;
    sent
}

async fn refuse_guest_member(client: &SplatsClient, member_id: &str) -> Result<()> {
    if is_guest_member(&client.member(member_id).await?) {
        return Err(Error::invalid(
            Code::MemberCodeReserved,
            "予約客のメンバーは予約に合わせて自動で更新されます。ここでは変更できません",
            "a booked guest's member follows the booking by itself and cannot be changed here",
        ));
    }
    Ok(())
}

/// SPLATS 40901 in words: what is taken, and what to do.
fn explain_duplicate(e: Error) -> Error {
    match e {
        Error::Rejected { code, detail, .. } if code == "40901" => {
            let what = if detail.contains("カード") {
                ("このICカードは", "this IC card is")
            } else if detail.contains("QR") {
                ("このQRコードは", "this QR code is")
            } else if detail.contains("メンバーコード") {
                ("このメンバーコードは", "this member code is")
            } else {
                ("このカード・QR・メンバーコードのいずれかは", "the card, QR code or member code is")
            };
            Error::invalid(
                Code::SplatsDuplicate,
                format!(
                    "{}すでに別のメンバーに登録されています (SPLATS 40901)。別のものを使うか、登録済みのメンバーから外してから登録してください",
                    what.0
                ),
                format!(
                    "{} already registered to another member (SPLATS 40901): use another, or remove it from that member first",
                    what.1
                ),
            )
        }
        e => e,
    }
}
