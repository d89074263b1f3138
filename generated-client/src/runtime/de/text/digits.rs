//! Reading a run of decimal digits eight at a time.
//!
//! The integers of an API response are mostly timestamps and sizes (ten
//! digits for `created`), and a float's digits are as many (an embedding's
//! `-0.0069292835`). One digit at a time is a multiply and an add on one
//! chain per digit; here eight bytes are checked at once and their value
//! made by three multiplies (the technique of simdjson's
//! `parse_eight_digits_unrolled`, on a 64-bit word rather than SIMD).

/// Powers of ten that fit 64 bits, for making room for the next `k` digits.
const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// Each byte of a word, repeated.
const fn each(byte: u8) -> u64 {
    u64::from_le_bytes([byte; 8])
}

/// Reads the ASCII digits from `at` on into `value` (as `value * 10 + d`
/// for each digit `d`, wrapping) and gives the value and where the digits
/// end. Wrapping is the caller's to rule out: up to 19 digits read into 0
/// cannot wrap.
#[inline(always)]
pub(super) fn digit_run(text: &[u8], mut at: usize, mut value: u64) -> (u64, usize) {
    while let Some(chunk) = text.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let count = leading_digits(word);
        if count == 0 {
            return (value, at);
        }
        value = value
            .wrapping_mul(POW10[count])
            .wrapping_add(value_of(word, count));
        at += count;
        if count < 8 {
            return (value, at);
        }
    }
    // Fewer than eight bytes left (the end of the document).
    while let Some(&digit @ b'0'..=b'9') = text.get(at) {
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'));
        at += 1;
    }
    (value, at)
}

/// How many of `word`'s bytes, from its first in memory (its lowest), are
/// ASCII digits before the first that is not.
#[inline(always)]
fn leading_digits(word: u64) -> usize {
    // A digit is 0x30..=0x39: its high nibble is 3, and still 3 after
    // adding 6. (The add carries out of a byte only from 0xFA up, which is
    // no digit, and a carry moves only into the bytes after it.)
    let high = word & each(0xF0);
    let shifted = word.wrapping_add(each(0x06)) & each(0xF0);
    let not_digits = (high ^ each(0x30)) | (shifted ^ each(0x30));
    (not_digits.trailing_zeros() / 8) as usize
}

/// The value of the first `count` (1 to 8) bytes of `word`, all digits, the
/// first the most significant.
#[inline(always)]
fn value_of(word: u64, count: usize) -> u64 {
    // Subtracting '0' from each byte borrows only from the non-digit bytes,
    // which are after the digits and shifted out: the digits move to the
    // top and zeros, as leading digits, come in below them.
    let digits = word.wrapping_sub(each(b'0')) << (8 * (8 - count));
    // Pairs, then fours, then all eight: each step weighs the earlier half
    // by the power of ten the later half spans.
    let pairs = (digits.wrapping_mul(10) + (digits >> 8)) & each_pair(0xFF);
    let fours = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    (fours.wrapping_mul(10_000) + (fours >> 32)) & 0xFFFF_FFFF
}

/// `byte` in every other byte of a word, from the first.
const fn each_pair(byte: u8) -> u64 {
    u64::from_le_bytes([byte, 0, byte, 0, byte, 0, byte, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text`'s digits from 0 one at a time, as the reader did before.
    fn one_at_a_time(text: &[u8], start: usize) -> (u64, usize) {
        let mut at = start;
        let mut value = 0u64;
        while let Some(&digit @ b'0'..=b'9') = text.get(at) {
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'));
            at += 1;
        }
        (value, at)
    }

    #[test]
    fn runs_of_every_length_read_as_one_digit_at_a_time_reads_them() {
        // Every run length from 0 to 25 digits (past what 64 bits hold, so
        // wrapping too), at every offset into the first word, followed by
        // each kind of byte that ends a number, or by the end of the text.
        let digits = b"9876543210123456789012345";
        let ends: [&[u8]; 10] = [
            b"",
            b",",
            b",\"next\":12345678}",
            b"}",
            b"]        ",
            b" ",
            b".5e10 ",
            b"e",
            b"/",
            b":",
        ];
        for len in 0..=digits.len() {
            for offset in 0..8 {
                for end in ends {
                    let mut text = b"-+-+-+-+".to_vec();
                    text.truncate(offset);
                    text.extend_from_slice(&digits[..len]);
                    text.extend_from_slice(end);
                    let want = one_at_a_time(&text, offset);
                    assert_eq!(
                        digit_run(&text, offset, 0),
                        want,
                        "{:?}",
                        String::from_utf8_lossy(&text)
                    );
                }
            }
        }
    }

    #[test]
    fn every_byte_value_is_a_digit_only_if_it_is_one() {
        for byte in 0..=255u8 {
            for at in 0..8 {
                let mut word = *b"12345678";
                word[at] = byte;
                let want = if byte.is_ascii_digit() { 8 } else { at };
                assert_eq!(
                    leading_digits(u64::from_le_bytes(word)),
                    want,
                    "{byte:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn values_of_eight_digits_and_of_their_prefixes() {
        for text in [
            b"00000000",
            b"99999999",
            b"12345678",
            b"10000001",
            b"90000009",
        ] {
            let word = u64::from_le_bytes(*text);
            for count in 1..=8 {
                let want: u64 = std::str::from_utf8(&text[..count])
                    .unwrap()
                    .parse()
                    .unwrap();
                assert_eq!(
                    value_of(word, count),
                    want,
                    "{count} of {:?}",
                    std::str::from_utf8(text)
                );
            }
        }
    }

    #[test]
    fn a_value_read_so_far_is_carried_on() {
        assert_eq!(digit_run(b"4567890123,", 0, 123), (1234567890123, 10));
        assert_eq!(digit_run(b"x", 0, 42), (42, 0));
    }
}
