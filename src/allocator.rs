//! Process-wide allocator settings: arenas, applied by the binary before any
//! thread starts, and trimming, called by the pipeline between phases.

/// Let the threads share a few glibc malloc arenas instead of one each.
///
/// Why: glibc gives each rayon worker an arena of its own, and what a worker
/// frees (decode buffers, parse trees) stays in that arena, unusable by the
/// others. On 2 cores, two shared arenas took 3–5 MB (a tenth) off the peak
/// resident memory of a 1,000- to 5,000-image scan, and most of its growth with
/// the site, at no cost in speed (BENCHMARKS.md, sixth session). Past 8 cores
/// there is one arena per 4 threads, so that workers seldom wait on a lock;
/// that ratio is not measured here (2 cores). An arena limit set in the
/// environment (`MALLOC_ARENA_MAX`, or `glibc.malloc.arena_max` in
/// `GLIBC_TUNABLES`) wins.
pub fn share_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none()
        && !std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("glibc.malloc.arena_max"))
    {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let arenas = threads.div_ceil(4).max(2);
        // SAFETY: mallopt only changes malloc's tunables; it is called from
        // main before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas as libc::c_int);
        }
    }
}

/// Hand memory the allocator holds free back to the system.
///
/// Why: glibc keeps what a phase freed (the records and read buffers of
/// thousands of images) and lays the next phase's allocations around it, so
/// peak resident memory still grew with the site after the records left for
/// the spill. Trimmed once there, a 5,000-image scan's peak fell 2–3 MB and
/// no longer grows with the number of images (BENCHMARKS.md, seventh
/// session). Elsewhere than glibc, nothing to do.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it is safe from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
