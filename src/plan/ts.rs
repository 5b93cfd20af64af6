//! Reading the timestamps of `tasks.json` fast: the store writes them as
//! `YYYY-MM-DDTHH:MM:SS[.f…]Z` (see `pretty::timestamp`), read here by hand; anything else
//! (offsets, leap seconds, other years) goes through jiff's RFC 3339 parser, so what is
//! accepted and what it means is jiff's. Thousands of tasks hold several each.
use jiff::Timestamp;
use serde::{Deserialize, Deserializer};

/// Parses `text` as jiff would.
pub fn parse(text: &str) -> Result<Timestamp, jiff::Error> {
    match canonical(text.as_bytes()) {
        Some((secs, nanos)) => Timestamp::new(secs, nanos),
        None => text.parse(),
    }
}

/// Seconds since the epoch and nanoseconds of `YYYY-MM-DDTHH:MM:SS[.d{1,9}]Z` for the
/// years 1970 to 9999, or `None` when the text is not exactly that with fields in range.
fn canonical(b: &[u8]) -> Option<(i64, i32)> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[b.len() - 1] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to]
            .iter()
            .try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let n = num(20, 20 + digits.len())?;
            n * 10i64.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if y < 1970 || !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let secs = ((days_from_civil(y, m, d) * 24 + h) * 60 + mi) * 60 + s;
    Some((secs, nanos as i32))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `#[serde(deserialize_with)]` for a [`Timestamp`]. The text is borrowed from the input
/// when it can be (owned only when it holds escapes).
pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    parse(&std::borrow::Cow::<'de, str>::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// `#[serde(deserialize_with)]` for an `Option<Timestamp>` (`null` is `None`).
pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
        Some(t) => parse(&t).map(Some).map_err(serde::de::Error::custom),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the store writes reads back as the same instant, as jiff reads it.
        #[test]
        fn a_written_timestamp_reads_back_as_jiff_reads_it(
            secs in 0..253_402_207_999i64,
            nanos in prop_oneof![Just(0i32), 0..1_000_000_000i32, (0..1000i32).prop_map(|ms| ms * 1_000_000)],
        ) {
            let at = Timestamp::new(secs, nanos).unwrap();
            let text = at.to_string();
            prop_assert_eq!(parse(&text).unwrap(), at);
            prop_assert_eq!(parse(&text).unwrap(), text.parse::<Timestamp>().unwrap());
        }

        /// Any text near the canonical form: the same verdict and instant as jiff's.
        #[test]
        fn near_misses_are_judged_as_jiff_judges_them(
            y in 0..10000u32, m in 0..14u32, d in 0..33u32, h in 0..26u32, mi in 0..62u32,
            s in 0..62u32, frac in "(\\.[0-9]{0,10})?", end in "(Z|z|\\+01:00|)",
        ) {
            let text = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{end}");
            let ours = parse(&text).ok();
            let theirs = text.parse::<Timestamp>().ok();
            prop_assert_eq!(ours, theirs, "{}", text);
        }
    }
}
