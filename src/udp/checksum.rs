//! The UDP checksum decisions of RFC 768 and RFC 1122 §4.1.3.4. The one's complement sum itself
//! is byte work and lives with the wire codec; these rules take its result.

/// What a received checksum field says about a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChecksumVerdict {
    /// The field is zero: the sender computed no checksum (RFC 768). Accepted.
    NotComputed,
    /// The field matches the computed checksum. Accepted.
    Valid,
    /// The field does not match: RFC 1122 §4.1.3.4, the datagram MUST be silently discarded.
    Invalid,
}

impl ChecksumVerdict {
    /// Is a datagram with this verdict accepted?
    pub fn accepted(self) -> bool {
        !matches!(self, ChecksumVerdict::Invalid)
    }
}

/// The checksum field to transmit, given the checksum computed over the pseudo-header, header
/// (with a zero checksum field) and data, or `None` when the sender computes none.
///
/// RFC 768: a computed checksum of zero is transmitted as all ones (its one's complement
/// equivalent), because an all-zero field means "no checksum". RFC 1122 §4.1.3.4: a host MUST
/// be able to generate checksums and MUST do so by default; not computing one is an application
/// option (MAY).
pub fn transmitted_checksum(computed: Option<u16>) -> u16 {
    match computed {
        None => 0,
        Some(0) => 0xFFFF,
        Some(c) => c,
    }
}

/// Judges a received checksum `field` against the checksum `computed` by the receiver over the
/// pseudo-header, header (with the field taken as zero) and data.
///
/// RFC 768: a zero field means none was computed, and the datagram is accepted. Otherwise the
/// field must equal the computed value, where 0xFFFF and 0x0000 are the two one's complement
/// representations of zero (a sender transmits a computed zero as 0xFFFF). RFC 1122 §4.1.3.4:
/// a datagram with a bad checksum MUST be silently discarded.
pub fn verify_checksum(field: u16, computed: u16) -> ChecksumVerdict {
    if field == 0 {
        ChecksumVerdict::NotComputed
    } else if field == computed || (field == 0xFFFF && computed == 0) {
        ChecksumVerdict::Valid
    } else {
        ChecksumVerdict::Invalid
    }
}
