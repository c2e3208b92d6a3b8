# gen_weight_fixtures.R — the R oracle for sondage's weighting (issue 15).
#
# Makes small seeded datasets (tests/oracle/weight/data/*.csv), targets
# files (tests/oracle/weight/targets/*.yml), the list of cases with their
# sondage options (tests/oracle/weight/cases.csv) and, per case, what R's
# survey package gives (tests/oracle/weight/fixtures/<case>.csv): every
# row's weight after rake / postStratify / calibrate / trimWeights, and the
# proportions, means and totals (with their SEs) of the weighted design, so
# that CI checks the C weighting without R.
#
#   Rscript tests/oracle/gen_weight_fixtures.R      (from the repository root)
#
# Written against Debian r-cran-survey 4.1-1 (packageVersion 4.1.1) on
# R 4.2.2. Deterministic: one set.seed(), fixed RNG kinds. Numbers are
# printed with sprintf("%.17g"). tests/oracle/weight/README.md says what
# each number is.

suppressPackageStartupMessages(library(survey))
if (packageVersion("survey") != "4.1.1")
    warning("fixtures were designed for survey 4.1.1; this is ",
            format(packageVersion("survey")))
invisible(Sys.setlocale("LC_COLLATE", "C"))   # factor levels in byte order, as sondage
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261124)
options(survey.lonely.psu = "fail", survey.ultimate.cluster = FALSE,
        survey.replicates.mse = FALSE, scipen = 100, warn = 1)

root <- "tests/oracle/weight"
if (!file.exists("tests/oracle/gen_weight_fixtures.R"))
    stop("run from the repository root: Rscript tests/oracle/gen_weight_fixtures.R")
ddir <- file.path(root, "data"); tdir <- file.path(root, "targets"); fdir <- file.path(root, "fixtures")
unlink(c(ddir, tdir, fdir), recursive = TRUE)
for (d in c(ddir, tdir, fdir)) dir.create(d, recursive = TRUE)

fmt <- function(x) sprintf("%.17g", x)

## ---------------------------------------------------------------- data ----

# n rows: margins a (codes 1..3), r (strings), s (codes 1..2), numeric z;
# outcomes y (1..3, some NA), x (some NA), b (0/1); banner g (1..3). The
# outcomes depend on the margins, so weighting moves the estimates.
gen <- function(n, u = rep(0, n)) {
    a <- sample(1:3, n, TRUE, prob = c(0.5, 0.3, 0.2))
    r <- sample(c("east", "north", "south", "west"), n, TRUE, prob = c(0.2, 0.35, 0.3, 0.15))
    s <- sample(1:2, n, TRUE, prob = c(0.6, 0.4))
    z <- round(runif(n, 10, 90) + 15 * (a - 1), 1)
    g <- sample(1:3, n, TRUE)
    lin <- 0.4 * (a - 2) + 0.5 * (r == "south") - 0.3 * (s == 2) + u
    y <- ifelse(runif(n) < plogis(lin), 1, ifelse(runif(n) < 0.5, 2, 3))
    y[sample.int(n, round(0.04 * n))] <- NA
    x <- round(40 + 5 * a + 8 * (r == "west") + 0.1 * z + 6 * u + rnorm(n, 0, 8), 2)
    x[sample.int(n, round(0.04 * n))] <- NA
    b <- rbinom(n, 1, plogis(-0.2 + 0.6 * (s == 2) + u))
    data.frame(a = a, r = r, s = s, z = z, g = g, y = y, x = x, b = b)
}

write_data <- function(d, name) {
    f <- file.path(ddir, name)
    write.csv(d, f, row.names = FALSE, na = "", quote = FALSE)
    back <- read.csv(f, stringsAsFactors = FALSE)
    stopifnot(identical(names(back), names(d)), nrow(back) == nrow(d))
    if (any(grepl("[eE][+-]", readLines(f)[-1]))) stop("scientific notation in ", name)
    back
}

N <- 25000   # the population size of every target
datasets <- list()
# srs: unequal weights only, far below the population (so R's grake rescales)
d <- gen(400)
d$w <- round(runif(400, 0.5, 3), 3)
datasets$srs.csv <- write_data(d, "srs.csv")

# strat: 4 strata, element sampling (linearisation by strata moments)
nh <- c(90, 110, 80, 120)
st <- rep(1:4, nh)
d <- gen(sum(nh), c(-0.3, 0, 0.2, 0.4)[st])
d$st <- st
d$w <- c(20, 35, 15, 40)[st] * runif(length(st), 0.8, 1.2)
d$w <- round(d$w * 0.9 * N / sum(d$w), 3)   # near the population, as real weights are
datasets$strat.csv <- write_data(d, "strat.csv")

# clus: 5 strata of 6 PSUs (codes restart in each stratum: nest), 8-14 rows each
nps <- rep(6, 5)
sizes <- sample(8:14, sum(nps), TRUE)
u <- rep(rnorm(sum(nps), 0, 0.4), sizes)
d <- gen(sum(sizes), u)
d$st <- rep(rep(1:5, nps), sizes)
d$psu <- rep(unlist(lapply(nps, seq_len)), sizes)
d$w <- rep(runif(sum(nps), 10, 40), sizes) * runif(sum(sizes), 0.9, 1.1)
d$w <- round(d$w * 0.9 * N / sum(d$w), 3)
datasets$clus.csv <- write_data(d, "clus.csv")

# rep: JK1 replicate weights made by survey from a one-stage cluster sample
sizes <- sample(8:14, 24, TRUE)
u <- rep(rnorm(24, 0, 0.4), sizes)
d <- gen(sum(sizes), u)
d$psu <- rep(1:24, sizes)
d$w <- rep(runif(24, 10, 40), sizes) * runif(sum(sizes), 0.9, 1.1)
d$w <- round(d$w * 0.9 * N / sum(d$w), 3)
des0 <- svydesign(ids = ~psu, weights = ~w, data = d)
rd <- as.svrepdesign(des0, type = "JK1", compress = FALSE)
W <- round(unclass(as.matrix(weights(rd, "analysis"))), 6)
W <- matrix(as.numeric(W), nrow = nrow(W))
colnames(W) <- paste0("r", seq_len(ncol(W)))
jk1_scale <- rd$scale
d <- cbind(d[, setdiff(names(d), "psu")], as.data.frame(W))
datasets$rep.csv <- write_data(d, "rep.csv")

## ------------------------------------------------------------- targets ----

# Population margins: shares times N.
tilt <- function(levels, shares) setNames(shares / sum(shares) * N, levels)
pa <- tilt(1:3, c(0.4, 0.35, 0.25))
pr <- tilt(c("east", "north", "south", "west"), c(0.25, 0.3, 0.25, 0.2))
ps <- tilt(1:2, c(0.55, 0.45))
# cells a x s (consistent with pa and ps only in total: post-stratification uses cells alone)
pas <- expand.grid(a = 1:3, s = 1:2)
pas$Freq <- as.vector(outer(pa / N, ps / N) * N)
pas$Freq <- round(pas$Freq * c(1.1, 0.9, 1, 0.95, 1.05, 1) / sum(pas$Freq * c(1.1, 0.9, 1, 0.95, 1.05, 1)) * N, 2)
pas$Freq[6] <- N - sum(pas$Freq[1:5])

yaml_margin <- function(name, v, quote = FALSE) {
    keys <- names(v)
    if (quote) keys <- paste0('"', keys, '"')
    paste0("  ", name, ": {", paste(paste0(keys, ": ", fmt(v)), collapse = ", "), "}")
}
write_targets <- function(name, lines) writeLines(c(paste("# targets", name, "(gen_weight_fixtures.R)"), lines),
                                                  file.path(tdir, paste0(name, ".yml")))
write_targets("margins", c(paste("population:", fmt(N)), "margins:",
                           yaml_margin("a", pa), yaml_margin("r", pr, TRUE), yaml_margin("s", ps)))
# the same margins as proportions (sondage scales them by the population)
write_targets("margins_prop", c(paste("population:", fmt(N)), "margins:",
                                yaml_margin("a", pa / N), yaml_margin("r", pr / N, TRUE),
                                yaml_margin("s", ps / N)))
write_targets("cells", c(paste("population:", fmt(N)), "cells:",
                         sprintf("  - {a: %d, s: %d, total: %s}", pas$a, pas$s, fmt(pas$Freq))))
write_targets("one_margin", c("margins:", yaml_margin("r", pr, TRUE)))

# totals of z: the sample's weighted mean of z moved up 5%
zbar <- function(d) sum(d$w * d$z) / sum(d$w)
totals_for <- function(name, d) {
    tz <- N * zbar(d) * 1.05
    write_targets(name, c(paste("population:", fmt(N)), "margins:",
                          yaml_margin("a", pa), yaml_margin("r", pr, TRUE),
                          "totals:", paste0("  z: ", fmt(tz))))
    tz
}
tz <- list(srs = totals_for("calib_srs", datasets$srs.csv),
           strat = totals_for("calib_strat", datasets$strat.csv),
           clus = totals_for("calib_clus", datasets$clus.csv),
           rep = totals_for("calib_rep", datasets$rep.csv))

## ------------------------------------------------------------- designs ----

asf <- function(d) { d$a <- factor(d$a); d$r <- factor(d$r); d$s <- factor(d$s); d }
base_design <- function(kind, d) {
    d <- asf(d)
    switch(kind,
           srs = svydesign(ids = ~1, weights = ~w, data = d),
           strat = svydesign(ids = ~1, strata = ~st, weights = ~w, data = d),
           clus = svydesign(ids = ~psu, strata = ~st, weights = ~w, data = d, nest = TRUE),
           jkn = as.svrepdesign(svydesign(ids = ~psu, strata = ~st, weights = ~w, data = d, nest = TRUE),
                                type = "JKn", compress = FALSE),
           rep = svrepdesign(data = d, repweights = d[, grep("^r[0-9]+$", names(d))], weights = ~w,
                             type = "JK1", scale = jk1_scale, combined.weights = TRUE))
}
base_args <- list(srs = "--weight w", strat = "--weight w --strata st",
                  clus = "--weight w --strata st --cluster psu --nest",
                  jkn = "--weight w --strata st --cluster psu --nest --make-replicates jkn",
                  rep = paste("--weight w --repweights", paste0("r", 1:24, collapse = ","),
                              "--reptype jk1 --scale", fmt(jk1_scale)))
data_of <- list(srs = "srs.csv", strat = "strat.csv", clus = "clus.csv", jkn = "clus.csv", rep = "rep.csv")

pop_df <- function(v, name) { x <- data.frame(names(v), as.vector(v)); names(x) <- c(name, "Freq"); x }
do_rake <- function(des, ...) rake(des, list(~a, ~r, ~s),
                                   list(pop_df(pa, "a"), pop_df(pr, "r"), pop_df(ps, "s")), ...)
# calibrate(~a + r + z): population by R's column names
cal_pop <- function(tzv) {
    c(`(Intercept)` = N, a2 = pa[["2"]], a3 = pa[["3"]], rnorth = pr[["north"]],
      rsouth = pr[["south"]], rwest = pr[["west"]], z = tzv)
}

cases <- list()
add <- function(name, kind, targets, opts, build, tol = "iterative") {
    cases[[name]] <<- list(kind = kind, targets = targets, opts = opts, build = build, tol = tol)
}
for (kind in c("srs", "strat", "clus", "rep", "jkn")) {
    tzv <- tz[[if (kind == "jkn") "clus" else kind]]
    ct <- paste0("calib_", if (kind == "jkn") "clus" else kind)
    add(paste0(kind, "_rake"), kind, "margins", "--method rake", function(des) do_rake(des))
    add(paste0(kind, "_linear"), kind, ct, "--method linear",
        local({ tzv <- tzv; function(des) calibrate(des, ~a + r + z, cal_pop(tzv), compress = FALSE) }), tol = "closed")
    add(paste0(kind, "_logit"), kind, ct, "--method logit --bounds 0.4,2.5",
        local({ tzv <- tzv; function(des) calibrate(des, ~a + r + z, cal_pop(tzv), compress = FALSE, calfun = "logit",
                                                     bounds = c(0.4, 2.5)) }))
    add(paste0(kind, "_post"), kind, "cells", "--method poststratify",
        function(des) postStratify(des, ~a + s, pas), tol = "closed")
}
add("srs_rake_prop", "srs", "margins_prop", "--method rake", function(des) do_rake(des))
add("srs_rake_tight", "srs", "margins", "--method rake --tolerance 1e-6 --max-iter 100",
    function(des) do_rake(des, control = list(maxit = 100, epsilon = 1e-6)))
add("srs_raking", "srs", "calib_srs", "--method raking",
    function(des) calibrate(des, ~a + r + z, cal_pop(tz$srs), compress = FALSE, calfun = "raking"))
add("strat_linear_bounded", "strat", "calib_strat", "--method linear --bounds 0.65,2",
    function(des) calibrate(des, ~a + r + z, cal_pop(tz$strat), compress = FALSE, bounds = c(0.65, 2)))
# R fails: the bounds (read after its rescaling by about 39) cannot be met.
add("srs_linear_bounded_fails", "srs", "calib_srs", "--method linear --bounds 0.7,1.6",
    function(des) calibrate(des, ~a + r + z, cal_pop(tz$srs), compress = FALSE, bounds = c(0.7, 1.6)))
add("srs_post_one", "srs", "one_margin", "--method poststratify",
    function(des) postStratify(des, ~r, pop_df(pr, "r")), tol = "closed")
add("srs_rake_trim", "srs", "margins", "--method rake --trim 20,120",
    function(des) trimWeights(do_rake(des), lower = 20, upper = 120, strict = TRUE))
add("clus_rake_trim", "clus", "margins", "--method rake --trim 30,140",
    function(des) trimWeights(do_rake(des), lower = 30, upper = 140, strict = TRUE))
add("strat_linear_trim", "strat", "calib_strat", "--method linear --trim 25,110",
    function(des) trimWeights(calibrate(des, ~a + r + z, cal_pop(tz$strat), compress = FALSE), lower = 25,
                              upper = 110, strict = TRUE), tol = "closed")

## ------------------------------------------------------------ results ----

case_results <- function(des, d) {
    out <- new.env(); out$rows <- list()
    put <- function(stat, row_var, row, col, value) {
        value <- unname(as.numeric(value))
        stopifnot(length(value) == 1, is.finite(value))
        out$rows[[length(out$rows) + 1]] <- data.frame(stat = stat, row_var = row_var,
                                                       row = as.character(row), col_var = "g",
                                                       col = as.character(col), value = fmt(value))
    }
    w <- weights(des, "sampling")
    if (inherits(des, "svyrep.design")) w <- des$pweights
    for (i in seq_along(w)) put("weight", "", i, "", w[[i]])
    for (dom in c(as.list(1:3), list("total"))) {
        in_dom <- if (identical(dom, "total")) rep(TRUE, nrow(d)) else d$g == dom
        dy <- des[in_dom & !is.na(d$y), ]
        for (k in 1:3) {
            m <- svymean(as.formula(paste0("~y", k)), dy, na.rm = TRUE)
            put("pct", "y", k, dom, coef(m))
            put("pct_se", "y", k, dom, SE(m))
        }
        dx <- des[in_dom & !is.na(d$x), ]
        m <- svymean(~x, dx, na.rm = TRUE)
        put("mean", "x", "mean", dom, coef(m))
        put("mean_se", "x", "mean", dom, SE(m))
        t <- svytotal(~x, dx, na.rm = TRUE)
        put("total", "x", "mean", dom, coef(t))
        put("total_se", "x", "mean", dom, SE(t))
    }
    do.call(rbind, out$rows)
}

case_lines <- "case,data,args,tol"
t0 <- proc.time()[["elapsed"]]
for (name in names(cases)) {
    cs <- cases[[name]]
    d <- datasets[[data_of[[cs$kind]]]]
    da <- d
    names(da)[names(da) == "g"] <- "grp"
    for (k in 1:3) da[[paste0("y", k)]] <- as.numeric(d$y == k)
    des <- tryCatch(cs$build(base_design(cs$kind, da)), error = function(e) e)
    f <- file.path(fdir, paste0(name, ".csv"))
    if (inherits(des, "error")) {
        if (!grepl("_fails$", name)) stop("case ", name, ": ", conditionMessage(des))
        writeLines(c("stat,row_var,row,col_var,col,value",
                     paste0('error,,,,,"', gsub('"', '""', conditionMessage(des)), '"')), f)
        res <- data.frame(stat = "error")
    } else {
        res <- case_results(des, d)
        writeLines(c("stat,row_var,row,col_var,col,value",
                     paste(res$stat, res$row_var, res$row, res$col_var, res$col, res$value, sep = ",")), f)
    }
    args <- paste(base_args[[cs$kind]], "--targets", file.path(tdir, paste0(cs$targets, ".yml")), cs$opts)
    case_lines <- c(case_lines, paste(name, data_of[[cs$kind]], paste0('"', args, '"'), cs$tol, sep = ","))
    cat(sprintf("%-22s %5d values\n", name, nrow(res)))
}
writeLines(case_lines, file.path(root, "cases.csv"))
cat(sprintf("done in %.1f s\n", proc.time()[["elapsed"]] - t0))
