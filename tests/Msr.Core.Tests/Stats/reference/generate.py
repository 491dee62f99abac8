#!/usr/bin/python3
"""Generate SciPy reference values for the Msr.Core.Stats tests.

Run with Debian's python (which has SciPy):  /usr/bin/python3 generate.py
Writes ../scipy-reference.json. The C# tests read only that JSON; Python is not needed to run them.

Where SciPy has no routine (DeLong, Holm/Bonferroni/BH in SciPy 1.10, Cohen's d), the value is computed here
with NumPy directly from the textbook definition, independently of the C# implementation (e.g. DeLong uses the
O(m*n) pairwise kernel of DeLong et al. 1988 while the C# code uses mid-ranks).
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats

ALTS = ["two-sided", "greater", "less"]
rng = np.random.default_rng(20261122)
cases = []


def r(a, d=3):
    return np.round(np.asarray(a, dtype=float), d).tolist()


def add(kind, cid, **kw):
    out = {"kind": kind, "id": f"{kind}:{cid}"}
    for k, v in kw.items():
        if isinstance(v, np.ndarray):
            v = v.tolist()
        if isinstance(v, (np.floating, np.integer)):
            v = v.item()
        out[k] = v
    bad = [k for k, v in out.items() if isinstance(v, float) and not np.isfinite(v)]
    if bad:
        # SciPy gives NaN/inf for these degenerate inputs; the C# behaviour is covered by behaviour tests instead.
        print(f"skipping {out['id']}: non-finite {bad}")
        return
    cases.append(out)


# ---------------------------------------------------------------- t-tests
two_sample = {
    "normal_10_12": (r(rng.normal(0.70, 0.02, 10), 4), r(rng.normal(0.69, 0.03, 12), 4)),
    "unequal_var": (r(rng.normal(5, 1, 8)), r(rng.normal(4, 4, 15))),
    "tiny_n2": ([0.71, 0.73], [0.70, 0.705]),
    "tiny_n3": ([1.0, 2.0, 4.0], [2.5, 3.0, 3.5]),
    "ties": ([1, 1, 2, 2, 3, 3], [2, 2, 3, 3, 4, 4]),
    "one_constant": ([0.5, 0.5, 0.5, 0.5], [0.4, 0.6, 0.45, 0.55]),
    "big_effect": (r(rng.normal(10, 0.1, 20)), r(rng.normal(9, 0.1, 20))),
}
for name, (x, y) in two_sample.items():
    for alt in ALTS:
        s = stats.ttest_ind(x, y, equal_var=True, alternative=alt)
        add("t_student", f"{name}:{alt}", x=x, y=y, alternative=alt, statistic=s.statistic, pvalue=s.pvalue,
            df=len(x) + len(y) - 2)
        w = stats.ttest_ind(x, y, equal_var=False, alternative=alt)
        v1, v2 = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
        add("t_welch", f"{name}:{alt}", x=x, y=y, alternative=alt, statistic=w.statistic, pvalue=w.pvalue,
            df=(v1 + v2) ** 2 / (v1 ** 2 / (len(x) - 1) + v2 ** 2 / (len(y) - 1)))

paired = {
    "seeds_5": (r(rng.normal(0.75, 0.01, 5), 4), None),
    "n2": ([0.80, 0.82], [0.79, 0.80]),
    "n3": ([1.0, 2.0, 3.0], [1.5, 1.0, 2.0]),
    "n12": (r(rng.normal(0, 1, 12)), r(rng.normal(0.3, 1, 12))),
}
px = paired["seeds_5"][0]
paired["seeds_5"] = (px, r(np.array(px) - np.array([0.004, 0.001, 0.006, -0.002, 0.003]), 4))
for name, (x, y) in paired.items():
    for alt in ALTS:
        s = stats.ttest_rel(x, y, alternative=alt)
        add("t_paired", f"{name}:{alt}", x=x, y=y, alternative=alt, statistic=s.statistic, pvalue=s.pvalue, df=len(x) - 1)

# ---------------------------------------------------------------- Mann-Whitney U
mwu_sets = {
    "exact_small": ([0.81, 0.84, 0.79, 0.88], [0.77, 0.80, 0.76, 0.78, 0.75]),
    "exact_n2_n3": ([3.0, 5.0], [1.0, 2.0, 4.0]),
    "exact_8_20": (r(rng.normal(1, 1, 8)), r(rng.normal(0, 1, 20))),
    "asym_large": (r(rng.normal(0.5, 1, 25)), r(rng.normal(0, 1, 30))),
    "ties_small": ([1, 2, 2, 3, 3, 3], [2, 3, 4, 4, 5]),
    "ties_large": (list(rng.integers(0, 5, 20).astype(float)), list(rng.integers(1, 6, 18).astype(float))),
    "identical": ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    "separated": ([10.0, 11, 12, 13, 14, 15, 16, 17, 18], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]),
}
for name, (x, y) in mwu_sets.items():
    for alt in ALTS:
        for method in ["auto", "asymptotic", "exact"]:
            has_ties = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
            if method == "exact" and has_ties:
                continue  # exact is invalid with ties; C# falls back (tested separately)
            for cont in ([True, False] if method == "asymptotic" else [True]):
                s = stats.mannwhitneyu(x, y, alternative=alt, method=method, use_continuity=cont)
                used = method if method != "auto" else (
                    "asymptotic" if (len(x) > 8 and len(y) > 8) or has_ties else "exact")
                add("mannwhitney", f"{name}:{alt}:{method}:{cont}", x=list(map(float, x)), y=list(map(float, y)),
                    alternative=alt, method=method, use_continuity=cont, statistic=s.statistic, pvalue=s.pvalue,
                    method_used=used)

# ---------------------------------------------------------------- Wilcoxon signed-rank
wil_sets = {
    "exact_n8": (r(rng.normal(0.01, 0.02, 8), 4), None),
    "exact_n3": ([1.0, -2.5, 4.0], None),
    "exact_n20": (r(rng.normal(0.3, 1, 20), 4), None),
    "zeros": ([0.0, 0.0, 1.5, -0.5, 2.0, 3.0, -1.0, 2.5, 0.7, 1.2, -0.3], None),
    "ties": ([1.0, 1.0, -1.0, 2.0, 2.0, 3.0, -3.0, 4.0, 4.0, 4.0, 5.0], None),
    "zeros_ties": ([0.0, 1.0, -1.0, 1.0, 2.0, 0.0, 2.0, -2.0, 3.0, 3.0, 3.0, 4.0], None),
    "large_n60": (r(rng.normal(0.2, 1, 60), 3), None),
    "exact_n2": ([0.5, -1.5], None),
    "all_zero_zsplit": ([0.0, 0.0, 0.0, 0.0], None),  # only zsplit is defined in SciPy; see filter below
}
for name, (d, _) in wil_sets.items():
    d = list(map(float, d))
    has_zero = any(v == 0 for v in d)
    nz = [abs(v) for v in d if v != 0]
    has_ties = len(set(nz)) < len(nz)
    for alt in ALTS:
        for zm in ["wilcox", "pratt", "zsplit"]:
            for method, corr in [("approx", False), ("approx", True), ("exact", False), ("auto", False)]:
                if all(v == 0 for v in d) and (zm != "zsplit" or method != "approx"):
                    continue  # SciPy raises for wilcox/pratt; C# returns p = 1 (behaviour test)
                auto_exact = len(d) <= 50 and not has_zero  # SciPy 1.10's 'auto' rule
                if method == "exact" and (has_zero or has_ties):
                    continue  # SciPy switches to approx for zeros but truncates tied rank sums; C# falls back (behaviour test)
                if method == "auto" and auto_exact and has_ties:
                    continue  # same truncation issue through 'auto'
                if method in ("exact", "auto") and auto_exact and zm != "wilcox":
                    continue  # without zeros the zero method is irrelevant
                s = stats.wilcoxon(d, zero_method=zm, correction=corr, alternative=alt, method=method)
                z = getattr(s, "zstatistic", None)
                used = "approx" if method == "approx" or (method == "auto" and not auto_exact) else "exact"
                # y = 0 so the C# paired and one-sample entry points both see d = x - y
                add("wilcoxon", f"{name}:{alt}:{zm}:{method}:{corr}", d=d, alternative=alt, zero_method=zm,
                    method=method, correction=corr, statistic=s.statistic, pvalue=s.pvalue,
                    zstatistic=None if z is None else float(z), method_used=used)


# ---------------------------------------------------------------- DeLong (independent NumPy implementation)
def delong_reference(a, b, y):
    """DeLong et al. (1988), pairwise kernel psi(X, Y) = 1 if X > Y, 1/2 if equal, 0 otherwise."""
    a, b, y = np.asarray(a, float), np.asarray(b, float), np.asarray(y, int)
    out = {}
    comps = []
    for s in (a, b):
        pos, neg = s[y == 1], s[y == 0]
        psi = (pos[:, None] > neg[None, :]).astype(float) + 0.5 * (pos[:, None] == neg[None, :])
        comps.append((psi.mean(), psi.mean(axis=1), psi.mean(axis=0)))
    m, n = int((y == 1).sum()), int((y == 0).sum())
    v10 = np.vstack([comps[0][1], comps[1][1]])
    v01 = np.vstack([comps[0][2], comps[1][2]])
    S = np.cov(v10) / m + np.cov(v01) / n
    diff = comps[0][0] - comps[1][0]
    var = S[0, 0] + S[1, 1] - 2 * S[0, 1]
    z = diff / np.sqrt(var)
    out.update(auc_a=comps[0][0], auc_b=comps[1][0], var_a=S[0, 0], var_b=S[1, 1], cov=S[0, 1], z=z,
               p_two_sided=2 * stats.norm.sf(abs(z)), p_greater=stats.norm.sf(z), p_less=stats.norm.cdf(z))
    return out


# hand-computable case: 2 positives, 2 negatives
delong_sets = {"hand_2x2": ([0.9, 0.4, 0.6, 0.2], [0.8, 0.3, 0.5, 0.7], [1, 0, 1, 0])}
yy = rng.integers(0, 2, 60)
sa = r(yy * 0.8 + rng.normal(0, 0.6, 60), 2)  # 2 decimals -> many ties
sb = r(yy * 0.5 + rng.normal(0, 0.6, 60), 2)
delong_sets["ties_60"] = (sa, sb, [int(v) for v in yy])
yy = rng.integers(0, 2, 200)
delong_sets["n200"] = (r(yy + rng.normal(0, 1, 200), 6), r(yy * 0.7 + rng.normal(0, 1, 200), 6), [int(v) for v in yy])
for name, (a, b, y) in delong_sets.items():
    add("delong", name, scores_a=list(map(float, a)), scores_b=list(map(float, b)), labels=y, **delong_reference(a, b, y))

# ---------------------------------------------------------------- paired permutation test (exact)
perm_sets = {
    "n6": ([0.81, 0.79, 0.83, 0.80, 0.82, 0.84], [0.80, 0.78, 0.80, 0.81, 0.79, 0.80]),
    "n3": ([1.0, 2.0, 3.0], [0.5, 2.5, 1.0]),
    "n10_ties": ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 11]),
    "n12": (r(rng.normal(0.1, 1, 12)), r(rng.normal(0, 1, 12))),
    "equal_samples": ([0.7, 0.71, 0.69], [0.7, 0.71, 0.69]),
    "n2": ([0.80, 0.82], [0.79, 0.80]),
}
for name, (x, y) in perm_sets.items():
    x, y = list(map(float, x)), list(map(float, y))
    for alt in ALTS:
        s = stats.permutation_test((x, y), lambda u, v, axis: np.mean(u - v, axis=axis), permutation_type="samples",
                                   n_resamples=np.inf, vectorized=True, alternative=alt)
        add("permutation", f"{name}:{alt}", x=x, y=y, alternative=alt, statistic=s.statistic, pvalue=s.pvalue)

# ---------------------------------------------------------------- p-value adjustment (textbook definitions)
def holm(p):
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        adj[idx] = running
    return adj


def bh(p):
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        idx = order[rank]
        running = min(running, min(1.0, p[idx] * m / (rank + 1)))
        adj[idx] = running
    return adj


# ---------------------------------------------------------------- Friedman, Nemenyi, Holm post-hoc
fr_sets = {
    "k3_n6": r(rng.normal([0.70, 0.71, 0.72], 0.01, (6, 3)), 3),
    "k4_n10": r(rng.normal([0.0, 0.3, 0.5, 0.6], 0.5, (10, 4)), 2),
    "ties_k3": [[1, 1, 2], [2, 2, 2], [1, 2, 3], [3, 1, 1], [2, 3, 3]],
    "k5_n20": r(rng.normal([0.0, 0.1, 0.2, 0.6, 0.7], 0.4, (20, 5)), 2),
}
for name, mat in fr_sets.items():
    mat = np.asarray(mat, float)
    n, k = mat.shape
    s = stats.friedmanchisquare(*[mat[:, j] for j in range(k)])
    # mean ranks with rank 1 = best, higher is better
    ranks = np.vstack([stats.rankdata(-row) for row in mat])
    mr = ranks.mean(axis=0)
    se = np.sqrt(k * (k + 1) / (6.0 * n))
    pairs, zs = [], []
    for i in range(k):
        for j in range(i + 1, k):
            pairs.append([i, j])
            zs.append((mr[j] - mr[i]) / se)
    zs = np.array(zs)
    post = {}
    for alt in ALTS:
        raw = {"two-sided": 2 * stats.norm.sf(np.abs(zs)), "greater": stats.norm.sf(zs), "less": stats.norm.cdf(zs)}[alt]
        post[alt] = {"raw": raw.tolist(), "holm": holm(raw).tolist()}
    nem_p = [float(stats.studentized_range.sf(abs(z) * np.sqrt(2), k, np.inf)) for z in zs]
    add("friedman", name, scores=mat.tolist(), statistic=s.statistic, pvalue=s.pvalue, mean_ranks=mr.tolist(),
        pairs=pairs, z=zs.tolist(), raw_p=post, nemenyi_p=nem_p)

for k in range(2, 21):
    for alpha in (0.05, 0.10):
        q = stats.studentized_range.ppf(1 - alpha, k, np.inf)
        add("studentized_range_quantile", f"k{k}:a{alpha}", k=k, alpha=alpha, q=q, nemenyi_cv=q / np.sqrt(2),
            cd_n10=q / np.sqrt(2) * np.sqrt(k * (k + 1) / 60.0))
for k, q in [(2, 1.0), (3, 2.5), (4, 3.5), (5, 0.5), (8, 4.2), (10, 6.0), (4, 6.5)]:
    add("studentized_range_cdf", f"k{k}:q{q}", k=k, q=q, cdf=stats.studentized_range.cdf(q, k, np.inf),
        sf=stats.studentized_range.sf(q, k, np.inf))


# ---------------------------------------------------------------- multiple comparisons
for name, p in {
    "mixed": [0.01, 0.04, 0.03, 0.005, 0.5, 0.2],
    "ties": [0.02, 0.02, 0.02, 0.8],
    "single": [0.03],
    "large": [0.6, 0.9, 0.99, 0.7],
    "tiny": [1e-12, 3e-9, 0.04, 0.049, 0.051],
}.items():
    add("padjust", name, p=p, bonferroni=np.minimum(1, np.asarray(p) * len(p)).tolist(), holm=holm(p).tolist(), bh=bh(p).tolist())

# ---------------------------------------------------------------- effect sizes
for name, (x, y) in {
    "medium": (r(rng.normal(0.5, 1, 15)), r(rng.normal(0, 1, 15))),
    "ties": ([1.0, 2, 2, 3, 3], [2.0, 2, 3, 4]),
    "reverse": ([0.1, 0.2, 0.3], [0.5, 0.6, 0.4, 0.7]),
    "identical": ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    "n1_vs_n2": ([5.0], [1.0, 3.0]),
}.items():
    x, y = np.asarray(x, float), np.asarray(y, float)
    n1, n2 = len(x), len(y)
    sp = np.sqrt(((n1 - 1) * (np.var(x, ddof=1) if n1 > 1 else 0) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
    d = (x.mean() - y.mean()) / sp
    naive = (np.sign(x[:, None] - y[None, :])).sum() / (n1 * n2)
    u = stats.mannwhitneyu(x, y, method="asymptotic").statistic
    add("effect", name, x=x.tolist(), y=y.tolist(), cohens_d=d, cliffs_delta=naive, cliffs_delta_from_u=2 * u / (n1 * n2) - 1)

# ---------------------------------------------------------------- intervals
for name, x in {
    "n5": [0.71, 0.73, 0.72, 0.74, 0.70],
    "n2": [1.0, 3.0],
    "n30": r(rng.normal(10, 2, 30)),
}.items():
    x = np.asarray(x, float)
    for level in (0.90, 0.95, 0.99):
        lo, hi = stats.t.interval(level, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        add("t_interval", f"{name}:{level}", x=x.tolist(), level=level, lower=lo, upper=hi)

boot_x = r(rng.normal(0.72, 0.02, 25), 4)
boot_y = r(rng.normal(0.70, 0.03, 20), 4)
for level in (0.90, 0.95):
    b1 = stats.bootstrap((boot_x,), np.mean, method="percentile", confidence_level=level, n_resamples=100000,
                         random_state=np.random.default_rng(1))
    add("bootstrap_mean", f"n25:{level}", x=boot_x, level=level, lower=b1.confidence_interval.low,
        upper=b1.confidence_interval.high, standard_error=b1.standard_error)
    b2 = stats.bootstrap((boot_x, boot_y), lambda a, b, axis: np.mean(a, axis=axis) - np.mean(b, axis=axis),
                         method="percentile", confidence_level=level, n_resamples=100000, vectorized=True,
                         random_state=np.random.default_rng(2))
    add("bootstrap_diff", f"n25_n20:{level}", x=boot_x, y=boot_y, level=level, lower=b2.confidence_interval.low,
        upper=b2.confidence_interval.high, standard_error=b2.standard_error)

# ---------------------------------------------------------------- non-inferiority (msr check)
# H0: current is worse than baseline by the margin or more. The current sample is shifted by the margin towards
# "better" (AUC: + margin, logloss: - margin) and tested one-sided "shifted current better than baseline".
# A separate generator, so the cases above keep their random draws.
ni_rng = np.random.default_rng(20260601)
ni_sets = {
    "auc_equal_5_5": ("higher", r(ni_rng.normal(0.800, 0.002, 5), 5), r(ni_rng.normal(0.800, 0.002, 5), 5), 0.003),
    "auc_worse_3_4": ("higher", [0.781, 0.779, 0.784], [0.801, 0.799, 0.804, 0.800], 0.005),
    "auc_better_4_3": ("higher", [0.812, 0.809, 0.815, 0.811], [0.800, 0.803, 0.801], 0.001),
    "auc_zero_margin_6_5": ("higher", r(ni_rng.normal(0.70, 0.01, 6), 4), r(ni_rng.normal(0.70, 0.01, 5), 4), 0.0),
    "logloss_equal_5_5": ("lower", r(ni_rng.normal(0.450, 0.003, 5), 5), r(ni_rng.normal(0.450, 0.003, 5), 5), 0.004),
    "logloss_worse_4_4": ("lower", [0.470, 0.468, 0.473, 0.471], [0.450, 0.452, 0.449, 0.451], 0.005),
    "logloss_better_10_12": ("lower", r(ni_rng.normal(0.44, 0.004, 10), 5), r(ni_rng.normal(0.45, 0.004, 12), 5), 0.002),
}
for name, (direction, cur, base, margin) in ni_sets.items():
    cur, base = np.asarray(cur, float), np.asarray(base, float)
    shifted = cur + margin if direction == "higher" else cur - margin
    alt = "greater" if direction == "higher" else "less"
    w = stats.ttest_ind(shifted, base, equal_var=False, alternative=alt)
    v1, v2 = np.var(cur, ddof=1) / len(cur), np.var(base, ddof=1) / len(base)
    df = (v1 + v2) ** 2 / (v1 ** 2 / (len(cur) - 1) + v2 ** 2 / (len(base) - 1))
    improvement = cur.mean() - base.mean() if direction == "higher" else base.mean() - cur.mean()
    for alpha in (0.05, 0.01):
        # one-sided (1 - alpha) lower confidence bound of the improvement
        bound = improvement - stats.t.ppf(1 - alpha, df) * np.sqrt(v1 + v2)
        add("noninferiority_welch", f"{name}:{alpha}", direction=direction, current=cur.tolist(), baseline=base.tolist(),
            margin=margin, alpha=alpha, statistic=w.statistic, pvalue=w.pvalue, df=df, lower_bound=bound,
            non_inferior=bool(w.pvalue < alpha))
    m = stats.mannwhitneyu(shifted, base, alternative=alt, method="auto")
    add("noninferiority_mannwhitney", name, direction=direction, current=cur.tolist(), baseline=base.tolist(),
        margin=margin, statistic=m.statistic, pvalue=m.pvalue)

out = {
    "generator": "tests/Msr.Core.Tests/Stats/reference/generate.py",
    "python": sys.version.split()[0],
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "cases": cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scipy-reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, allow_nan=False)
print(f"{len(cases)} cases -> {os.path.normpath(path)}")
