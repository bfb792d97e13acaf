-- The SPLATS areas a printed pass was made for, as a JSON array: when the booking's
-- rooms or times change, the reconciler remakes the pass with the same QR (docs/passes.md).
ALTER TABLE guest_passes ADD COLUMN splats_area_ids TEXT NOT NULL DEFAULT '[]';
