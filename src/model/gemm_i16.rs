//! Integer matrix products for the teacher's labelling pass: i16 × i16 products summed in i32.
//! One SIMD instruction computes eight multiply-adds: wasm SIMD128's `i32x4.dot_i16x8_s` and
//! x86-64's `pmaddwd` (SSE2, every x86-64 CPU) both give, for each 32-bit lane `i`,
//! `a[2i]·b[2i] + a[2i+1]·b[2i+1]`. f32 in SIMD128 has no fused multiply-add, so it takes two
//! instructions for four. Integer sums are exact: every platform, kernel and batch split gives
//! the same sums to the bit, as long as they cannot overflow, which the callers' bounds ensure
//! (`|a| · |b| · k ≤ i32::MAX`).
//!
//! The layout is the "broadcast a pair, multiply four columns" scheme of XNNPACK's `c2` integer
//! micro-kernels: a tile of [`ROWS`] rows × [`COLUMNS`] columns held in eight accumulators.

/// Rows of `a` per tile: callers pad `a` to a multiple of it.
pub const ROWS: usize = 4;
/// Columns per tile: two vectors of four i32 lanes.
pub const COLUMNS: usize = 8;

/// A `[k × n]` matrix of i16 packed for [`gemm`]: per tile of [`COLUMNS`] columns, per pair of
/// rows `2j, 2j+1`, sixteen values `b[2j][c], b[2j+1][c]` for each column `c` of the tile.
/// `k` is padded to even and `n` to a multiple of [`COLUMNS`], with zeros.
#[derive(Debug, Clone)]
pub struct PackedMatrix {
    pairs: usize,
    tiles: usize,
    data: Vec<i16>,
}

impl PackedMatrix {
    /// Packs the `[k × n]` matrix whose element at row `r`, column `c` is `value(r, c)`.
    pub fn pack(k: usize, n: usize, value: impl Fn(usize, usize) -> i16) -> Self {
        let pairs = k.div_ceil(2);
        let tiles = n.div_ceil(COLUMNS);
        let mut data = vec![0i16; tiles * pairs * 2 * COLUMNS];
        for tile in 0..tiles {
            for pair in 0..pairs {
                let at = (tile * pairs + pair) * 2 * COLUMNS;
                for lane in 0..COLUMNS {
                    let c = tile * COLUMNS + lane;
                    for half in 0..2 {
                        let r = 2 * pair + half;
                        if r < k && c < n {
                            data[at + 2 * lane + half] = value(r, c);
                        }
                    }
                }
            }
        }
        Self { pairs, tiles, data }
    }

    /// `k` rounded up to even: the row length [`gemm`] expects of `a`.
    pub fn depth(&self) -> usize {
        2 * self.pairs
    }

    /// `n` rounded up to a multiple of [`COLUMNS`]: the row length of [`gemm`]'s output.
    pub fn width(&self) -> usize {
        self.tiles * COLUMNS
    }
}

/// `out = a · b`: `a` is `rows × b.depth()` row-major with `rows` a multiple of [`ROWS`]; `out`
/// is `rows × b.width()` row-major.
pub fn gemm(a: &[i16], rows: usize, b: &PackedMatrix, out: &mut [i32]) {
    let (depth, width) = (b.depth(), b.width());
    assert!(rows.is_multiple_of(ROWS), "{rows} rows: pad them to {ROWS}");
    assert!(a.len() >= rows * depth, "a is {} values", a.len());
    assert!(out.len() >= rows * width, "out is {} values", out.len());
    let tile_len = b.pairs * 2 * COLUMNS;
    // Column tiles outside, row tiles inside: one tile of `b` (at most a few KB) stays in the
    // L1 cache while `a` streams past it.
    for tile in 0..b.tiles {
        let b_tile = &b.data[tile * tile_len..(tile + 1) * tile_len];
        for row in (0..rows).step_by(ROWS) {
            let a_rows = &a[row * depth..(row + ROWS) * depth];
            let out_at = row * width + tile * COLUMNS;
            let out_tile = &mut out[out_at..out_at + (ROWS - 1) * width + COLUMNS];
            // SAFETY: the three slices are cut to exactly what `tile` reads and writes:
            // ROWS rows of `depth = 2 · pairs` values, `pairs` pairs of 16, and ROWS rows of
            // COLUMNS outputs `width` apart.
            unsafe { kernel::tile(a_rows, depth, b_tile, b.pairs, out_tile, width) };
        }
    }
}

/// One tile: `out[r][0..8] = Σ_j a[r][2j..2j+2] · b_tile[j]` for the [`ROWS`] rows of `a`
/// (each `depth` long) and the tile's `pairs` pairs; `out`'s rows are `width` apart. Written once
/// over [`lanes`], the four operations each architecture names differently.
///
/// # Safety
/// `a` holds at least `ROWS · depth` values with `2 · pairs ≤ depth`, `b` at least
/// `16 · pairs`, and `out` at least `(ROWS − 1) · width + COLUMNS` ([`gemm`] cuts them so).
#[cfg(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
))]
mod kernel {
    use super::ROWS;
    use super::lanes::{dot_add, load, splat_pair, store, zero};

    #[inline(always)]
    pub unsafe fn tile(
        a: &[i16],
        depth: usize,
        b: &[i16],
        pairs: usize,
        out: &mut [i32],
        width: usize,
    ) {
        // SAFETY: the caller's contract bounds every offset read and written here.
        unsafe {
            let mut acc = [[zero(); 2]; ROWS];
            for j in 0..pairs {
                let (b0, b1) = (
                    load(b.as_ptr().add(16 * j)),
                    load(b.as_ptr().add(16 * j + 8)),
                );
                for (r, acc) in acc.iter_mut().enumerate() {
                    let x = splat_pair(a.as_ptr().add(r * depth + 2 * j));
                    acc[0] = dot_add(acc[0], x, b0);
                    acc[1] = dot_add(acc[1], x, b1);
                }
            }
            for (r, acc) in acc.iter().enumerate() {
                store(out.as_mut_ptr().add(r * width), acc[0]);
                store(out.as_mut_ptr().add(r * width + 4), acc[1]);
            }
        }
    }
}

/// A 128-bit vector: eight i16 (`load`, `splat_pair`: one pair repeated) or four i32 sums
/// (`zero`, `dot_add`: `acc[i] + x[2i]·b[2i] + x[2i+1]·b[2i+1]`, `store`). Pointers are
/// unaligned; each call reads or writes 16 bytes (`splat_pair`: 4).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;

    #[inline(always)]
    pub unsafe fn zero() -> v128 {
        i32x4_splat(0)
    }
    #[inline(always)]
    pub unsafe fn load(p: *const i16) -> v128 {
        unsafe { v128_load(p as *const v128) }
    }
    #[inline(always)]
    pub unsafe fn splat_pair(p: *const i16) -> v128 {
        unsafe { v128_load32_splat(p as *const u32) }
    }
    #[inline(always)]
    pub unsafe fn dot_add(acc: v128, x: v128, b: v128) -> v128 {
        i32x4_add(acc, i32x4_dot_i16x8(x, b))
    }
    #[inline(always)]
    pub unsafe fn store(p: *mut i32, v: v128) {
        unsafe { v128_store(p as *mut v128, v) }
    }
}

/// As the wasm `lanes`, on SSE2 (part of every x86-64 CPU): `pmaddwd` is `i32x4.dot_i16x8_s`.
#[cfg(target_arch = "x86_64")]
mod lanes {
    use core::arch::x86_64::*;

    #[inline(always)]
    pub unsafe fn zero() -> __m128i {
        unsafe { _mm_setzero_si128() }
    }
    #[inline(always)]
    pub unsafe fn load(p: *const i16) -> __m128i {
        unsafe { _mm_loadu_si128(p as *const __m128i) }
    }
    #[inline(always)]
    pub unsafe fn splat_pair(p: *const i16) -> __m128i {
        unsafe { _mm_set1_epi32((p as *const i32).read_unaligned()) }
    }
    #[inline(always)]
    pub unsafe fn dot_add(acc: __m128i, x: __m128i, b: __m128i) -> __m128i {
        unsafe { _mm_add_epi32(acc, _mm_madd_epi16(x, b)) }
    }
    #[inline(always)]
    pub unsafe fn store(p: *mut i32, v: __m128i) {
        unsafe { _mm_storeu_si128(p as *mut __m128i, v) }
    }
}

#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
mod kernel {
    use super::{COLUMNS, ROWS};

    pub unsafe fn tile(
        a: &[i16],
        depth: usize,
        b: &[i16],
        pairs: usize,
        out: &mut [i32],
        width: usize,
    ) {
        for r in 0..ROWS {
            let mut acc = [0i32; COLUMNS];
            for j in 0..pairs {
                let (x0, x1) = (a[r * depth + 2 * j] as i32, a[r * depth + 2 * j + 1] as i32);
                for (c, acc) in acc.iter_mut().enumerate() {
                    let w = &b[16 * j + 2 * c..16 * j + 2 * c + 2];
                    *acc += x0 * w[0] as i32 + x1 * w[1] as i32;
                }
            }
            out[r * width..r * width + COLUMNS].copy_from_slice(&acc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_is_the_textbook_sum_for_odd_sizes_and_extreme_values() {
        let (rows, k, n) = (8, 7, 11);
        let a_value = |r: usize, c: usize| ((r * 31 + c * 17) % 200) as i16 - 100;
        let b_value = |r: usize, c: usize| match (r + c) % 3 {
            0 => i16::MAX,
            1 => -i16::MAX,
            _ => (r * 7 + c) as i16,
        };
        let b = PackedMatrix::pack(k, n, b_value);
        let mut a = vec![0i16; rows * b.depth()];
        for r in 0..rows {
            for c in 0..k {
                a[r * b.depth() + c] = a_value(r, c);
            }
        }
        let mut out = vec![0i32; rows * b.width()];
        gemm(&a, rows, &b, &mut out);
        for r in 0..rows {
            for c in 0..n {
                let want: i32 = (0..k)
                    .map(|i| a_value(r, i) as i32 * b_value(i, c) as i32)
                    .sum();
                assert_eq!(out[r * b.width() + c], want, "row {r}, column {c}");
            }
        }
    }
}
