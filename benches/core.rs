//! Criterion benchmarks of the pure core.
use criterion::{Criterion, criterion_group, criterion_main};

fn task_id(c: &mut Criterion) {
    c.bench_function("task_id", |b| b.iter(|| tmux_ide::plan::task_id(std::hint::black_box(999))));
}

criterion_group!(benches, task_id);
criterion_main!(benches);
