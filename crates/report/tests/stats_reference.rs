//! Reference values for `cartpk_report::stats`, computed once with R 4.2.2 and hard-coded
//! here (CI has no R). Each check names the R expression it reproduces.
//!
//! Tolerances: 1e-10 relative for deterministic statistics (counts, means, SD, quantiles,
//! geometric mean and CV%, W, ratios, degrees of freedom); 1e-8 relative for p-values and
//! confidence limits (they go through distribution functions). An expected value of exactly
//! 0 is compared with the same number as an absolute tolerance.

use cartpk_report::stats::{
    fraction_quantifiable, geometric_mean_ratio, quantile, summarise, summarise_values,
    wilcoxon_rank_sum, Summary,
};

const DET: f64 = 1e-10;
const PROB: f64 = 1e-8;

#[track_caller]
fn assert_rel(actual: f64, expected: f64, tol: f64, what: &str) {
    let ok = if expected == 0.0 {
        actual.abs() <= tol
    } else {
        ((actual - expected) / expected).abs() <= tol
    };
    assert!(
        ok,
        "{what}: got {actual:e}, R gives {expected:e} (relative error {:e})",
        ((actual - expected) / expected).abs()
    );
}

#[track_caller]
fn assert_opt(actual: Option<f64>, expected: Option<f64>, tol: f64, what: &str) {
    match (actual, expected) {
        (Some(a), Some(e)) => assert_rel(a, e, tol, what),
        (None, None) => {}
        _ => panic!("{what}: got {actual:?}, R gives {expected:?}"),
    }
}

/// `expected`: mean, sd, median, min, max, geometric mean, geometric CV%.
#[track_caller]
fn check_summary(
    s: &Summary,
    n: usize,
    n_missing: usize,
    expected: [Option<f64>; 7],
    n_nonpositive: usize,
) {
    assert_eq!(s.n, n, "n");
    assert_eq!(s.n_missing, n_missing, "n_missing");
    assert_eq!(s.n_nonpositive, n_nonpositive, "n_nonpositive");
    let got = [
        s.mean,
        s.sd,
        s.median,
        s.min,
        s.max,
        s.geo_mean,
        s.geo_cv_pct,
    ];
    let names = [
        "mean",
        "sd",
        "median",
        "min",
        "max",
        "geo_mean",
        "geo_cv_pct",
    ];
    for ((g, e), name) in got.into_iter().zip(expected).zip(names) {
        assert_opt(g, e, DET, name);
    }
}

fn some(x: &[f64]) -> Vec<Option<f64>> {
    x.iter().map(|&v| Some(v)).collect()
}

#[track_caller]
fn check_quantiles(x: &[f64], probs: &[f64], expected: &[f64]) {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    for (&p, &e) in probs.iter().zip(expected) {
        let q = quantile(&sorted, p).expect("non-empty, p in [0, 1]");
        assert_rel(q, e, DET, &format!("quantile {p}"));
    }
}

/// `expected`: ratio, lower, upper, df, p-value.
#[track_caller]
fn check_gmr(a: &[f64], b: &[f64], expected: [f64; 5]) {
    let r = geometric_mean_ratio(a, b).expect("defined");
    assert_rel(r.ratio, expected[0], DET, "ratio");
    assert_rel(r.lower, expected[1], PROB, "lower");
    assert_rel(r.upper, expected[2], PROB, "upper");
    assert_rel(r.df, expected[3], DET, "df");
    assert_rel(r.p_value, expected[4], PROB, "p-value");
}

#[track_caller]
fn check_wilcoxon(a: &[f64], b: &[f64], w: f64, p: f64, exact: bool) {
    let r = wilcoxon_rank_sum(a, b).expect("defined");
    assert_eq!(r.exact, exact, "exact");
    assert_rel(r.w, w, DET, "W");
    assert_rel(r.p_value, p, PROB, "p-value");
}

// Data sets: generated once in R 4.2.2 with set.seed(20240611) and
//   a48 <- signif(rlnorm(48, log(20000), 1.2), 2); b48 <- signif(rlnorm(48, log(9000), 1.4), 2)
//   a30 <- round(rlnorm(30, log(50000), 0.8), 1); b45 <- round(rlnorm(45, log(2000), 0.9), 1)
//   a50 <- round(rlnorm(50, log(1000), 1), 2); b10 <- round(rlnorm(10, log(1500), 1), 2)
//   a49 <- round(rlnorm(49, log(3000), 1), 3); b49 <- round(rlnorm(49, log(1500), 1), 3)
// (in that order), and hard-coded below: the R expressions in the tests refer to them by
// these names.
const A48: [f64; 48] = [
    2700.0, 51000.0, 1700.0, 20000.0, 7300.0, 23000.0, 6900.0, 21000.0, 9700.0, 3700.0, 51000.0,
    110000.0, 6300.0, 1100.0, 17000.0, 31000.0, 9100.0, 19000.0, 6800.0, 22000.0, 18000.0, 23000.0,
    5200.0, 31000.0, 100000.0, 12000.0, 12000.0, 22000.0, 48000.0, 26000.0, 6400.0, 8600.0,
    48000.0, 130000.0, 12000.0, 130000.0, 25000.0, 63000.0, 3500.0, 45000.0, 25000.0, 49000.0,
    14000.0, 84000.0, 78000.0, 19000.0, 86000.0, 67000.0,
];
const B48: [f64; 48] = [
    1700.0, 6000.0, 1200.0, 2500.0, 3200.0, 7000.0, 5300.0, 9500.0, 13000.0, 7900.0, 2300.0,
    40000.0, 700.0, 2700.0, 6800.0, 34000.0, 2600.0, 11000.0, 2100.0, 1000.0, 9500.0, 950.0, 810.0,
    8000.0, 5200.0, 19000.0, 39000.0, 290.0, 8400.0, 37000.0, 1700.0, 57000.0, 7900.0, 17000.0,
    19000.0, 47000.0, 62000.0, 23000.0, 3400.0, 3600.0, 7700.0, 5500.0, 1200.0, 740.0, 25000.0,
    2100.0, 150000.0, 5700.0,
];
const A30: [f64; 30] = [
    147029.7, 105578.1, 16244.7, 141045.3, 32169.1, 21920.5, 29707.8, 18033.3, 46258.7, 62937.4,
    23627.3, 41973.9, 51652.7, 12065.6, 150556.9, 37969.4, 56507.7, 55992.8, 54884.2, 41477.5,
    102860.4, 107543.2, 21940.2, 105521.2, 101878.7, 21712.4, 24043.7, 73102.1, 152515.6, 272865.8,
];
const B45: [f64; 45] = [
    1393.2, 3858.9, 1856.8, 4227.4, 1756.4, 928.8, 4587.0, 1672.3, 1966.6, 600.5, 4693.8, 684.6,
    289.5, 1730.9, 3630.8, 1273.3, 5262.7, 2898.0, 2087.3, 764.5, 4053.3, 565.9, 2166.4, 922.6,
    1227.5, 5347.1, 6320.5, 13409.4, 523.4, 542.6, 6786.7, 12816.2, 963.7, 6767.8, 2026.1, 3371.3,
    6042.1, 1490.0, 1868.6, 7333.7, 3710.0, 3024.6, 1207.1, 9494.0, 1509.6,
];
const A50: [f64; 50] = [
    275.11, 4248.55, 1176.09, 1645.75, 2960.88, 2370.25, 1384.62, 1598.48, 638.24, 607.48, 696.24,
    978.63, 960.82, 2194.32, 1928.36, 472.45, 367.24, 3266.1, 445.19, 1337.67, 947.04, 681.0,
    1231.3, 318.8, 1199.65, 1482.85, 2404.74, 6421.39, 2074.27, 641.74, 622.03, 6112.6, 362.44,
    1113.93, 467.02, 710.17, 619.86, 97.07, 1111.74, 901.71, 1610.16, 761.44, 298.57, 2301.71,
    1473.19, 4907.82, 3999.71, 670.41, 1245.05, 3775.92,
];
const B10: [f64; 10] = [
    732.71, 1190.12, 597.39, 268.26, 174.66, 470.89, 1485.09, 911.67, 7196.99, 241.83,
];
const A49: [f64; 49] = [
    2107.759, 715.551, 2033.052, 2530.801, 15724.481, 1846.733, 2086.356, 2833.011, 1545.056,
    3166.1, 962.143, 7830.761, 2173.5, 13696.083, 1544.921, 482.836, 1032.424, 4880.461, 3875.62,
    2379.045, 3489.373, 3692.623, 476.808, 3688.296, 9740.791, 305.393, 1640.915, 4933.99,
    10767.932, 409.315, 8849.528, 2419.249, 5235.758, 4057.531, 8352.867, 5244.421, 19818.894,
    4112.981, 2895.697, 1869.954, 467.577, 368.68, 3721.478, 1077.225, 2415.379, 619.315, 2584.653,
    1314.459, 1573.91,
];
const B49: [f64; 49] = [
    2523.663, 1368.108, 506.725, 2355.87, 4637.515, 1041.332, 574.762, 2304.986, 1253.1, 1249.248,
    1572.216, 2055.104, 12346.629, 1292.213, 8673.528, 1395.425, 1025.207, 3397.851, 2536.182,
    1991.253, 2816.35, 402.318, 454.737, 3262.687, 249.187, 973.592, 1192.708, 2155.767, 571.063,
    427.511, 811.281, 12275.157, 860.539, 3672.05, 187.178, 1304.378, 252.171, 1929.418, 3499.977,
    6714.875, 4616.556, 4934.892, 2237.034, 863.497, 858.775, 739.028, 4833.136, 430.66, 408.856,
];

#[test]
fn summaries_match_r() {
    // cmax with NA, 0 and a negative value: x <- c(15230, 48710, 2280, 0, 97400, NA, 5120.5, 331000, 12.7, 8800, 64100, 2999.9, -3); xf <- x[is.finite(x)]; xp <- xf[xf > 0]
    // R 4.2.2: length(xf), sum(!is.finite(x)), mean(xf), sd(xf), median(xf), min(xf), max(xf),
    //          exp(mean(log(xp))), 100 * sqrt(exp(var(log(xp))) - 1), sum(xf <= 0)
    check_summary(
        &summarise(&[
            Some(15230.0),
            Some(48710.0),
            Some(2280.0),
            Some(0.0),
            Some(97400.0),
            None,
            Some(5120.5),
            Some(331000.0),
            Some(12.7),
            Some(8800.0),
            Some(64100.0),
            Some(2999.9),
            Some(-3.0),
        ]),
        12,
        1,
        [
            Some(47970.84166666667),
            Some(94515.33049676947),
            Some(6960.25),
            Some(-3.0),
            Some(331000.0),
            Some(9502.116268395675),
            Some(5492.104214305262),
        ],
        2,
    );
    // a48: x <- a48; xf <- x[is.finite(x)]; xp <- xf[xf > 0]
    // R 4.2.2: length(xf), sum(!is.finite(x)), mean(xf), sd(xf), median(xf), min(xf), max(xf),
    //          exp(mean(log(xp))), 100 * sqrt(exp(var(log(xp))) - 1), sum(xf <= 0)
    check_summary(
        &summarise(&some(&A48)),
        48,
        0,
        [
            Some(33562.5),
            Some(33984.29940991838),
            Some(21500.0),
            Some(1100.0),
            Some(130000.0),
            Some(19545.848569929058),
            Some(164.59248445749773),
        ],
        0,
    );
    // b45: x <- b45; xf <- x[is.finite(x)]; xp <- xf[xf > 0]
    // R 4.2.2: length(xf), sum(!is.finite(x)), mean(xf), sd(xf), median(xf), min(xf), max(xf),
    //          exp(mean(log(xp))), 100 * sqrt(exp(var(log(xp))) - 1), sum(xf <= 0)
    check_summary(
        &summarise(&some(&B45)),
        45,
        0,
        [
            Some(3325.633333333333),
            Some(3059.691277801495),
            Some(2026.1),
            Some(289.5),
            Some(13409.4),
            Some(2253.721092620421),
            Some(115.62947229296658),
        ],
        0,
    );
    // odd n: x <- c(0.5, 1.5, 2.5, 1000, 3.5, 7.25, 0.125); xf <- x[is.finite(x)]; xp <- xf[xf > 0]
    // R 4.2.2: length(xf), sum(!is.finite(x)), mean(xf), sd(xf), median(xf), min(xf), max(xf),
    //          exp(mean(log(xp))), 100 * sqrt(exp(var(log(xp))) - 1), sum(xf <= 0)
    check_summary(
        &summarise(&[
            Some(0.5),
            Some(1.5),
            Some(2.5),
            Some(1000.0),
            Some(3.5),
            Some(7.25),
            Some(0.125),
        ]),
        7,
        0,
        [
            Some(145.05357142857142),
            Some(377.00349424457465),
            Some(2.5),
            Some(0.125),
            Some(1000.0),
            Some(3.4608931464953048),
            Some(5564.417361460664),
        ],
        0,
    );
    // n = 2, identical: x <- c(4.2, 4.2); xf <- x[is.finite(x)]; xp <- xf[xf > 0]
    // R 4.2.2: length(xf), sum(!is.finite(x)), mean(xf), sd(xf), median(xf), min(xf), max(xf),
    //          exp(mean(log(xp))), 100 * sqrt(exp(var(log(xp))) - 1), sum(xf <= 0)
    check_summary(
        &summarise(&[Some(4.2), Some(4.2)]),
        2,
        0,
        [
            Some(4.2),
            Some(0.0),
            Some(4.2),
            Some(4.2),
            Some(4.2),
            Some(4.2),
            Some(0.0),
        ],
        0,
    );
    // n = 2: x <- c(0.004, 12); xf <- x[is.finite(x)]; xp <- xf[xf > 0]
    // R 4.2.2: length(xf), sum(!is.finite(x)), mean(xf), sd(xf), median(xf), min(xf), max(xf),
    //          exp(mean(log(xp))), 100 * sqrt(exp(var(log(xp))) - 1), sum(xf <= 0)
    check_summary(
        &summarise(&[Some(0.004), Some(12.0)]),
        2,
        0,
        [
            Some(6.002),
            Some(8.482452947113824),
            Some(6.002),
            Some(0.004),
            Some(12.0),
            Some(0.2190890230020665),
            Some(911544155.0277524),
        ],
        0,
    );
}

#[test]
fn summarise_values_treats_non_finite_as_missing() {
    // R 4.2.2: x <- c(2, NaN, Inf, 8); xf <- x[is.finite(x)]; mean(xf) = 5, sd(xf) = 4.2426406871192848,
    //   exp(mean(log(xf))) = 4, 100 * sqrt(exp(var(log(xf))) - 1) = 127.04581124166185
    let s = summarise_values(&[2.0, f64::NAN, f64::INFINITY, 8.0]);
    check_summary(
        &s,
        2,
        2,
        [
            Some(5.0),
            Some(4.242640687119285),
            Some(5.0),
            Some(2.0),
            Some(8.0),
            Some(4.0),
            Some(127.04581124166185),
        ],
        0,
    );
    // No finite value: every statistic is None.
    let s = summarise(&[None, Some(f64::NAN)]);
    check_summary(&s, 0, 2, [None; 7], 0);
    // Only non-positive values: no geometric statistics.
    let s = summarise(&[Some(0.0), Some(-2.0), Some(0.0)]);
    assert_eq!(s.n_nonpositive, 3);
    assert_eq!((s.geo_mean, s.geo_cv_pct), (None, None));
    // One positive value: geometric mean but no geometric CV.
    let s = summarise(&[Some(0.0), Some(7.5)]);
    assert_opt(s.geo_mean, Some(7.5), DET, "geo_mean");
    assert_eq!(s.geo_cv_pct, None);
}

#[test]
fn quantiles_match_r_type_7() {
    // R 4.2.2: quantile(a48, c(0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1), type = 7)
    check_quantiles(
        &A48,
        &[0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0],
        &[
            1100.0,
            2980.0,
            4750.0,
            8975.0,
            21500.0,
            48250.0,
            84600.00000000001,
            106499.99999999999,
            130000.0,
            130000.0,
        ],
    );
    // R 4.2.2: quantile(b45, c(0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1), type = 7)
    check_quantiles(
        &B45,
        &[0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0],
        &[
            289.5,
            547.26,
            634.1400000000001,
            1227.5,
            2026.1,
            4587.0,
            6779.139999999999,
            9061.939999999995,
            13148.392000000002,
            13409.4,
        ],
    );
    // R 4.2.2: quantile(b10, c(0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1), type = 7)
    check_quantiles(
        &B10,
        &[0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0],
        &[
            174.66,
            204.8865,
            235.113,
            318.9175,
            665.05,
            1120.5075,
            2056.279999999998,
            4626.634999999994,
            6682.919000000001,
            7196.99,
        ],
    );
}

#[test]
fn geometric_mean_ratios_match_r_welch() {
    // small n (3 vs 4)
    // R 4.2.2: a <- c(12.5, 30.1, 18.2); b <- c(5.1, 9.9, 7.4, 20.3); tt <- t.test(log(a), log(b))
    //   exp(mean(log(a)) - mean(log(b))), exp(tt$conf.int), tt$parameter, tt$p.value
    check_gmr(
        &[12.5, 30.1, 18.2],
        &[5.1, 9.9, 7.4, 20.3],
        [
            2.0348513256963456,
            0.7501447492513227,
            5.519761248506633,
            4.979955919816983,
            0.12663794119368088,
        ],
    );
    // large difference (30 vs 45)
    // R 4.2.2: a <- a30; b <- b45; tt <- t.test(log(a), log(b))
    //   exp(mean(log(a)) - mean(log(b))), exp(tt$conf.int), tt$parameter, tt$p.value
    check_gmr(
        &A30,
        &B45,
        [
            23.3139004883506,
            15.626623521229046,
            34.78281506189156,
            67.94738580723578,
            2.63288010724971e-24,
        ],
    );
    // 48 vs 48
    // R 4.2.2: a <- a48; b <- b48; tt <- t.test(log(a), log(b))
    //   exp(mean(log(a)) - mean(log(b))), exp(tt$conf.int), tt$parameter, tt$p.value
    check_gmr(
        &A48,
        &B48,
        [
            3.1921485534374927,
            1.9030252085384405,
            5.354533582368596,
            90.57556709447618,
            2.3677555259224258e-05,
        ],
    );
    // identical groups
    // R 4.2.2: a <- c(100, 250, 80, 400, 130); b <- c(100, 250, 80, 400, 130); tt <- t.test(log(a), log(b))
    //   exp(mean(log(a)) - mean(log(b))), exp(tt$conf.int), tt$parameter, tt$p.value
    check_gmr(
        &[100.0, 250.0, 80.0, 400.0, 130.0],
        &[100.0, 250.0, 80.0, 400.0, 130.0],
        [1.0, 0.3776515881197769, 2.6479433198698414, 8.0, 1.0],
    );
    // one group constant (df = n_b - 1)
    // R 4.2.2: a <- c(5, 5, 5); b <- c(2, 3, 4); tt <- t.test(log(a), log(b))
    //   exp(mean(log(a)) - mean(log(b))), exp(tt$conf.int), tt$parameter, tt$p.value
    check_gmr(
        &[5.0, 5.0, 5.0],
        &[2.0, 3.0, 4.0],
        [
            1.7334031858765866,
            0.7298011681475375,
            4.117130440382729,
            2.0,
            0.11165528356317171,
        ],
    );
    // NA dropped (NaN in Rust)
    // R 4.2.2: a <- c(3.3, NA, 8.1, 2.2); b <- c(1.1, 0.9, NA, 1.6); tt <- t.test(log(a), log(b))
    //   exp(mean(log(a)) - mean(log(b))), exp(tt$conf.int), tt$parameter, tt$p.value
    check_gmr(
        &[3.3, f64::NAN, 8.1, 2.2],
        &[1.1, 0.9, f64::NAN, 1.6],
        [
            3.335970135853973,
            0.8121604040147291,
            13.702584726240541,
            2.7395542944949187,
            0.0715814172928798,
        ],
    );
}

#[test]
fn geometric_mean_ratio_undefined_cases() {
    // R: t.test(log(c(1, 0, 2)), log(c(1, 2))) fails (log(0) = -Inf gives a NaN CI).
    assert_eq!(geometric_mean_ratio(&[1.0, 0.0, 2.0], &[1.0, 2.0]), None);
    assert_eq!(geometric_mean_ratio(&[1.0, -3.0, 2.0], &[1.0, 2.0]), None);
    assert_eq!(
        geometric_mean_ratio(&[1.0, f64::INFINITY], &[1.0, 2.0]),
        None
    );
    // R: "not enough 'x' observations".
    assert_eq!(geometric_mean_ratio(&[1.0], &[1.0, 2.0]), None);
    assert_eq!(geometric_mean_ratio(&[1.0, f64::NAN], &[1.0, 2.0]), None);
    assert_eq!(geometric_mean_ratio(&[], &[]), None);
    // R: t.test(log(c(3, 3)), log(c(5, 5, 5))) -> "data are essentially constant".
    assert_eq!(geometric_mean_ratio(&[3.0, 3.0], &[5.0, 5.0, 5.0]), None);
}

#[test]
fn wilcoxon_matches_r() {
    // exact, complete separation (4 vs 5)
    // R 4.2.2: w <- wilcox.test(c(1.1, 2.2, 3.3, 4.4), c(5.5, 6.6, 7.7, 8.8, 9.9)); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(
        &[1.1, 2.2, 3.3, 4.4],
        &[5.5, 6.6, 7.7, 8.8, 9.9],
        0.0,
        0.015873015873015872,
        true,
    );
    // exact, interleaved (6 vs 8)
    // R 4.2.2: w <- wilcox.test(c(0.8, 3.1, 4.7, 2.2, 6.5, 9), c(1.5, 2.9, 5.8, 7.7, 0.3, 4.1, 8.6, 10.2)); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(
        &[0.8, 3.1, 4.7, 2.2, 6.5, 9.0],
        &[1.5, 2.9, 5.8, 7.7, 0.3, 4.1, 8.6, 10.2],
        22.0,
        0.8518148518148518,
        true,
    );
    // exact, W > n_a n_b / 2 (5 vs 4)
    // R 4.2.2: w <- wilcox.test(c(9.1, 7.3, 8.8, 5, 6.6), c(1.2, 5.5, 2.4, 3.9)); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(
        &[9.1, 7.3, 8.8, 5.0, 6.6],
        &[1.2, 5.5, 2.4, 3.9],
        19.0,
        0.031746031746031744,
        true,
    );
    // exact, large difference (30 vs 45)
    // R 4.2.2: w <- wilcox.test(a30, b45); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(&A30, &B45, 1348.0, 1.023175656839506e-20, true);
    // exact, 49 vs 49 (largest exact case)
    // R 4.2.2: w <- wilcox.test(a49, b49); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(&A49, &B49, 1541.0, 0.01523797012716215, true);
    // exact, b first (49 vs 49)
    // R 4.2.2: w <- wilcox.test(b49, a49); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(&B49, &A49, 860.0, 0.01523797012716215, true);
    // ties, 48 vs 48: normal approximation
    // R 4.2.2: w <- wilcox.test(a48, b48); w$statistic, w$p.value  (Wilcoxon rank sum test with continuity correction)
    check_wilcoxon(&A48, &B48, 1708.0, 4.680435444131429e-05, false);
    // no ties but n_a = 50: normal approximation
    // R 4.2.2: w <- wilcox.test(a50, b10); w$statistic, w$p.value  (Wilcoxon rank sum test with continuity correction)
    check_wilcoxon(&A50, &B10, 333.0, 0.10175181616495936, false);
    // n_a = 50 vs 49, no ties: normal approximation
    // R 4.2.2: w <- wilcox.test(a50, b49); w$statistic, w$p.value  (Wilcoxon rank sum test with continuity correction)
    check_wilcoxon(&A50, &B49, 1033.0, 0.18017356590254294, false);
    // identical groups (ties): normal approximation
    // R 4.2.2: w <- wilcox.test(c(3, 1, 4, 1, 5), c(3, 1, 4, 1, 5)); w$statistic, w$p.value  (Wilcoxon rank sum test with continuity correction)
    check_wilcoxon(
        &[3.0, 1.0, 4.0, 1.0, 5.0],
        &[3.0, 1.0, 4.0, 1.0, 5.0],
        12.5,
        1.0,
        false,
    );
    // small with ties: normal approximation
    // R 4.2.2: w <- wilcox.test(c(1, 2, 2, 3), c(2, 4, 5)); w$statistic, w$p.value  (Wilcoxon rank sum test with continuity correction)
    check_wilcoxon(
        &[1.0, 2.0, 2.0, 3.0],
        &[2.0, 4.0, 5.0],
        2.0,
        0.19908985214820457,
        false,
    );
    // NA dropped, +/-Inf ranked
    // R 4.2.2: w <- wilcox.test(c(1.5, NA, Inf, 7), c(2, 3, -Inf)); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(
        &[1.5, f64::NAN, f64::INFINITY, 7.0],
        &[2.0, 3.0, f64::NEG_INFINITY],
        7.0,
        0.4,
        true,
    );
    // one value each
    // R 4.2.2: w <- wilcox.test(1, 2); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(&[1.0], &[2.0], 0.0, 1.0, true);
    // one value against seven
    // R 4.2.2: w <- wilcox.test(3, c(0.2, 0.4, 5, 6, 7, 8, 9)); w$statistic, w$p.value  (Wilcoxon rank sum exact test)
    check_wilcoxon(
        &[3.0],
        &[0.2, 0.4, 5.0, 6.0, 7.0, 8.0, 9.0],
        2.0,
        0.75,
        true,
    );
}

#[test]
fn wilcoxon_undefined_cases() {
    // R: wilcox.test(numeric(0), 1) -> "not enough (non-missing) 'x' observations".
    assert_eq!(wilcoxon_rank_sum(&[], &[1.0]), None);
    assert_eq!(wilcoxon_rank_sum(&[f64::NAN], &[1.0]), None);
    assert_eq!(wilcoxon_rank_sum(&[1.0], &[]), None);
    // R: wilcox.test(c(2, 2), c(2, 2, 2))$p.value is NaN (all values tied).
    assert_eq!(wilcoxon_rank_sum(&[2.0, 2.0], &[2.0, 2.0, 2.0]), None);
}

#[test]
fn fraction_quantifiable_matches_r() {
    // R 4.2.2: q <- c(TRUE, FALSE, NA, TRUE, TRUE, NA, FALSE)
    //   sum(q, na.rm = TRUE) = 3, sum(!is.na(q)) = 5, mean(q, na.rm = TRUE) = 0.6
    let q = [
        Some(true),
        Some(false),
        None,
        Some(true),
        Some(true),
        None,
        Some(false),
    ];
    let (nq, ns, f) = fraction_quantifiable(&q);
    assert_eq!((nq, ns), (3, 5));
    assert_opt(f, Some(0.6), DET, "fraction");
    assert_eq!(fraction_quantifiable(&[None]), (0, 0, None));
    assert_eq!(fraction_quantifiable(&[Some(false)]), (0, 1, Some(0.0)));
}
