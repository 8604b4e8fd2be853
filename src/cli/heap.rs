//! Heap settings for the one-shot commands that render (`helm template`, `kustomize build`).
//!
//! A render touches 5–10 MiB of fresh heap and then exits. With glibc's defaults each new
//! 4 KiB page costs a page fault (about 3 µs here), which made a third of `tk helm template`'s
//! time kernel time. Growing the heap in one large step marked for transparent huge pages
//! turns ~2 000 faults into a handful (measured: bitnami/redis 2 550 → 740 faults). The
//! controllers keep glibc's defaults: they are long-lived, and their memory should follow
//! their working set, not 2 MiB steps.

/// Applies the settings; a no-op where the C library is not glibc.
pub fn prepare_for_one_shot_render() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::grow_in_huge_pages();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    /// How much the heap grows at once: more than a render of the corpus charts needs, and
    /// only virtual until touched.
    const STEP: usize = 64 << 20;

    pub(super) fn grow_in_huge_pages() {
        // SAFETY: mallopt, mallinfo2, malloc, free, sbrk(0) and madvise are thread-safe
        // glibc calls; sbrk(0) only reads the break. The block is freed before returning.
        unsafe {
            // One arena: worker threads (template parsing, rendering) then allocate from
            // the same huge-page heap instead of an arena each, faulted in 4 KiB pages.
            libc::mallopt(libc::M_ARENA_MAX, 1);
            libc::mallopt(libc::M_TOP_PAD, STEP as libc::c_int);
            libc::mallopt(libc::M_TRIM_THRESHOLD, (2 * STEP) as libc::c_int);
            // Large strings and vectors come from the same heap rather than from mmap,
            // which would fault them in page by page and unmap them on free.
            libc::mallopt(libc::M_MMAP_THRESHOLD, (STEP / 2) as libc::c_int);
            // Force the heap to grow now by asking for a little more than its free top,
            // so the whole step can be marked at once.
            let top = libc::mallinfo2().keepcost;
            let block = libc::malloc(top + 4096);
            if block.is_null() {
                return;
            }
            let end = libc::sbrk(0) as usize;
            let page = 4096;
            let start = (block as usize) & !(page - 1);
            if end > start {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
            libc::free(block);
        }
    }
}
