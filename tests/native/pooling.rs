//! The CPU backend's 2×2 max pooling (the CNN student's), which takes a fast path in the
//! patched burn-flex (vendor/burn-flex): the same maxima, the first maximum of a window in
//! row-major order on ties, a NaN winning, and the gradient routed to the chosen pixel.

use burn::prelude::*;
use burn::tensor::ops::MaxPoolOptions;

#[test]
fn two_by_two_pooling_keeps_values_ties_nan_and_routes_the_gradient() {
    let device = Device::flex().autodiff();
    #[rustfmt::skip]
    let values = [
        1.0, 5.0,   2.0, 2.0,   9.0,
        3.0, 4.0,   2.0, 2.0,   9.0,
        0.0, f32::NAN, 7.0, 8.0, 9.0,
        6.0, 1.0,   8.0, 7.0,   9.0,
        9.0, 9.0,   9.0, 9.0,   9.0,
    ];
    let x = Tensor::<1>::from_floats(values, &device)
        .reshape([1, 1, 5, 5])
        .require_grad();
    let pooled = burn::tensor::module::max_pool2d(x.clone(), MaxPoolOptions::new([2, 2]));
    assert_eq!(pooled.dims(), [1, 1, 2, 2]);
    let out = pooled.clone().into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(out[0], 5.0);
    assert_eq!(out[1], 2.0);
    assert!(out[2].is_nan(), "a NaN in the window wins: {out:?}");
    assert_eq!(out[3], 8.0);

    let grads = (pooled * Tensor::<4>::from_floats([[[[1.0, 2.0], [3.0, 4.0]]]], &device))
        .sum()
        .backward();
    let grad = x
        .grad(&grads)
        .unwrap()
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let mut expected = [0.0f32; 25];
    expected[1] = 1.0; // the 5
    expected[2] = 2.0; // the first of four equal 2s
    expected[11] = 3.0; // the NaN
    expected[13] = 4.0; // the first 8 in row-major order
    assert_eq!(
        grad, expected,
        "the last row and column (odd sides) are not pooled"
    );
}
