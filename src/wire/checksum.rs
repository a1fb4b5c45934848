//! The internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of
//! the data taken as big-endian 16-bit words, an odd final byte padded with zero.
//!
//! IPv4 (RFC 791 §3.1, "Header Checksum") sums its header; ICMP (RFC 792) the whole message; UDP
//! (RFC 768) and TCP (RFC 9293 §3.1, "Checksum") prefix a pseudo-header of source address,
//! destination address, zero, protocol and length, built by [`pseudo_header`].
//!
//! [`Checksum`] accumulates incrementally (RFC 1071 §2(B), the sum is associative and
//! commutative), so a header and a payload held in different buffers can be summed without
//! copying. A received packet verifies when the sum over it, checksum field included, finishes
//! to zero.

use super::ipv4::IpProtocol;
use std::net::Ipv4Addr;

/// A running one's complement sum.
///
/// Bytes may be added in pieces of any length, odd ones included: the result is that of adding
/// their concatenation at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checksum {
    /// The sum so far, folded to 16 bits.
    sum: u16,
    /// A byte from an odd-length piece, still waiting for its partner.
    pending: Option<u8>,
}

/// Folds the carries of a wide sum back into 16 bits (end-around carry, RFC 1071 §2(A)).
fn fold(mut sum: u64) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    // The loop leaves at most 16 significant bits.
    sum as u16
}

/// The sum of the whole big-endian 16-bit words of `data` (an odd final byte is left out),
/// folded to 16 bits.
///
/// RFC 1071 §2(C), "parallel summation": the data is summed as 32-bit words; since
/// 2^16 ≡ 1 modulo 2^16 − 1, a 32-bit word contributes the same as its two 16-bit halves once
/// the total is folded. §2(B), "byte order independence": the words are read in the machine's
/// own byte order and only the folded sum is swapped, so the loop needs no byte swaps and the
/// compiler vectorizes it.
fn sum_words(data: &[u8]) -> u16 {
    let mut acc = 0u64;
    let mut quads = data.chunks_exact(4);
    for q in &mut quads {
        acc += u64::from(u32::from_ne_bytes([q[0], q[1], q[2], q[3]]));
    }
    if let [a, b, ..] = *quads.remainder() {
        acc += u64::from(u16::from_ne_bytes([a, b]));
    }
    u16::from_be(fold(acc))
}

impl Checksum {
    /// An empty sum.
    pub const fn new() -> Self {
        Checksum {
            sum: 0,
            pending: None,
        }
    }

    /// Adds bytes, continuing any odd byte left by the previous piece.
    pub fn add_bytes(&mut self, mut data: &[u8]) -> &mut Self {
        let mut acc = u64::from(self.sum);
        if let Some(high) = self.pending
            && let Some((&low, rest)) = data.split_first()
        {
            acc += u64::from(u16::from_be_bytes([high, low]));
            self.pending = None;
            data = rest;
        }
        // Blocks of at most 1 MiB keep the 64-bit accumulator from overflowing.
        for block in data.chunks(1 << 20) {
            acc = u64::from(fold(acc + u64::from(sum_words(block))));
        }
        if data.len() % 2 == 1 {
            self.pending = data.last().copied();
        }
        self.sum = fold(acc);
        self
    }

    /// Adds a big-endian 16-bit word.
    pub fn add_u16(&mut self, word: u16) -> &mut Self {
        self.add_bytes(&word.to_be_bytes())
    }

    /// Adds a big-endian 32-bit word.
    pub fn add_u32(&mut self, word: u32) -> &mut Self {
        self.add_bytes(&word.to_be_bytes())
    }

    /// The one's complement sum of everything added, an odd final byte padded with zero.
    pub fn sum(&self) -> u16 {
        let tail = self.pending.map_or(0, |high| u16::from_be_bytes([high, 0]));
        fold(u64::from(self.sum) + u64::from(tail))
    }

    /// The checksum: the one's complement of [`sum`](Self::sum). Over data that includes a
    /// correct checksum field this is zero.
    pub fn finish(&self) -> u16 {
        !self.sum()
    }
}

/// The checksum of `data` in one call.
pub fn checksum(data: &[u8]) -> u16 {
    Checksum::new().add_bytes(data).finish()
}

/// The sum of the IPv4 pseudo-header that UDP (RFC 768) and TCP (RFC 9293 §3.1) prefix to their
/// segment: source address, destination address, a zero byte, the protocol number and the length
/// of the UDP datagram or TCP segment (header plus data).
pub fn pseudo_header(src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol, length: u16) -> Checksum {
    let mut sum = Checksum::new();
    sum.add_bytes(&src.octets())
        .add_bytes(&dst.octets())
        .add_bytes(&[0, u8::from(protocol)])
        .add_u16(length);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The worked example of RFC 1071 §3.
    #[test]
    fn rfc1071_example() {
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(Checksum::new().add_bytes(&data).sum(), 0xddf2);
        assert_eq!(checksum(&data), !0xddf2);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(
            checksum(&[0x12, 0x34, 0x56]),
            checksum(&[0x12, 0x34, 0x56, 0x00])
        );
        assert_eq!(checksum(&[0xab]), !0xab00);
    }

    #[test]
    fn empty_data_checksums_to_all_ones() {
        assert_eq!(checksum(&[]), 0xffff);
    }

    #[test]
    fn carries_wrap_around() {
        // 0xffff + 0x0001 = 0x1_0000, which folds to 0x0001.
        assert_eq!(Checksum::new().add_u16(0xffff).add_u16(1).sum(), 1);
    }

    /// A real IPv4 header (from RFC 1071-style hand computation): it verifies with its checksum
    /// and the checksum field holds the computed value.
    #[test]
    fn known_ipv4_header() {
        let mut header = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(checksum(&header), 0xb861);
        header[10..12].copy_from_slice(&0xb861u16.to_be_bytes());
        assert_eq!(checksum(&header), 0);
    }

    #[test]
    fn pseudo_header_sums_its_fields() {
        let sum = pseudo_header(
            Ipv4Addr::new(10, 0, 0, 1),
            Ipv4Addr::new(10, 0, 0, 2),
            IpProtocol::Tcp,
            20,
        );
        let explicit = [10, 0, 0, 1, 10, 0, 0, 2, 0, 6, 0, 20];
        assert_eq!(sum.finish(), checksum(&explicit));
    }

    proptest! {
        #[test]
        fn pieces_sum_like_the_whole(data in proptest::collection::vec(any::<u8>(), 0..300),
                                     cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(data.len() + 1)).collect();
            points.sort_unstable();
            let mut sum = Checksum::new();
            let mut start = 0;
            for p in points {
                sum.add_bytes(&data[start..p]);
                start = p;
            }
            sum.add_bytes(&data[start..]);
            prop_assert_eq!(sum.finish(), checksum(&data));
        }

        #[test]
        fn summing_by_32_bit_words_equals_rfc1071_16_bit_summation(
            data in proptest::collection::vec(any::<u8>(), 0..3000),
        ) {
            // The definition, word by word with the end-around carry at every step.
            let mut sum: u32 = 0;
            for word in data.chunks(2) {
                let w = u16::from_be_bytes([word[0], word.get(1).copied().unwrap_or(0)]);
                sum += u32::from(w);
                if sum > 0xffff {
                    sum -= 0xffff;
                }
            }
            prop_assert_eq!(Checksum::new().add_bytes(&data).sum(), sum as u16);
        }

        #[test]
        fn data_with_its_checksum_verifies(mut data in proptest::collection::vec(any::<u8>(), 2..300)) {
            // Place the checksum in the first word, as the protocols do.
            data[0] = 0;
            data[1] = 0;
            let c = checksum(&data);
            data[..2].copy_from_slice(&c.to_be_bytes());
            prop_assert_eq!(checksum(&data), 0);
        }
    }
}
