"""Hierarchical Bayesian reference for the population fit: numpyro NUTS on the same cohort.

The model of issue 12's reference: Stein 2019 closed form, non-centred log-normal random
effects on Cmax, fold expansion, Tmax, alpha, FB and beta, log-normal residual error (additive
on ln C), BLQ as censored (M3), pre-infusion samples left out; 2 chains x 500 warm-up + 500
draws; each patient's chain started at its observed peak. Individual estimates are posterior
medians. Priors are weak and centred on the same (deliberately wrong) initial values as
cartpk's SAEM (PopulationModel::stein2019): N(ln init, 2^2) on the log typical values,
half-normal(2) on omega, half-normal(1) on sigma.

Input: the CSVs `population_recovery --write DIR` writes (cohort_<seed>.csv: subject, time,
value, lloq, censored; truth_<seed>.csv: subject, cmax, tmax, rho, alpha, beta, fb).

    pip install numpyro jax
    nice python3 benches/reference/population_nuts.py DIR SEED

Prints the typical values, omega^2, sigma, r_hat range, wall time and the median
|ln(estimate/truth)| per parameter; writes nuts_<seed>.csv (posterior medians per subject).
"""

import csv
import os
import sys
import time

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from jax.scipy.stats import norm  # noqa: E402
from numpyro.diagnostics import summary  # noqa: E402
from numpyro.infer import MCMC, NUTS, init_to_value  # noqa: E402

numpyro.set_host_device_count(2)
jax.config.update("jax_enable_x64", True)

NAMES = ["cmax", "foldx", "tmax", "alpha", "fb", "beta"]
INIT = np.log([10_000.0, 1_000.0, 7.0, 0.3, 0.02, 0.01])


def read(directory, seed):
    rows = list(csv.DictReader(open(os.path.join(directory, f"cohort_{seed}.csv"))))
    subjects = sorted({r["subject"] for r in rows})
    index = {s: i for i, s in enumerate(subjects)}
    per = [[] for _ in subjects]
    for r in rows:
        t = float(r["time"])
        if t <= 0:  # pre-infusion: not in the likelihood
            continue
        per[index[r["subject"]]].append((t, float(r["value"]), r["censored"] == "1"))
    width = max(len(p) for p in per)
    n = len(subjects)
    times = np.ones((n, width))
    ln_y = np.zeros((n, width))
    cens = np.zeros((n, width), bool)
    mask = np.zeros((n, width), bool)
    for i, p in enumerate(per):
        for j, (t, v, c) in enumerate(p):
            times[i, j], ln_y[i, j], cens[i, j], mask[i, j] = t, np.log(v), c, True
    truth = {
        r["subject"]: [float(r[k]) for k in ["cmax", "tmax", "rho", "alpha", "beta", "fb"]]
        for r in csv.DictReader(open(os.path.join(directory, f"truth_{seed}.csv")))
    }
    return subjects, times, ln_y, cens, mask, truth


def ln_conc(times, cmax, foldx, tmax, alpha, fb, beta):
    rho = jnp.log(foldx) / tmax
    d = times - tmax[:, None]
    up = jnp.log(cmax)[:, None] + rho[:, None] * jnp.minimum(d, 0.0)
    dd = jnp.maximum(d, 0.0)
    la = jnp.log1p(-fb)[:, None] - alpha[:, None] * dd
    lb = jnp.log(fb)[:, None] - beta[:, None] * dd
    down = jnp.log(cmax)[:, None] + jnp.logaddexp(la, lb)
    return jnp.where(d < 0, up, down)


def model(times, ln_y, cens, mask):
    n = times.shape[0]
    mu = numpyro.sample("mu", dist.Normal(jnp.asarray(INIT), 2.0))
    omega = numpyro.sample("omega", dist.HalfNormal(2.0 * jnp.ones(6)))
    sigma = numpyro.sample("sigma", dist.HalfNormal(1.0))
    with numpyro.plate("subject", n):
        z = numpyro.sample("z", dist.Normal(jnp.zeros(6), 1.0).to_event(1))
    phi = mu + omega * z
    psi = jnp.exp(phi)
    fb = jnp.minimum(psi[:, 4], 0.99)
    foldx = jnp.maximum(psi[:, 1], 1.0 + 1e-6)
    f = ln_conc(times, psi[:, 0], foldx, psi[:, 2], psi[:, 3], fb, psi[:, 5])
    r = (ln_y - f) / sigma
    ll = jnp.where(cens, norm.logcdf(r), norm.logpdf(r) - jnp.log(sigma))
    numpyro.factor("loglik", jnp.sum(jnp.where(mask, ll, 0.0)))
    numpyro.deterministic("psi", psi)


def main():
    directory, seed = sys.argv[1], int(sys.argv[2])
    subjects, times, ln_y, cens, mask, truth = read(directory, seed)
    # Each patient's chain starts at its observed peak (Cmax, Tmax), the rest at the
    # population initial values.
    obs = np.where(mask & ~cens, ln_y, -np.inf)
    peak = obs.argmax(axis=1)
    z0 = np.zeros((len(subjects), 6))
    z0[:, 0] = obs.max(axis=1) - INIT[0]
    z0[:, 2] = np.log(times[np.arange(len(subjects)), peak]) - INIT[2]
    init = {"mu": INIT, "omega": np.ones(6), "sigma": 1.0, "z": z0}
    kernel = NUTS(model, init_strategy=init_to_value(values=init), target_accept_prob=0.9)
    mcmc = MCMC(kernel, num_warmup=500, num_samples=500, num_chains=2, progress_bar=False)
    start = time.time()
    mcmc.run(jax.random.PRNGKey(seed), times, ln_y, cens, mask)
    wall = time.time() - start
    s = mcmc.get_samples(group_by_chain=True)
    summ = summary({k: s[k] for k in ["mu", "omega", "sigma", "z"]}, group_by_chain=True)
    rhat = np.concatenate([np.ravel(v["r_hat"]) for v in summ.values()])
    flat = mcmc.get_samples()
    print(f"seed {seed}: {len(subjects)} subjects, NUTS 2x(500+500), {wall:.1f} s, "
          f"r_hat {np.nanmin(rhat):.3f}-{np.nanmax(rhat):.3f}")
    mu = np.median(flat["mu"], axis=0)
    om2 = np.median(flat["omega"] ** 2, axis=0)
    for k, name in enumerate(NAMES):
        print(f"  {name:6} typical {np.exp(mu[k]):.5g}  omega2 {om2[k]:.3f}")
    print(f"  sigma {np.median(flat['sigma']):.4f}")
    psi = flat["psi"]
    cmax, foldx, tmax, alpha, fb, beta = (psi[..., k] for k in range(6))
    rho = np.log(np.maximum(foldx, 1.0 + 1e-6)) / tmax
    draws = [cmax, tmax, rho, alpha, beta, fb]
    med = np.stack([np.median(d, axis=0) for d in draws], axis=1)
    names = ["cmax", "tmax", "rho", "alpha", "beta", "fb"]
    tr = np.array([truth[s] for s in subjects])
    err = np.median(np.abs(np.log(med / tr)), axis=0)
    print("  median |ln(median/truth)|: " + " ".join(f"{n} {e:.3f}" for n, e in zip(names, err)))
    with open(os.path.join(directory, f"nuts_{seed}.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["subject"] + names)
        for s, row in zip(subjects, med):
            w.writerow([s] + [repr(float(v)) for v in row])


if __name__ == "__main__":
    main()
