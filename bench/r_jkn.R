# r_jkn.R -- the reference for the bench's made-jackknife row: R's survey on
# the bundled study, each respondent its own PSU within its stratum,
# replicates made by as.svrepdesign(type = "JKn") (2,800 of them), then the
# proportions of `integration` with their SEs by role and in total, as
# `sondage tab STUDY.csv --rows integration --cols role --strata stratum
# --cluster id --make-replicates jkn --stats --format csv` gives them.
#
#   Rscript bench/r_jkn.R examples/dsi-marketing/dsi-marketing.csv
#
# Output (stdout): var,role,code,pct,se (17 significant digits).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript r_jkn.R STUDY.csv")
num <- function(x) sprintf("%.17g", x)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1])
d$integration <- factor(d$integration)
des <- suppressWarnings(as.svrepdesign(svydesign(ids = ~id, strata = ~stratum, data = d),
                                       type = "JKn"))
t1 <- proc.time()[["elapsed"]]
by <- svyby(~integration, ~role, des, svymean, na.rm = TRUE)
tot <- svymean(~integration, des, na.rm = TRUE)
codes <- levels(d$integration)
K <- length(codes)
out <- character(0)
for (i in seq_len(nrow(by)))
    out <- c(out, paste("integration", by$role[i], codes, num(unlist(by[i, 1 + seq_len(K)])),
                        num(unlist(by[i, 1 + K + seq_len(K)])), sep = ","))
out <- c(out, paste("integration", "total", codes, num(coef(tot)), num(SE(tot)), sep = ","))
t2 <- proc.time()[["elapsed"]]
writeLines(c("var,role,code,pct,se", out))
message(sprintf("r_jkn: design and %d replicates %.2f s, estimates %.2f s", ncol(des$repweights),
                t1 - t0, t2 - t1))
