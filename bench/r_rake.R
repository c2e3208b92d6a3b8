# r_rake.R — R's survey::rake on bench_rake's data, for bench/run_rake.sh:
# the same respondents, the same 4 margins, exactly 10 sweeps (maxit = 10,
# epsilon = 1e-300, so the stopping rule never fires first), then every
# weight compared with sondage's (a file of raw doubles).
#
#   Rscript bench/r_rake.R DATA.csv TARGETS.csv SONDAGE_WEIGHTS.bin
#
# Prints `key value` lines: read_s, design_s, rake_s (elapsed seconds),
# rake_cpu_s (user + system seconds of the rake), n, max_rel_diff (largest
# |R - sondage| / R over every row's weight).
suppressPackageStartupMessages({ library(data.table); library(survey) })
a <- commandArgs(trailingOnly = TRUE)
cpu <- function() { p <- proc.time(); p[["user.self"]] + p[["sys.self"]] }
t0 <- proc.time()[["elapsed"]]
d <- fread(a[1])
t1 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~1, weights = ~w, data = d)
t2 <- proc.time()[["elapsed"]]
c2 <- cpu()
tg <- fread(a[2])
pops <- lapply(paste0("m", 1:4), function(m) {
    x <- tg[margin == m]
    p <- data.frame(x$code, x$total)
    names(p) <- c(m, "Freq")
    p
})
r <- suppressWarnings(rake(des, list(~m1, ~m2, ~m3, ~m4), pops,
                           control = list(maxit = 10, epsilon = 1e-300)))
t3 <- proc.time()[["elapsed"]]
c3 <- cpu()
w <- weights(r)
s <- readBin(a[3], "double", n = length(w) + 1)
stopifnot(length(s) == length(w))
cat(sprintf("read_s %.3f\ndesign_s %.3f\nrake_s %.3f\nrake_cpu_s %.3f\nn %d\nmax_rel_diff %.3g\n",
            t1 - t0, t2 - t1, t3 - t2, c3 - c2, length(w), max(abs(w - s) / abs(w))))
