//! TCP options (RFC 9293 §3.2, MUST-4 to MUST-7): End of Option List, No-Operation and Maximum
//! Segment Size, which every implementation must support, and the options of RFC 7323 (window
//! scale, timestamps) and RFC 2018 (SACK-permitted, SACK), which this codec reads and writes so
//! that the stack can decide what to do with them.
//!
//! On receipt, options of unknown kind are skipped by their length (MUST-6); a length that is
//! illegal (below 2, past the header, or wrong for a known kind) is [`Error::Malformed`], for the
//! stack to handle as MUST-7 asks. On emission each option is preceded by NOPs to a 4-byte
//! boundary, so the area needs no End of Option List or padding (MUST-69 does not arise).

use super::{HEADER_LEN, MAX_HEADER_LEN, Repr};
use crate::wire::{Error, read_u16, read_u32};

/// Option kinds (RFC 9293 §3.2; RFC 7323; RFC 2018).
mod kind {
    pub const END: u8 = 0;
    pub const NOP: u8 = 1;
    pub const MSS: u8 = 2;
    pub const WINDOW_SCALE: u8 = 3;
    pub const SACK_PERMITTED: u8 = 4;
    pub const SACK: u8 = 5;
    pub const TIMESTAMPS: u8 = 8;
}

/// One SACK block (RFC 2018 §3): the left and right edges of a received range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SackBlock {
    /// First sequence number of the block.
    pub left: u32,
    /// Sequence number just after the block.
    pub right: u32,
}

/// The timestamps option (RFC 7323 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Timestamps {
    /// TSval: the sender's clock.
    pub tsval: u32,
    /// TSecr: the TSval echoed back.
    pub tsecr: u32,
}

/// Reads the options into `repr`. Stops at End of Option List; the rest is padding.
pub(super) fn parse(mut rest: &[u8], repr: &mut Repr) -> Result<(), Error> {
    while let Some((&option, after)) = rest.split_first() {
        match option {
            kind::END => break,
            kind::NOP => {
                rest = after;
                continue;
            }
            _ => {}
        }
        let len = usize::from(
            *after
                .first()
                .ok_or(Error::Malformed("TCP option length missing"))?,
        );
        if len < 2 {
            return Err(Error::Malformed("TCP option length below 2"));
        }
        let body = rest
            .get(2..len)
            .ok_or(Error::Malformed("TCP option overruns the header"))?;
        match (option, body.len()) {
            (kind::MSS, 2) => repr.mss = Some(read_u16(body, 0)),
            (kind::MSS, _) => return Err(Error::Malformed("TCP MSS option length")),
            (kind::WINDOW_SCALE, 1) => repr.window_scale = Some(body[0]),
            (kind::WINDOW_SCALE, _) => return Err(Error::Malformed("TCP window scale length")),
            (kind::SACK_PERMITTED, 0) => repr.sack_permitted = true,
            (kind::SACK_PERMITTED, _) => {
                return Err(Error::Malformed("TCP SACK-permitted length"));
            }
            (kind::SACK, n) if n > 0 && n.is_multiple_of(8) => {
                repr.sack_blocks = body
                    .chunks_exact(8)
                    .map(|b| SackBlock {
                        left: read_u32(b, 0),
                        right: read_u32(b, 4),
                    })
                    .collect();
            }
            (kind::SACK, _) => return Err(Error::Malformed("TCP SACK option length")),
            (kind::TIMESTAMPS, 8) => {
                repr.timestamps = Some(Timestamps {
                    tsval: read_u32(body, 0),
                    tsecr: read_u32(body, 4),
                });
            }
            (kind::TIMESTAMPS, _) => return Err(Error::Malformed("TCP timestamps length")),
            // Unknown kinds are skipped by their length.
            _ => {}
        }
        rest = &rest[len..];
    }
    Ok(())
}

/// Option space of a header: 40 bytes.
const MAX_OPTIONS_LEN: usize = MAX_HEADER_LEN - HEADER_LEN;

impl Repr {
    /// Option bytes other than SACK blocks, laid out as Linux lays them out: MSS (4), then
    /// SACK-permitted and timestamps together (2 + 10) or each after two NOPs, then NOP and
    /// window scale (4). A SYN with all four takes 20 octets.
    fn fixed_options_len(&self) -> usize {
        let ts = self.timestamps.is_some();
        4 * usize::from(self.mss.is_some())
            + 4 * usize::from(self.window_scale.is_some())
            + 12 * usize::from(ts)
            + 4 * usize::from(self.sack_permitted && !ts)
    }

    /// How many SACK blocks `emit` sends: all that fit, at most 4.
    fn sack_blocks_sent(&self) -> usize {
        let room = MAX_OPTIONS_LEN - self.fixed_options_len();
        // Two NOPs, kind and length take 4 bytes; each block 8.
        self.sack_blocks.len().min(room.saturating_sub(4) / 8)
    }

    /// Length of the options `emit` writes: a multiple of 4, at most 40.
    pub(super) fn options_len(&self) -> usize {
        let sack = match self.sack_blocks_sent() {
            0 => 0,
            n => 4 + 8 * n,
        };
        self.fixed_options_len() + sack
    }

    /// Writes the options into an area of exactly [`options_len`](Self::options_len) bytes,
    /// in Linux's order and packing (see [`fixed_options_len`](Self::fixed_options_len)), so
    /// that our SYN reads like a Linux SYN to any middlebox or dissector.
    pub(super) fn emit_options(&self, options: &mut [u8]) {
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            options[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        if let Some(mss) = self.mss {
            let [hi, lo] = mss.to_be_bytes();
            put(&[kind::MSS, 4, hi, lo]);
        }
        if let Some(ts) = self.timestamps {
            if self.sack_permitted {
                put(&[kind::SACK_PERMITTED, 2, kind::TIMESTAMPS, 10]);
            } else {
                put(&[kind::NOP, kind::NOP, kind::TIMESTAMPS, 10]);
            }
            put(&ts.tsval.to_be_bytes());
            put(&ts.tsecr.to_be_bytes());
        }
        if let Some(shift) = self.window_scale {
            put(&[kind::NOP, kind::WINDOW_SCALE, 3, shift]);
        }
        if self.sack_permitted && self.timestamps.is_none() {
            put(&[kind::NOP, kind::NOP, kind::SACK_PERMITTED, 2]);
        }
        let blocks = &self.sack_blocks[..self.sack_blocks_sent()];
        if !blocks.is_empty() {
            // At most 4 blocks: 2 + 32 fits a byte.
            put(&[
                kind::NOP,
                kind::NOP,
                kind::SACK,
                (2 + 8 * blocks.len()) as u8,
            ]);
            for block in blocks {
                put(&block.left.to_be_bytes());
                put(&block.right.to_be_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{CLIENT, LINUX_SYN, SERVER, refill, syn};
    use super::*;
    use crate::wire::tcp::Flags;

    /// Builds a SYN with the given option bytes (padded with EOL to a word).
    fn with_options(options: &[u8]) -> Vec<u8> {
        let mut bytes = LINUX_SYN[..20].to_vec();
        bytes.extend_from_slice(options);
        bytes.resize(20 + options.len().div_ceil(4) * 4, 0);
        bytes[12] = ((bytes.len() / 4) as u8) << 4;
        refill(&mut bytes);
        bytes
    }

    #[test]
    fn unknown_options_are_skipped_by_length() {
        // Kind 30 (MPTCP) with 6 bytes, then MSS.
        let bytes = with_options(&[30, 6, 1, 2, 3, 4, 2, 4, 0x02, 0x18]);
        let (repr, _) = Repr::parse_bytes(&bytes, CLIENT, SERVER).unwrap();
        assert_eq!(repr.mss, Some(536));
    }

    #[test]
    fn end_of_list_ends_parsing() {
        let bytes = with_options(&[0, 2, 1]);
        assert_eq!(
            Repr::parse_bytes(&bytes, CLIENT, SERVER).unwrap().0.mss,
            None
        );
    }

    #[test]
    fn illegal_option_lengths_are_malformed() {
        for (options, why) in [
            (&[30, 0][..], "TCP option length below 2"),
            (&[30, 1], "TCP option length below 2"),
            (&[1, 1, 1, 30], "TCP option length missing"),
            (&[30, 9, 0, 0], "TCP option overruns the header"),
            (&[2, 3, 5, 0], "TCP MSS option length"),
            (&[3, 4, 7, 0], "TCP window scale length"),
            (&[4, 3, 0, 0], "TCP SACK-permitted length"),
            (&[5, 6, 0, 0, 0, 0], "TCP SACK option length"),
            (&[5, 2], "TCP SACK option length"),
            (&[8, 6, 0, 0, 0, 0], "TCP timestamps length"),
        ] {
            let bytes = with_options(options);
            assert_eq!(
                Repr::parse_bytes(&bytes, CLIENT, SERVER),
                Err(Error::Malformed(why)),
                "{options:?}"
            );
        }
    }

    #[test]
    fn sack_blocks_round_trip() {
        let repr = Repr {
            flags: Flags::ACK,
            ack: crate::tcp::Seq(1000),
            mss: None,
            sack_blocks: vec![
                SackBlock {
                    left: 2000,
                    right: 3000,
                },
                SackBlock {
                    left: 4000,
                    right: 5000,
                },
            ],
            timestamps: Some(Timestamps { tsval: 1, tsecr: 2 }),
            ..syn()
        };
        let bytes = repr.to_bytes(&[], CLIENT, SERVER);
        assert_eq!(bytes.len(), 20 + 12 + 4 + 16);
        assert_eq!(Repr::parse_bytes(&bytes, CLIENT, SERVER).unwrap().0, repr);
    }

    #[test]
    fn sack_blocks_that_do_not_fit_are_not_sent() {
        let block = SackBlock { left: 1, right: 2 };
        let repr = Repr {
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some(Timestamps { tsval: 1, tsecr: 2 }),
            sack_blocks: vec![block; 4],
            ..syn()
        };
        // 20 bytes of other options (packed as Linux packs them) leave 20: room for two
        // blocks (4 + 2 * 8 bytes).
        assert_eq!(repr.header_len(), 20 + 20 + 20);
        let bytes = repr.to_bytes(&[], CLIENT, SERVER);
        let parsed = Repr::parse_bytes(&bytes, CLIENT, SERVER).unwrap().0;
        assert_eq!(parsed.sack_blocks, vec![block; 2]);
    }
}
