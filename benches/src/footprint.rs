//! Memory of a breaker: the size of the value plus the heap bytes it keeps
//! live, counted by a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::mem::size_of;
use std::sync::atomic::{AtomicUsize, Ordering};

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

/// A global allocator that forwards to [`System`] and counts the bytes
/// live. Install it with `#[global_allocator]` in the binary that calls
/// [`measure`], because without it every heap figure reads 0.
#[derive(Debug)]
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees hold. The counter only observes.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract for `layout`.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            // Relaxed: a statistic that orders nothing.
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: `pointer` came from this allocator with `layout`.
        unsafe { System.dealloc(pointer, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `realloc`'s contract.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        }
        moved
    }
}

/// Returns the heap bytes live now, as [`CountingAllocator`] counts them.
pub fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// The memory of one breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    /// `size_of` the value itself.
    pub inline: usize,
    /// Heap bytes live after construction that were not live before.
    pub heap: usize,
}

impl Footprint {
    /// Returns the inline and heap bytes together.
    pub fn total(&self) -> usize {
        self.inline + self.heap
    }
}

/// Builds a value twice with `build` and measures the second one, so that
/// one-time global set-up (thread-locals, lazily created registries) is not
/// counted. Returns `None` when `build` does.
///
/// The count covers every thread, so call it while no other thread
/// allocates.
pub fn measure<T>(mut build: impl FnMut() -> Option<T>) -> Option<Footprint> {
    drop(build()?);
    let before = live_bytes();
    let value = build()?;
    let heap = live_bytes().saturating_sub(before);
    let footprint = Footprint {
        inline: size_of::<T>(),
        heap,
    };
    drop(value);
    Some(footprint)
}
