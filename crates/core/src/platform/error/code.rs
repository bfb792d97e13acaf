//! The stable error codes: what the UI branches on and tests assert on.
//!
//! A code names one kind of failure, never a sentence: the sentence is built by
//! [`super::Error::message`] in the user's language. Codes are exported to TypeScript
//! as the `ErrorCode` union (`ui/src/lib/bindings.ts`), so the UI cannot test for one
//! that does not exist. A code, once shipped, keeps its spelling.

/// Declares the codes once: the enum, its snake_case spelling and the full list.
macro_rules! codes {
    ($($(#[$meta:meta])* $variant:ident = $name:literal,)*) => {
        /// A stable, machine-readable error code (`{code, message}` at the UI boundary).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, ts_rs::TS)]
        #[ts(rename = "ErrorCode")]
        pub enum Code {
            $($(#[$meta])* #[serde(rename = $name)] $variant,)*
        }

        impl Code {
            /// Every code, for tests that check the whole contract.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    // The app and the PC.
    /// A bug or an impossible state; the message says what. Also what a code saved by
    /// a newer version reads as.
    Internal = "internal",
    /// The app started without a usable configuration (shell only).
    NotReady = "not_ready",
    /// A setting in the config file is wrong.
    Config = "config",
    Db = "db",
    DbMigration = "db_migration",
    Io = "io",
    /// The OS keyring (Secret Service) is not available.
    Keyring = "keyring",
    /// A secret this action needs was never saved.
    SecretMissing = "secret_missing",
    /// Another Uketsuke process already runs the background worker on this database.
    WorkerBusy = "worker_busy",
    /// The facility's shared PostgreSQL cannot be reached or refused us.
    FacilityUnreachable = "facility_unreachable",
    /// The facility's database cannot be reached over TLS (none offered, or untrusted).
    FacilityTls = "facility_tls",
    /// This PC holds no facility key, or one that does not open the facility's data.
    FacilityKey = "facility_key",
    /// A join code that is wrong, used or expired.
    JoinCodeInvalid = "join_code_invalid",
    /// This PC is in a facility already (it joins one once).
    FacilityJoined = "facility_joined",
    /// A head-office PC only looks: it changes nothing in the facility.
    ReadOnlyPc = "read_only_pc",
    /// A kiosk PC shows guests their bookings: it sends no door command and admits no PC.
    KioskPc = "kiosk_pc",
    /// The kiosk window could not be opened (shell only).
    WindowFailed = "window_failed",
    /// The system browser could not be opened for the sign-in (shell only).
    BrowserFailed = "browser_failed",

    // The clouds.
    Unreachable = "unreachable",
    Unauthorized = "unauthorized",
    RateLimited = "rate_limited",
    Http = "http",
    /// The cloud refused the request with its own error code.
    Rejected = "rejected",
    BadReply = "bad_reply",
    /// A door command may or may not have arrived: never resent.
    Uncertain = "uncertain",
    PagingStuck = "paging_stuck",
    /// The SESAME cloud refused the signature (only a strict cloud says so).
    SignRejected = "sign_rejected",
    DeviceUnavailable = "device_unavailable",
    /// A command for this door is already on its way.
    DoorBusy = "door_busy",
    NotFound = "not_found",

    // Reservation sign-in.
    SignInStateMismatch = "sign_in_state_mismatch",
    SignInDenied = "sign_in_denied",
    SignInNoCode = "sign_in_no_code",
    SignInTimedOut = "sign_in_timed_out",
    /// The redirect URL is not an `http://` loopback address with a port.
    RedirectUriInvalid = "redirect_uri_invalid",
    /// Another program already listens on the redirect address.
    RedirectPortBusy = "redirect_port_busy",

    // The manager role.
    ManagerRequired = "manager_required",
    PinWrong = "pin_wrong",
    PinLocked = "pin_locked",
    PinNotSet = "pin_not_set",
    /// A new PIN is not 4 to 12 digits.
    PinFormat = "pin_format",
    /// The PIN and its confirmation differ (UI only).
    PinMismatch = "pin_mismatch",

    // Settings input.
    UuidInvalid = "uuid_invalid",
    SecretKeyInvalid = "secret_key_invalid",
    /// A secret key was entered without the device UUID it belongs to.
    SecretKeyWithoutUuid = "secret_key_without_uuid",
    /// A new lock was entered without its secret key.
    SecretKeyMissing = "secret_key_missing",
    ApiKeyInvalid = "api_key_invalid",
    /// A bearer token or client secret that cannot be one (too short, spaces, …).
    TokenInvalid = "token_invalid",
    UrlInvalid = "url_invalid",
    ClientIdMissing = "client_id_missing",
    NameMissing = "name_missing",
    StoreNameTaken = "store_name_taken",
    AreaNameTaken = "area_name_taken",
    /// Stores and areas from the reservation system are changed there, not here.
    ReservationOwned = "reservation_owned",
    /// "Register the entrance key" without a lock.
    EntranceNeedsLock = "entrance_needs_lock",
    /// One lock is already registered for another door.
    LockInUse = "lock_in_use",
    /// The door has no SESAME lock registered.
    DoorNotRegistered = "door_not_registered",
    SettingsFileInvalid = "settings_file_invalid",
    /// A SESAME share QR that cannot be imported.
    SesameQrInvalid = "sesame_qr_invalid",
    SesameQrNotFound = "sesame_qr_not_found",
    ImageUnreadable = "image_unreadable",
    /// An image too large to read (file size or pixels).
    ImageTooLarge = "image_too_large",

    // SPLATS mapping.
    SplatsAreaUnknown = "splats_area_unknown",
    SplatsAreaGone = "splats_area_gone",
    SplatsAreaUnmapped = "splats_area_unmapped",
    SplatsIdInvalid = "splats_id_invalid",
    BulkMemberTooLarge = "bulk_member_too_large",
    TotpSeedInvalid = "totp_seed_invalid",
    OtqrSettingsInvalid = "otqr_settings_invalid",

    // SPLATS members (the manager's members screen).
    /// An IC card ID that is not 8–32 hex digits.
    CardDataInvalid = "card_data_invalid",
    QrDataInvalid = "qr_data_invalid",
    /// A weekly slot without days, or with an end before its start.
    ScheduleInvalid = "schedule_invalid",
    MembergroupMissing = "membergroup_missing",
    /// `UK-…` codes are the app's own guest members.
    MemberCodeReserved = "member_code_reserved",
    /// SPLATS 40901: the card, QR or member code belongs to another member.
    SplatsDuplicate = "splats_duplicate",
    /// SPLATS did not register a face image (`failed_…`).
    FaceFailed = "face_failed",
    /// A key's `temporary_use` timer outside 1–86,400 s.
    KeyTimerInvalid = "key_timer_invalid",

    // History and audit.
    /// The audit log's hash chain is broken (a row was changed or removed).
    AuditBroken = "audit_broken",
    /// A date that is not `YYYY-MM-DD`.
    DateInvalid = "date_invalid",

    // Guests and their QR.
    /// A name, kana or booking code longer than the app keeps.
    FieldTooLong = "field_too_long",
    /// A CSV file too large or with too many rows to import at once.
    CsvTooLarge = "csv_too_large",
    /// A CSV file that is neither UTF-8 nor Shift_JIS.
    CsvEncoding = "csv_encoding",
    /// The end of a booking is not after its start.
    TimeRangeInvalid = "time_range_invalid",
    AreasMissing = "areas_missing",
    AreaNotInStore = "area_not_in_store",
    CsvEmpty = "csv_empty",
    CsvHeaderInvalid = "csv_header_invalid",
    CsvRowInvalid = "csv_row_invalid",
    QrNotIssued = "qr_not_issued",
    QrRevoked = "qr_revoked",
    /// The guest's QR key is not on this PC and SPLATS could not be asked for it now.
    QrSeedMissing = "qr_seed_missing",
    /// A store or area cannot go while guests of it hold door access not yet revoked.
    LiveAccessRemains = "live_access_remains",
    /// The payload does not fit in a QR code.
    QrUnencodable = "qr_unencodable",
    BookingEnded = "booking_ended",
    /// The booking was cancelled: the guest is not checked in on it.
    BookingCancelled = "booking_cancelled",
    /// A room of the changed stay is booked by someone else in the new window.
    RoomTaken = "room_taken",
    /// The reservation system would not take the change (it answered, and said no).
    StayRefused = "stay_refused",
    /// The guest has checked out: their stay can no longer change.
    GuestLeft = "guest_left",
    /// A handover note with nothing in it.
    NoteEmpty = "note_empty",
    /// The writer of a handover note tried to acknowledge it: the next shift does.
    NoteOwn = "note_own",
    /// 全施錠 or 全解錠 without a reason: the audit log needs one.
    ReasonMissing = "reason_missing",
    /// A printed pass could not reach the printer (receipt printer or the OS's).
    PrinterUnreachable = "printer_unreachable",

    // The kiosk.
    BookingNotFound = "booking_not_found",
    BookingAmbiguous = "booking_ambiguous",
    /// Too many failed lookups on this kiosk: wait.
    KioskWait = "kiosk_wait",
}

/// A code saved by a newer version (in the worker status) reads as `internal`
/// rather than failing the whole status.
impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Code::ALL.iter().copied().find(|c| c.as_str() == s).unwrap_or(Code::Internal))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and logs compare with the spelling: `assert_eq!(e.code(), "uuid_invalid")`.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_unique_snake_case_and_match_serde() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{s}");
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(s));
            assert_eq!(serde_json::from_value::<Code>(serde_json::json!(s)).unwrap(), *c);
        }
        assert_eq!(
            serde_json::from_value::<Code>(serde_json::json!("from_the_future")).unwrap(),
            Code::Internal
        );
    }
}
