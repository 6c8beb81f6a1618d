//! Giving memory back after a run. A lab run hashes and verifies argon2id passwords (19 MiB each) on the
//! runtime's worker threads; glibc keeps such freed blocks in its per-thread arenas, so the app would stay
//! tens of MiB larger after its first run for no use. `malloc_trim` returns the free pages to the system.

/// Return freed heap memory to the OS (glibc only; a no-op elsewhere).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas and releases unused pages; it takes no pointers
    // and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}
