#!/usr/bin/env bash
# Installs what the scripts that write R reference fixtures need (they are run by hand when
# a reference changes, not by the tests): Debian's R 4.2.2 with survival 3.5-3 and MASS
# 7.3-58, the versions the committed fixtures were made with.
#   crates/report/tests/fixtures/endpoints.R   (survival, response, exposure-response)
#   crates/cli/tests/fixtures/run_reference.R  (the README run's summary statistics)
# usage: bash tools/install-r.sh   (as root, as on the project's machines)
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  r-base-core r-cran-survival r-cran-mass
Rscript -e 'cat(R.version.string, "survival", format(packageVersion("survival")), "MASS", format(packageVersion("MASS")), "\n")'
