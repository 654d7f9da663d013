//! The counting allocator counts exactly the heap bytes a value keeps.

use fluxgate_bench::footprint::{CountingAllocator, Footprint, live_bytes, measure};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[test]
fn measure_counts_heap_and_size() {
    let footprint = measure(|| Some(vec![0u8; 1_000]));
    assert_eq!(
        footprint,
        Some(Footprint {
            inline: 24,
            heap: 1_000,
        })
    );
    assert_eq!(footprint.map(|footprint| footprint.total()), Some(1_024));

    let before = live_bytes();
    let boxed = Box::new([0u64; 16]);
    assert_eq!(live_bytes() - before, 128);
    drop(boxed);
    assert_eq!(live_bytes(), before);

    assert_eq!(measure(|| None::<Vec<u8>>), None);
}
