//! Time per call, honest under any clock. Browsers coarsen `performance.now()` for pages that are
//! not cross-origin isolated (Chromium to 0.1 ms, Firefox and WebKit to 1 ms or more), so a small
//! model's single call times as 0. We measure the clock's resolution, then time as many calls in
//! a row as fill a window of at least [`TICKS_PER_WINDOW`] ticks, and report the median window's
//! time per call. What a whole window cannot resolve is reported as a bound, never as 0.

use std::future::Future;

use burn::prelude::*;
use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::model::Classifier;

/// A window lasts at least this many ticks of the clock, so rounding to a tick moves a result
/// by 2% at most.
pub const TICKS_PER_WINDOW: f64 = 50.0;
/// ...and at least this long, so one window spans many calls of a fast model even under a fine
/// clock (natively the resolution is well under a microsecond).
const MIN_WINDOW_MS: f64 = 5.0;
/// Windows timed; the result is their median.
const WINDOWS: usize = 5;
/// Untimed calls first (kernel compilation, allocator and JIT warm-up).
const WARMUP: usize = 3;
/// A window never holds more calls than this (a model too fast for this many to fill a window is
/// reported as a bound).
const MAX_CALLS_PER_WINDOW: usize = 1 << 14;

/// The batch sizes every model is timed at: one image, as a user drawing a digit waits for it,
/// and [`THROUGHPUT_BATCH`], whose time per image the comparison reports.
pub const LATENCY_BATCHES: [usize; 2] = [1, THROUGHPUT_BATCH];
/// The batch at which per-image time is compared (also the benchmarks').
pub const THROUGHPUT_BATCH: usize = 256;

/// Time of one call on this backend, as measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Timing {
    /// Median over the windows of (window time ÷ calls in it). When not `resolved`, an upper
    /// bound: a whole window took less than one tick.
    pub ms: f64,
    /// Whether the clock resolved it (a window lasted at least a tick).
    pub resolved: bool,
    /// The clock's resolution, as measured before timing (ms).
    pub clock_ms: f64,
    pub calls_per_window: usize,
    pub windows: usize,
    pub warmup: usize,
}

/// Inference time of one batch size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Latency {
    pub batch_size: usize,
    /// One call: upload, forward, argmax and read back (so GPU work is finished).
    pub ms_per_batch: f64,
    pub ms_per_image: f64,
    #[serde(flatten)]
    pub timing: Timing,
}

/// A model's latency at each of [`LATENCY_BATCHES`].
#[cfg_attr(target_family = "wasm", tsify::declare)]
pub type LatencyProfile = Vec<Latency>;

/// The smallest step of the clock, ms: the gap between two changes of `Instant::now()` (the
/// least of three tries).
pub fn clock_resolution_ms() -> f64 {
    let tick = || {
        let start = Instant::now();
        let mut a = Instant::now();
        while a == start {
            a = Instant::now();
        }
        let mut b = Instant::now();
        while b == a {
            b = Instant::now();
        }
        (b - a).as_secs_f64() * 1000.0
    };
    (0..3).map(|_| tick()).fold(f64::INFINITY, f64::min)
}

/// Times `call` (awaited each time): [`WARMUP`] untimed calls, then [`WINDOWS`] windows of as
/// many calls as fill `max(TICKS_PER_WINDOW × resolution, MIN_WINDOW_MS)`.
pub async fn time_calls<F, Fut>(mut call: F) -> Result<Timing>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    for _ in 0..WARMUP {
        call().await?;
    }
    let clock_ms = clock_resolution_ms();
    let target_ms = (TICKS_PER_WINDOW * clock_ms).max(MIN_WINDOW_MS);
    // Grow the window until it lasts the target (its calls count as warm-up).
    let mut calls = 1;
    loop {
        let took = window(&mut call, calls).await?;
        if took >= target_ms || calls >= MAX_CALLS_PER_WINDOW {
            break;
        }
        let scale = if took > 0.0 { target_ms / took } else { 16.0 };
        calls =
            ((calls as f64 * scale * 1.2).ceil() as usize).clamp(calls + 1, MAX_CALLS_PER_WINDOW);
    }
    let mut per_call = Vec::with_capacity(WINDOWS);
    let mut shortest = f64::INFINITY;
    for _ in 0..WINDOWS {
        let took = window(&mut call, calls).await?;
        shortest = shortest.min(took);
        per_call.push(took / calls as f64);
    }
    let resolved = shortest >= clock_ms;
    let ms = if resolved {
        median(&mut per_call)
    } else {
        clock_ms / calls as f64
    };
    Ok(Timing {
        ms,
        resolved,
        clock_ms,
        calls_per_window: calls,
        windows: WINDOWS,
        warmup: WARMUP,
    })
}

/// Wall time of `calls` calls in a row, ms.
async fn window<F, Fut>(call: &mut F, calls: usize) -> Result<f64>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let start = Instant::now();
    for _ in 0..calls {
        call().await?;
    }
    Ok(start.elapsed().as_secs_f64() * 1000.0)
}

/// Time of `model` classifying the first `batch_size` images of `data`: forward, argmax and the
/// predictions read back to the host.
pub async fn measure_latency(
    model: &impl Classifier,
    data: &Mnist,
    batch_size: usize,
    device: &Device,
) -> Result<Latency> {
    let batch_size = batch_size.min(data.len()).max(1);
    let images = data.range_tensor(0..batch_size, device);
    let timing = time_calls(|| {
        let predictions = model.logits(images.clone()).argmax(1);
        async move {
            predictions
                .into_data_async()
                .await
                .map(|_| ())
                .map_err(|e| Error::Device(format!("reading a prediction back failed: {e:?}")))
        }
    })
    .await?;
    Ok(Latency {
        batch_size,
        ms_per_batch: timing.ms,
        ms_per_image: timing.ms / batch_size as f64,
        timing,
    })
}

/// `model`'s latency at each of [`LATENCY_BATCHES`], on `test`'s first images: what the page,
/// the report and the benchmark show.
pub async fn latency_profile(
    model: &impl Classifier,
    test: &Mnist,
    device: &Device,
) -> Result<LatencyProfile> {
    let mut profile = Vec::with_capacity(LATENCY_BATCHES.len());
    for batch in LATENCY_BATCHES {
        profile.push(measure_latency(model, test, batch, device).await?);
    }
    Ok(profile)
}

/// The median of `values` (sorted in place); 0 when empty.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}
