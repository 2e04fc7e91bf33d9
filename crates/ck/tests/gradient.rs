//! The analytic gradients against central finite differences (finitediff crate).

use cartpk_ck::{BlqMethod, CkModel, NegLogLik, Observation, Stein2019, SteinParams};
use finitediff::FiniteDiff;

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
}

#[test]
fn stein_ln_conc_gradient_matches_finite_differences() {
    let m = Stein2019;
    let p = SteinParams {
        cmax: 12_000.0,
        tmax: 10.0,
        rho: 0.7,
        alpha: 0.2,
        beta: 0.004,
        fb: 0.02,
    };
    let theta = m.to_theta(&p.to_vec()).unwrap();
    // Before the peak, just after it, in contraction, in persistence (where e^{-alpha d}
    // underflows relative to the memory term).
    for t in [0.0, 3.0, 9.0, 10.5, 20.0, 60.0, 365.0, 2000.0] {
        let mut g = vec![0.0; 6];
        m.ln_conc(&theta, t, Some(&mut g));
        let fd = theta.central_diff(&|th: &Vec<f64>| m.ln_conc(th, t, None));
        assert!(
            close(&g, &fd, 1e-6),
            "t = {t}: analytic {g:?}, finite differences {fd:?}"
        );
    }
}

#[test]
fn negative_log_likelihood_gradient_matches_finite_differences() {
    let m = Stein2019;
    let obs = vec![
        Observation::Censored { t: 0.0, lloq: 50.0 },
        Observation::Censored { t: 1.0, lloq: 50.0 },
        Observation::Quantified { t: 4.0, y: 300.0 },
        Observation::Quantified { t: 7.0, y: 4200.0 },
        Observation::Quantified {
            t: 11.0,
            y: 15000.0,
        },
        Observation::Quantified { t: 14.0, y: 9000.0 },
        Observation::Quantified { t: 28.0, y: 700.0 },
        Observation::Quantified { t: 84.0, y: 160.0 },
        Observation::Censored {
            t: 168.0,
            lloq: 50.0,
        },
        // Far below the prediction: the censored term's tail (ln Phi of a large z).
        Observation::Censored {
            t: 365.0,
            lloq: 0.001,
        },
    ];
    let p = SteinParams {
        cmax: 12_000.0,
        tmax: 10.0,
        rho: 0.7,
        alpha: 0.2,
        beta: 0.004,
        fb: 0.02,
    };
    let mut x = m.to_theta(&p.to_vec()).unwrap();
    x.push((0.4f64 - 0.05).ln());
    for method in [BlqMethod::M3, BlqMethod::M1] {
        let nll = NegLogLik {
            model: &m,
            obs: &obs,
            method,
            sigma_min: 0.05,
        };
        let mut g = vec![0.0; 7];
        nll.eval(&x, Some(&mut g));
        let fd = x.central_diff(&|v: &Vec<f64>| nll.eval(v, None));
        assert!(
            close(&g, &fd, 1e-5),
            "{method:?}: analytic {g:?}, finite differences {fd:?}"
        );
    }
}
