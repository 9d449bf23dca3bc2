//! Process-wide allocator settings, applied by the binary before any thread starts.

/// Let all threads share two glibc malloc arenas instead of one per thread.
///
/// Why: glibc gives each rayon worker its own arena, and what a worker frees
/// (decode buffers, parse trees) stays in that arena, unusable by the others.
/// With two arenas the peak resident memory of a 5,000-image scan fell by
/// 4–5 MB (about a tenth) and stopped growing as fast with the site, and the
/// scan was no slower (BENCHMARKS.md, "Allocator arenas"). A `MALLOC_ARENA_MAX`
/// set in the environment is left to win.
pub fn share_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes malloc's tunables; it is called from
        // main before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
