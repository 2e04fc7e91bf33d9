#!/usr/bin/env bash
# Regenerates the figures of docs/user-guide.md from the README's main command on the
# bundled example cohort: the run's own PNGs, and the top of report.html as headless
# Chromium draws it (1400 px wide, cropped to 1400 x 1100 with Python's PIL if available).
# usage: bash docs/figures/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo run --release --quiet -- run data/seed_cohort.csv --subjects data/seed_cohort_subjects.csv --out "$out/results" --quiet || true
fig=docs/figures
cp "$out/results/plots/patients/SIM004.png" "$fig/run_patient_SIM004.png"
cp "$out/results/plots/cohort_blood_qpcr.png" "$fig/run_cohort_blood_qpcr_by_response.png"
cp "$out/results/plots/cohort_marrow_qpcr.png" "$fig/run_cohort_marrow_qpcr_by_response.png"
cp "$out/results/plots/km_persistence.png" "$fig/run_km_persistence.png"
cp "$out/results/plots/km_os_by_response.png" "$fig/run_km_os_by_response.png"
cp "$out/results/plots/exposure_response_auc_0_28.png" "$fig/run_exposure_response_auc_0_28.png"
cp "$out/results/plots/cmax_by_response.png" "$fig/run_cmax_by_response.png"
# The README's figures.
cp "$out/results/plots/patients/SIM004.png" "$fig/patient_SIM004.png"
cp "$out/results/plots/cohort_blood_qpcr.png" "$fig/cohort_blood_qpcr.png"
cp "$out/results/plots/gof_blood_qpcr.png" "$fig/gof_blood_qpcr.png"
for vpc in "$out"/results/plots/vpc_*.png; do
  [ -e "$vpc" ] && cp "$vpc" "$fig/run_$(basename "$vpc")"
done
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --hide-scrollbars --screenshot="$out/top.png" --window-size=1400,1100 \
  "file://$out/results/report.html" >/dev/null 2>&1
cp "$out/top.png" "$fig/report_top.png"
echo "figures written to $fig"
