//! Transparent huge pages for the two buffers of a large response: its body
//! and the long array it holds (a list's `data`).
//!
//! A fresh buffer's memory reaches the process a 4 KiB page at a time, one
//! page fault each. For a 21.6 MB list of 100,000 files that was 40 % of the
//! CPU of the whole call (perf, 2026-11-30): about 5,300 faults for the body
//! and 4,900 for the `Vec` of files, each paid as the bytes are first
//! written. Faulting the same pages in earlier (`MADV_POPULATE_WRITE`) did
//! not help: the cost is per page, not when it is paid. Asking for 2 MiB
//! pages (`MADV_HUGEPAGE`) makes it one fault per 2 MiB; the list read took
//! 0.55 × async-openai's CPU instead of 0.79 × (`farm-bench -n 15`,
//! 2026-11-30).
//!
//! Only buffers of at least [`LARGE`] bytes are advised, and only on Linux;
//! elsewhere, and where the kernel has no transparent huge pages or has them
//! switched off (`never`), the advice does nothing and the buffers are
//! ordinary ones. Memory grows by at most one 2 MiB page per buffer (the last
//! one touched is backed whole).

/// Buffers at least this large are advised (smaller ones hold one 2 MiB
/// page at most, which a single advice call does not pay back).
pub(crate) const LARGE: usize = 4 << 20;

/// The size of a transparent huge page on x86-64 and (with 4 KiB base
/// pages) aarch64.
const HUGE_PAGE: usize = 2 << 20;

/// Advises the kernel to back `bytes` bytes of memory at `start` (a buffer
/// the caller owns) with huge pages: the whole 2 MiB pages inside it, which
/// is all the kernel can use. Does nothing for buffers under [`LARGE`].
///
/// The advice never changes the memory's contents, so this is safe for any
/// range of the process's own memory; errors (no THP in the kernel) are
/// ignored: the pages are then ordinary ones, as without the call.
pub(crate) fn advise(start: *const u8, bytes: usize) {
    if let Some((first, len)) = whole_huge_pages(start as usize, bytes) {
        advise_range(first, len);
    }
}

/// The whole huge pages inside `bytes` bytes at `start` (first address,
/// length), when the buffer is [`LARGE`] and holds any.
fn whole_huge_pages(start: usize, bytes: usize) -> Option<(usize, usize)> {
    if bytes < LARGE {
        return None;
    }
    let first = start.next_multiple_of(HUGE_PAGE);
    let end = (start + bytes) / HUGE_PAGE * HUGE_PAGE;
    (end > first).then_some((first, end - first))
}

#[cfg(target_os = "linux")]
fn advise_range(first: usize, len: usize) {
    // SAFETY: `first..first + len` lies inside an allocation the caller owns
    // (whole pages of it, page-aligned), and `MADV_HUGEPAGE` only changes how
    // the kernel backs those pages, never what they hold.
    let _ = unsafe { libc::madvise(first as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
}

#[cfg(not(target_os = "linux"))]
fn advise_range(_first: usize, _len: usize) {}

/// Whether the kernel took the advice for the memory at `address`: its
/// mapping is marked `hg` in `/proc/self/smaps`. `None` where that cannot
/// be known (not Linux, or a kernel without transparent huge pages).
#[cfg(test)]
pub(crate) fn advised(address: *const u8) -> Option<bool> {
    if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
        return None;
    }
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let address = address as usize;
    let mut inside = false;
    for line in smaps.lines() {
        let range = line.split_whitespace().next().unwrap_or("");
        if let Some((from, to)) = range.split_once('-') {
            if let (Ok(from), Ok(to)) = (
                usize::from_str_radix(from, 16),
                usize::from_str_radix(to, 16),
            ) {
                inside = (from..to).contains(&address);
                continue;
            }
        }
        if let Some(flags) = line.strip_prefix("VmFlags:") {
            if inside {
                return Some(flags.split_whitespace().any(|flag| flag == "hg"));
            }
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_huge_pages_of_large_buffers_are_advised() {
        const MIB: usize = 1 << 20;
        // Small buffers are left alone; large ones give their 2 MiB-aligned
        // inside, and none when they hold no whole huge page.
        assert_eq!(whole_huge_pages(HUGE_PAGE, LARGE - 1), None);
        assert_eq!(whole_huge_pages(HUGE_PAGE, LARGE), Some((HUGE_PAGE, LARGE)));
        assert_eq!(whole_huge_pages(3 * MIB, LARGE), Some((4 * MIB, 2 * MIB)));
        assert_eq!(
            whole_huge_pages(3 * MIB + 16, 5 * MIB),
            Some((4 * MIB, 4 * MIB))
        );
        // And the kernel takes the advice, where it has huge pages.
        let large = vec![0u8; 3 * LARGE];
        advise(large.as_ptr(), large.len());
        if let Some(advised) = advised(large.as_ptr().wrapping_add(2 * HUGE_PAGE)) {
            assert!(
                advised,
                "a {} MiB buffer was not advised",
                (3 * LARGE) >> 20
            );
        }
    }
}
