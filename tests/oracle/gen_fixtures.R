# gen_fixtures.R — the R oracle for sondage's design-based statistics.
#
# Makes small seeded survey datasets (tests/oracle/data/*.csv), the list of test
# cases with their sondage design options (tests/oracle/cases.csv) and, for
# each case, the results R's `survey` package gives (tests/oracle/fixtures/
# <case>.csv), so CI can check the C statistics without R.
#
#   Rscript tests/oracle/gen_fixtures.R        (from the repository root)
#
# Written against Debian r-cran-survey 4.1-1 (packageVersion 4.1.1) on
# R 4.2.2; the README beside this file says what every number is and the
# exact formula R uses for it. Deterministic: one set.seed(), fixed RNG kinds.
# Numbers in fixtures are printed with sprintf("%.17g"), never rounded.

suppressPackageStartupMessages(library(survey))
if (packageVersion("survey") != "4.1.1")
    warning("fixtures were designed for survey 4.1.1; this is ",
            format(packageVersion("survey")))

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20240611)
options(survey.lonely.psu = "fail",           # R's defaults, made explicit
        survey.adjust.domain.lonely = FALSE,
        survey.ultimate.cluster = FALSE,
        survey.replicates.mse = FALSE,
        survey.drop.replicates = TRUE,
        scipen = 100, warn = 1)

root <- "tests/oracle"
if (!file.exists(file.path(root, "gen_fixtures.R")))
    stop("run from the repository root: Rscript tests/oracle/gen_fixtures.R")
ddir <- file.path(root, "data")
fdir <- file.path(root, "fixtures")
unlink(c(ddir, fdir), recursive = TRUE)
dir.create(ddir, recursive = TRUE)
dir.create(fdir, recursive = TRUE)

## ---------------------------------------------------------------- data ----

# Outcomes for n rows: y categorical 1..K (about 4% NA), b 0/1, x continuous
# (2 decimals, about 4% NA), g banner 1..G. u is a per-row cluster effect
# (shared by the rows of a PSU) so that clustered designs have deff > 1.
gen_outcomes <- function(n, u, K, G) {
    g <- sample.int(G, n, replace = TRUE, prob = c(0.45, 0.35, 0.2)[1:G])
    base <- c(0, 0.3, -0.2, -0.5)[1:K]
    lin <- matrix(base, n, K, byrow = TRUE) +
        outer(g - 1, seq_len(K) - 1, function(a, k) 0.3 * a * (-1)^k * (k > 0)) +
        outer(u, seq(-1, 1, length.out = K))
    pr <- exp(lin) / rowSums(exp(lin))
    y <- apply(pr, 1, function(p) sample.int(K, 1, prob = p))
    y[sample.int(n, round(0.04 * n))] <- NA
    b <- rbinom(n, 1, plogis(-0.3 + 0.5 * (g == 2) + u))
    x <- round(50 + 4 * g + 8 * u + rnorm(n, 0, 10), 2)
    x[sample.int(n, round(0.04 * n))] <- NA
    tab <- table(factor(y, 1:K), factor(g, 1:G))
    if (any(tab < 5)) stop("generator: a y-by-g cell has fewer than 5 rows")
    data.frame(y = y, b = b, x = x, g = g)
}

# Clustered sample: PSU sizes in `sizes`, one random effect per PSU.
gen_clustered <- function(sizes, K, G, sd_u = 0.5) {
    u <- rep(rnorm(length(sizes), 0, sd_u), sizes)
    gen_outcomes(sum(sizes), u, K, G)
}

write_data <- function(d, name) {
    f <- file.path(ddir, name)
    write.csv(d, f, row.names = FALSE, na = "", quote = FALSE)
    back <- read.csv(f)
    stopifnot(identical(names(back), names(d)), nrow(back) == nrow(d))
    for (v in names(d)) {
        a <- as.numeric(d[[v]]); bb <- as.numeric(back[[v]])
        stopifnot(identical(is.na(a), is.na(bb)))
        ok <- !is.na(a)
        if (any(abs(a[ok] - bb[ok]) > 1e-12 * pmax(1, abs(a[ok]))))
            stop("CSV round trip changed column ", v, " of ", name)
    }
    if (any(grepl("[eE]", readLines(f)[-1]))) stop("scientific notation in ", name)
    back   # fixtures are computed from exactly what the CSV holds
}

datasets <- list()

# srs: weights only, 300 rows, y 1..4, g 1..3
d <- gen_outcomes(300, rep(0, 300), K = 4, G = 3)
d$w <- round(runif(300, 1, 4), 3)
datasets$srs.csv <- write_data(d, "srs.csv")

# strat: 4 strata, element sampling, fpc as population sizes; y 1..3, g 1..2
nh <- c(80, 120, 110, 90); Nh <- c(200, 600, 2750, 360)
st <- rep(1:4, nh)
d <- gen_outcomes(sum(nh), c(-0.4, 0, 0.3, 0.6)[st], K = 3, G = 2)
d$st <- st
d$w <- round(Nh[st] / nh[st] * runif(length(st), 0.85, 1.15), 4)
d$fpc1 <- Nh[st]
datasets$strat.csv <- write_data(d, "strat.csv")
# strat_frac: the same rows, fpc given as sampling fractions (popsize = n_h/f_h
# is then not a whole number, so the implementer must not round it)
d$fpc1 <- c(0.37, 0.21, 0.043, 0.26)[st]
datasets$strat_frac.csv <- write_data(d, "strat_frac.csv")

# cluster1: one-stage cluster sample, 30 PSUs (ids 1..30), no strata
sizes <- sample(6:14, 30, replace = TRUE)
d <- gen_clustered(sizes, K = 4, G = 3)
d$psu <- rep(sample.int(30), sizes)
d$w <- round(rep(runif(30, 5, 25), sizes) * runif(sum(sizes), 0.9, 1.1), 4)
datasets$cluster1.csv <- write_data(d, "cluster1.csv")

# clusterst: 5 strata, 5-7 PSUs each, PSU codes restart at 1 in every stratum
# (so the design needs nest=TRUE)
nps <- c(5, 6, 7, 6, 6)
sizes <- sample(6:11, sum(nps), replace = TRUE)
d <- gen_clustered(sizes, K = 3, G = 3)
d$st <- rep(rep(1:5, nps), sizes)
d$psu <- rep(unlist(lapply(nps, seq_len)), sizes)
d$w <- round(rep(runif(sum(nps), 8, 30), sizes) * runif(sum(sizes), 0.9, 1.1), 4)
datasets$clusterst.csv <- write_data(d, "clusterst.csv")

# twostage: 16 PSUs of N1=120; in PSU i, m_i of M_i SSUs (2..4 of 6..12);
# 3..6 rows per SSU. ssu codes restart at 1 in every PSU.
n1 <- 16; N1 <- 120
m <- sample(2:4, n1, replace = TRUE); M <- sample(6:12, n1, replace = TRUE)
ssu_sizes <- sample(3:6, sum(m), replace = TRUE)
psu_of_ssu <- rep(seq_len(n1), m)
u <- rep(rnorm(n1, 0, 0.5)[psu_of_ssu] + rnorm(sum(m), 0, 0.25), ssu_sizes)
d <- gen_outcomes(sum(ssu_sizes), u, K = 3, G = 2)
d$psu <- rep(psu_of_ssu, ssu_sizes)
d$ssu <- rep(unlist(lapply(m, seq_len)), ssu_sizes)
d$w <- round(rep((N1 / n1) * (M / m)[psu_of_ssu] * runif(sum(m), 2, 4), ssu_sizes), 4)
d$fpc1 <- N1
d$fpc2 <- M[d$psu]
datasets$twostage.csv <- write_data(d, "twostage.csv")

# lonely: 5 strata with 4,5,1,4,6 PSUs: stratum 3 has a single PSU
nps <- c(4, 5, 1, 4, 6)
sizes <- sample(8:14, sum(nps), replace = TRUE)
d <- gen_clustered(sizes, K = 3, G = 2)
d$st <- rep(rep(1:5, nps), sizes)
d$psu <- rep(unlist(lapply(nps, seq_len)), sizes)
d$w <- round(rep(runif(sum(nps), 8, 30), sizes) * runif(sum(sizes), 0.9, 1.1), 4)
datasets$lonely.csv <- write_data(d, "lonely.csv")

# brr: 10 strata x 2 PSUs (source of the BRR and Fay replicate weights)
sizes <- sample(10:14, 20, replace = TRUE)
d_brr <- gen_clustered(sizes, K = 3, G = 2)
d_brr$st <- rep(rep(1:10, each = 2), sizes)
d_brr$psu <- rep(rep(1:2, 10), sizes)
d_brr$w <- round(rep(runif(20, 8, 30), sizes) * runif(sum(sizes), 0.9, 1.1), 4)

## --------------------------------------------------------- designs ----

lin_design <- function(d, strata = NULL, cluster = NULL, fpc = NULL, nest = FALSE) {
    ids <- if (is.null(cluster)) ~1 else as.formula(paste("~", paste(cluster, collapse = "+")))
    svydesign(ids = ids,
              strata = if (is.null(strata)) NULL else as.formula(paste("~", strata)),
              fpc = if (is.null(fpc)) NULL else as.formula(paste("~", paste(fpc, collapse = "+"))),
              weights = ~w, data = d, nest = nest)
}

rep_cols <- function(d) grep("^r[0-9]+$", names(d), value = TRUE)

# A replicate-weight dataset: outcomes, w and r1..rR (combined weights,
# rounded to 6 decimals like published replicate weights).
write_rep_data <- function(d, W, name) {
    W <- as.matrix(W)
    W <- round(matrix(as.numeric(W), nrow = nrow(W)), 6)
    colnames(W) <- paste0("r", seq_len(ncol(W)))
    out <- cbind(d[, c("y", "b", "x", "g", "w")], as.data.frame(W))
    write_data(out, name)
}

rep_design <- function(d, type, scale = NULL, rscales = NULL, rho = NULL, mse = FALSE) {
    svrepdesign(data = d, repweights = d[, rep_cols(d)], weights = ~w, type = type,
                scale = scale, rscales = rscales, rho = rho, mse = mse,
                combined.weights = TRUE)
}

fmt <- function(x) sprintf("%.17g", x)
rlist <- function(d) paste(rep_cols(d), collapse = ",")

cases <- list()   # case name -> list(data, args, design builder, notes)
add_case <- function(name, data, args, build, lonely = "fail", estimates_only = FALSE) {
    cases[[name]] <<- list(data = data, args = args, build = build, lonely = lonely,
                           estimates_only = estimates_only)
}

add_case("srs", "srs.csv", "--weight w",
         function(d) lin_design(d))
add_case("strat_fpc", "strat.csv", "--weight w --strata st --fpc fpc1",
         function(d) lin_design(d, strata = "st", fpc = "fpc1"))
add_case("strat_fpc_frac", "strat_frac.csv", "--weight w --strata st --fpc fpc1",
         function(d) lin_design(d, strata = "st", fpc = "fpc1"))
add_case("cluster1", "cluster1.csv", "--weight w --cluster psu",
         function(d) lin_design(d, cluster = "psu"))
add_case("cluster1_strat", "clusterst.csv", "--weight w --strata st --cluster psu --nest",
         function(d) lin_design(d, strata = "st", cluster = "psu", nest = TRUE))
add_case("cluster1_strat_nonest", "clusterst.csv", "--weight w --strata st --cluster psu",
         function(d) lin_design(d, strata = "st", cluster = "psu", nest = FALSE))
add_case("twostage_fpc", "twostage.csv", "--weight w --cluster psu,ssu --fpc fpc1,fpc2",
         function(d) lin_design(d, cluster = c("psu", "ssu"), fpc = c("fpc1", "fpc2")))
for (lp in c("fail", "remove", "adjust", "certainty", "average"))
    add_case(paste0("lonely_", lp), "lonely.csv",
             paste("--weight w --strata st --cluster psu --nest --lonely-psu", lp),
             function(d) lin_design(d, strata = "st", cluster = "psu", nest = TRUE),
             lonely = lp)

# Replicate designs: weights made by survey's own generators, written out,
# read back, and given to svrepdesign(combined.weights = TRUE).
des <- lin_design(datasets$cluster1.csv, cluster = "psu")
rd <- as.svrepdesign(des, type = "JK1", compress = FALSE)
datasets$rep_jk1.csv <- dj <- write_rep_data(datasets$cluster1.csv, weights(rd, "analysis"), "rep_jk1.csv")
jk1_scale <- rd$scale
add_case("rep_jk1", "rep_jk1.csv",
         paste("--weight w --repweights", rlist(dj), "--reptype jk1 --scale", fmt(jk1_scale)),
         function(d) rep_design(d, "JK1", scale = jk1_scale))
add_case("rep_jk1_mse", "rep_jk1.csv",
         paste("--weight w --repweights", rlist(dj), "--reptype jk1 --scale", fmt(jk1_scale), "--mse"),
         function(d) rep_design(d, "JK1", scale = jk1_scale, mse = TRUE))

des <- lin_design(datasets$clusterst.csv, strata = "st", cluster = "psu", nest = TRUE)
rd <- as.svrepdesign(des, type = "JKn", compress = FALSE)
datasets$rep_jkn.csv <- dn <- write_rep_data(datasets$clusterst.csv, weights(rd, "analysis"), "rep_jkn.csv")
jkn_rscales <- rd$rscales
stopifnot(rd$scale == 1)
add_case("rep_jkn", "rep_jkn.csv",
         paste("--weight w --repweights", rlist(dn), "--reptype jkn --rscales",
               paste(fmt(jkn_rscales), collapse = ",")),
         function(d) rep_design(d, "JKn", rscales = jkn_rscales))
add_case("rep_jkn_mse", "rep_jkn.csv",
         paste("--weight w --repweights", rlist(dn), "--reptype jkn --rscales",
               paste(fmt(jkn_rscales), collapse = ","), "--mse"),
         function(d) rep_design(d, "JKn", rscales = jkn_rscales, mse = TRUE))

rd <- as.svrepdesign(des, type = "bootstrap", replicates = 50, compress = FALSE)
datasets$rep_bootstrap.csv <- dbt <- write_rep_data(datasets$clusterst.csv, weights(rd, "analysis"), "rep_bootstrap.csv")
boot_scale <- rd$scale
add_case("rep_bootstrap", "rep_bootstrap.csv",
         paste("--weight w --repweights", rlist(dbt), "--reptype bootstrap --scale", fmt(boot_scale)),
         function(d) rep_design(d, "bootstrap", scale = boot_scale))

des <- lin_design(d_brr, strata = "st", cluster = "psu", nest = TRUE)
rd <- as.svrepdesign(des, type = "BRR", compress = FALSE)
datasets$rep_brr.csv <- db <- write_rep_data(d_brr, weights(rd, "analysis"), "rep_brr.csv")
add_case("rep_brr", "rep_brr.csv",
         paste("--weight w --repweights", rlist(db), "--reptype brr"),
         function(d) rep_design(d, "BRR"))
rd <- as.svrepdesign(des, type = "Fay", fay.rho = 0.3, compress = FALSE)
datasets$rep_fay.csv <- df <- write_rep_data(d_brr, weights(rd, "analysis"), "rep_fay.csv")
add_case("rep_fay", "rep_fay.csv",
         paste("--weight w --repweights", rlist(df), "--reptype fay --rho 0.3"),
         function(d) rep_design(d, "Fay", rho = 0.3))

# Successive-difference replication (svrepdesign type "successive-difference":
# scale 4/R, rscales 1). survey 4.1 has no generator, so build Fay & Train
# (1995) factors 1 + 2^(-3/2) (h[a,r] - h[b,r]) from a 20x20 Hadamard matrix,
# rows in sample (sort) order.
n_sdr <- 200; R_sdr <- 20
d <- gen_outcomes(n_sdr, rep(0, n_sdr), K = 3, G = 3)
d$w <- round(runif(n_sdr, 20, 60), 3)
H <- 2 * survey:::hadamard(R_sdr - 1) - 1
stopifnot(nrow(H) == R_sdr)
i <- seq_len(n_sdr)
a <- ((i - 1) %% (R_sdr - 1)) + 2; bb <- (i %% (R_sdr - 1)) + 2
fac <- 1 + 2^(-1.5) * (H[a, ] - H[bb, ])
datasets$rep_sdr.csv <- ds <- write_rep_data(d, d$w * fac, "rep_sdr.csv")
add_case("rep_sdr", "rep_sdr.csv",
         paste("--weight w --repweights", rlist(ds), "--reptype sdr"),
         function(d) rep_design(d, "successive-difference"))

# --make-replicates: sondage builds the replicate weights itself from the
# design; R's as.svrepdesign is the reference. JK1 and JKn are deterministic;
# bootstrap replicates are random, so make_bootstrap records estimates only.
add_case("make_jk1", "cluster1.csv", "--weight w --cluster psu --make-replicates jk1",
         function(d) as.svrepdesign(lin_design(d, cluster = "psu"), type = "JK1"))
add_case("make_jkn", "clusterst.csv",
         "--weight w --strata st --cluster psu --nest --make-replicates jkn",
         function(d) as.svrepdesign(lin_design(d, strata = "st", cluster = "psu", nest = TRUE),
                                    type = "JKn"))
add_case("make_jk1_strat", "clusterst.csv",
         "--weight w --strata st --cluster psu --nest --make-replicates jk1",
         function(d) as.svrepdesign(lin_design(d, strata = "st", cluster = "psu", nest = TRUE),
                                    type = "JK1"))
add_case("make_bootstrap", "clusterst.csv",
         "--weight w --strata st --cluster psu --nest --make-replicates bootstrap --replicates 50",
         function(d) as.svrepdesign(lin_design(d, strata = "st", cluster = "psu", nest = TRUE),
                                    type = "bootstrap", replicates = 50),
         estimates_only = TRUE)

## ------------------------------------------- issue 10: 68 more designs ----
# R's own example data (library(survey): api, nhanes, mu284, scd) and
# synthetic designs for the cases the first set did not reach: weights from
# fpc, zero and mean-1 weights, census and lonely units at both stages, an
# fpc varying within strata, replicate corner cases (no weight in a domain,
# rscales with zeros, scale ignored, negative weights, certainty strata,
# ill-conditioned small domains, patterns over the cap). Generated from a
# seed of their own, so the first set's data and fixtures are unchanged.
# These cases are "lenient": a value R cannot compute is recorded as NA
# (sondage must not print a number there either).

saved_seed <- .Random.seed
set.seed(20251201)
lenient <- character(0)
add_case2 <- function(name, data, args, build, lonely = "fail", expect_error = FALSE,
                      skip = character(0)) {
    add_case(name, data, args, build, lonely = lonely)
    cases[[name]]$expect_error <<- expect_error
    cases[[name]]$skip <<- skip
    if (!expect_error) lenient <<- c(lenient, name)  # an R stop must stay a stop
}
pick <- function(d, cols) { out <- d[, cols, drop = FALSE]; out }

data(api, package = "survey")
data(nhanes, package = "survey")
data(mu284, package = "survey")
data(scd, package = "survey")

# apiclus2: two-stage (districts, schools) with fpc at both stages and no
# weights: svydesign derives them from the fpc (670.8, not 703.8).
d <- with(apiclus2, data.frame(y = match(stype, c("E", "H", "M")),
                               b = as.numeric(sch.wide == "Yes"), x = api00,
                               g = match(awards, c("No", "Yes")), psu = dnum, ssu = snum,
                               fpc1 = fpc1, fpc2 = fpc2))
datasets$api_clus2.csv <- write_data(d, "api_clus2.csv")
add_case2("api_clus2_fpcw", "api_clus2.csv", "--cluster psu,ssu --fpc fpc1,fpc2",
          function(d) svydesign(ids = ~psu + ssu, fpc = ~fpc1 + fpc2, data = d))
# apistrat: a stratified sample whose strata are the row variable: the
# share of a stratum has SE exactly 0.
d <- with(apistrat, data.frame(y = match(stype, c("E", "H", "M")),
                               b = as.numeric(sch.wide == "Yes"), x = api00,
                               g = match(awards, c("No", "Yes")), w = pw,
                               st = match(stype, c("E", "H", "M")), fpc1 = fpc))
datasets$api_strat.csv <- write_data(d, "api_strat.csv")
add_case2("api_strat", "api_strat.csv", "--weight w --strata st --fpc fpc1",
          function(d) svydesign(ids = ~1, strata = ~st, fpc = ~fpc1, weights = ~w, data = d))
add_case2("api_strat_fpcw", "api_strat.csv", "--strata st --fpc fpc1",
          function(d) svydesign(ids = ~1, strata = ~st, fpc = ~fpc1, data = d))
# apiclus1: one-stage cluster sample with fpc; JK1 made from it.
d <- with(apiclus1, data.frame(y = match(stype, c("E", "H", "M")),
                               b = as.numeric(sch.wide == "Yes"), x = api00,
                               g = match(awards, c("No", "Yes")), w = pw, psu = dnum,
                               fpc1 = fpc))
datasets$api_clus1.csv <- write_data(d, "api_clus1.csv")
add_case2("api_clus1", "api_clus1.csv", "--weight w --cluster psu --fpc fpc1",
          function(d) svydesign(ids = ~psu, fpc = ~fpc1, weights = ~w, data = d))
add_case2("api_clus1_jk1", "api_clus1.csv", "--weight w --cluster psu --fpc fpc1 --make-replicates jk1",
          function(d) as.svrepdesign(svydesign(ids = ~psu, fpc = ~fpc1, weights = ~w, data = d),
                                     type = "JK1"))
# nhanes: 8591 rows, strata x PSUs; the likelihood interval of the whole
# sample needs qf(a, 1, 8590), where GSL's inverse F fails to converge.
d <- with(nhanes, data.frame(y = as.integer(agecat), b = as.numeric(race == 1), x = HI_CHOL,
                             g = RIAGENDR, w = WTMEC2YR, st = SDMVSTRA, psu = SDMVPSU))
datasets$nhanes.csv <- write_data(d, "nhanes.csv")
add_case2("nhanes", "nhanes.csv", "--weight w --strata st --cluster psu --nest",
          function(d) svydesign(ids = ~psu, strata = ~st, weights = ~w, nest = TRUE, data = d))
# mu284: two-stage, fpc at both stages, weights from them.
d <- with(mu284, data.frame(y = 1 + (y1 > 40) + (y1 > 48), b = as.numeric(y1 > 45), x = y1,
                            g = id2, psu = id1, ssu = id2, fpc1 = n1, fpc2 = n2))
datasets$mu284.csv <- write_data(d, "mu284.csv")
add_case2("mu284", "mu284.csv", "--cluster psu,ssu --fpc fpc1,fpc2",
          function(d) svydesign(ids = ~psu + ssu, fpc = ~fpc1 + fpc2, data = d))
# scd: BRR with 4 half-samples (the example of ?scd); ambulance 2's rows
# have no weight in the first replicate: R drops it there.
scd_rw <- 2 * cbind(c(1, 0, 1, 0, 1, 0), c(1, 0, 0, 1, 0, 1), c(0, 1, 1, 0, 0, 1), c(0, 1, 0, 1, 1, 0))
d <- with(scd, data.frame(y = ESA, b = as.numeric(alive > 40), x = arrests, g = ambulance, w = 1))
d <- cbind(d, setNames(as.data.frame(scd_rw), paste0("r", 1:4)))
datasets$scd.csv <- write_data(d, "scd.csv")
# (R's logit intervals here come from glm refits of one or two rows: NA or
# bounds of 1e-35 known to a few digits; not recorded.)
add_case2("scd_brr", "scd.csv", "--weight w --repweights r1,r2,r3,r4 --reptype brr",
          function(d) rep_design(d, "BRR"), skip = "ci_logit")
add_case2("scd_brr_scale", "scd.csv", "--weight w --repweights r1,r2,r3,r4 --reptype brr --scale 0.5",
          function(d) suppressWarnings(rep_design(d, "BRR", scale = 0.5)), skip = "ci_logit")

# Weights of mean 1 (market-research weights): R's deff = TRUE is NA
# where the domain's weights sum to less than its rows.
d <- datasets$srs.csv
d$w <- round(d$w / mean(d$w), 6)
datasets$meanone.csv <- write_data(d, "meanone.csv")
add_case2("meanone", "meanone.csv", "--weight w", function(d) lin_design(d))
add_case2("meanone_clus", "meanone.csv", "--weight w --make-replicates jk1",
          function(d) as.svrepdesign(lin_design(d), type = "JK1"))
# Zero weights: some rows, and every row of one PSU.
d <- datasets$cluster1.csv
z <- d$psu == 7 | seq_len(nrow(d)) %in% c(5, 40, 77, 150)
d$w[z] <- 0
datasets$zerow.csv <- write_data(d, "zerow.csv")
# sondage leaves rows of weight 0 out of the analysis (SPSS's rule, and
# R's own for degf and, with linearization, deff); R still counts them in
# svychisq's N and nu, in the beta and likelihood intervals' n, and, for
# replicate designs, in deff and svyvar: those are not recorded here
# (docs/statistics.md, "Where sondage differs from R").
zero_skip <- c("ci_beta", "ci_likelihood", "chisq_F_ddf", "chisq_F_p", "chisq_Chisq_stat",
               "chisq_Chisq_p", "pair_ddf", "pair_p")
add_case2("zerow_clus", "zerow.csv", "--weight w --cluster psu",
          function(d) lin_design(d, cluster = "psu"), skip = zero_skip)
add_case2("zerow_srs", "zerow.csv", "--weight w", function(d) lin_design(d), skip = zero_skip)
add_case2("zerow_jk1", "zerow.csv", "--weight w --cluster psu --make-replicates jk1",
          function(d) as.svrepdesign(lin_design(d, cluster = "psu"), type = "JK1"),
          skip = c(zero_skip, "pct_deff", "mean_deff", "sd"))

# rscales with zeros: svrVar centres on the replicates whose rscale is > 0.
dn <- datasets$rep_jkn.csv
rs0 <- jkn_rscales
rs0[c(2, 9, 17, 25)] <- 0
add_case2("rep_jkn_rscales0", "rep_jkn.csv",
          paste("--weight w --repweights", rlist(dn), "--reptype jkn --rscales",
                paste(fmt(rs0), collapse = ",")),
          function(d) rep_design(d, "JKn", rscales = rs0))
# --scale with BRR and SDR: svrepdesign ignores it (and SDR's rscales).
add_case2("rep_brr_scale", "rep_brr.csv",
          paste("--weight w --repweights", rlist(datasets$rep_brr.csv), "--reptype brr --scale 0.5"),
          function(d) suppressWarnings(rep_design(d, "BRR", scale = 0.5)))
add_case2("rep_sdr_scale", "rep_sdr.csv",
          paste("--weight w --repweights", rlist(datasets$rep_sdr.csv),
                "--reptype sdr --scale 0.3 --rscales", paste(rep("0.5", 20), collapse = ",")),
          function(d) suppressWarnings(rep_design(d, "successive-difference", scale = 0.3,
                                                  rscales = rep(0.5, 20))))

# Certainty strata: stratum 2 is a census (fpc = its 6 PSUs): it adds no
# variance, and as.svrepdesign's JKn drops its replicates.
d <- datasets$clusterst.csv
d$fpc1 <- c(40, 6, 60, 30, 45)[d$st]
datasets$cert.csv <- write_data(d, "cert.csv")
add_case2("cert", "cert.csv", "--weight w --strata st --cluster psu --nest --fpc fpc1",
          function(d) lin_design(d, strata = "st", cluster = "psu", fpc = "fpc1", nest = TRUE))
add_case2("cert_jkn", "cert.csv",
          "--weight w --strata st --cluster psu --nest --fpc fpc1 --make-replicates jkn",
          function(d) as.svrepdesign(lin_design(d, strata = "st", cluster = "psu", fpc = "fpc1",
                                                nest = TRUE), type = "JKn"))
# JKn from a design with a lonely PSU, under each option R's jknweights knows.
for (lp in c("adjust", "average", "remove"))
    add_case2(paste0("lonely_jkn_", lp), "lonely.csv",
              paste("--weight w --strata st --cluster psu --nest --lonely-psu", lp,
                    "--make-replicates jkn"),
              function(d) as.svrepdesign(lin_design(d, strata = "st", cluster = "psu", nest = TRUE),
                                         type = "JKn"),
              lonely = lp)
# A census lonely stratum (3, fpc 1) and a lonely one sampled (6):
# "average" counts the census one as computed.
nps <- c(4, 5, 1, 4, 6, 1)
sizes <- sample(8:14, sum(nps), replace = TRUE)
d <- gen_clustered(sizes, K = 3, G = 2)
d$st <- rep(rep(1:6, nps), sizes)
d$psu <- rep(unlist(lapply(nps, seq_len)), sizes)
d$w <- round(rep(runif(sum(nps), 8, 30), sizes) * runif(sum(sizes), 0.9, 1.1), 4)
d$fpc1 <- c(50, 50, 1, 50, 50, 10)[d$st]
datasets$lonely_census.csv <- write_data(d, "lonely_census.csv")
for (lp in c("fail", "average", "adjust", "remove"))
    add_case2(paste0("lonely_census_", lp), "lonely_census.csv",
              paste("--weight w --strata st --cluster psu --nest --fpc fpc1 --lonely-psu", lp),
              function(d) lin_design(d, strata = "st", cluster = "psu", fpc = "fpc1", nest = TRUE),
              lonely = lp, expect_error = lp == "fail")
# A lonely SSU at stage 2 (PSU 3 samples 1 of 8 SSUs): R stops under
# "fail" ("Stratum (1.3) has only one PSU at stage 2").
d <- datasets$twostage.csv
keep <- !(d$psu == 3 & d$ssu != 1)
d <- d[keep, ]
d$fpc2[d$psu == 3] <- 8
datasets$ssu_lonely.csv <- write_data(d, "ssu_lonely.csv")
for (lp in c("fail", "remove", "adjust", "certainty"))
    add_case2(paste0("ssu_lonely_", lp), "ssu_lonely.csv",
              paste("--weight w --cluster psu,ssu --fpc fpc1,fpc2 --lonely-psu", lp),
              function(d) lin_design(d, cluster = c("psu", "ssu"), fpc = c("fpc1", "fpc2")),
              lonely = lp, expect_error = lp == "fail")
# An fpc that varies within a stratum (one population size per PSU): R
# warns and scales each PSU by its own. Every PSU has rows of every banner
# group with y and x observed, so R's domain rule (every PSU present, each
# with its own fpc) holds in each column.
repeat {
    nps <- c(5, 5, 4, 6)
    sizes <- sample(12:16, sum(nps), replace = TRUE)
    u <- rep(rnorm(sum(nps), 0, 0.5), sizes)
    d <- gen_outcomes(sum(sizes), u, K = 3, G = 3)
    d$g <- unlist(lapply(sizes, function(m) rep_len(1:3, m)))
    d$st <- rep(rep(1:4, nps), sizes)
    d$psu <- rep(unlist(lapply(nps, seq_len)), sizes)
    pid <- rep(seq_len(sum(nps)), sizes)
    ok <- all(tapply(!is.na(d$y), list(pid, d$g), sum) > 0) &&
        all(tapply(!is.na(d$x), list(pid, d$g), sum) > 0)
    if (ok) break
}
d$w <- round(rep(runif(sum(nps), 8, 30), sizes) * runif(sum(sizes), 0.9, 1.1), 4)
d$fpc1 <- rep(round(runif(sum(nps), 8, 40)), sizes)
datasets$fpc_vary.csv <- write_data(d, "fpc_vary.csv")
add_case2("fpc_vary", "fpc_vary.csv", "--weight w --strata st --cluster psu --nest --fpc fpc1",
          function(d) suppressWarnings(lin_design(d, strata = "st", cluster = "psu", fpc = "fpc1",
                                                  nest = TRUE)))
# Negative replicate weights: a rescaled bootstrap resampling n_h of the n_h
# PSUs, multipliers 1 - l + l r (l = sqrt(n_h / (n_h - 1)) > 1), so a PSU
# left out has a negative weight.
d <- datasets$clusterst.csv
pid <- paste(d$st, d$psu)
upid <- unique(pid); ust <- d$st[!duplicated(pid)]
Rn <- 40
mult <- matrix(1, length(upid), Rn)
for (r in 1:Rn) for (h in unique(ust)) {
    ix <- which(ust == h); nh <- length(ix); lam <- sqrt(nh / (nh - 1))
    cnt <- tabulate(sample(seq_len(nh), nh, replace = TRUE), nh)
    mult[ix, r] <- 1 - lam + lam * cnt
}
W <- d$w * mult[match(pid, upid), ]
stopifnot(any(W < 0))
datasets$rep_negboot.csv <- dng <- write_rep_data(d, W, "rep_negboot.csv")
# (svyttest and the logit interval refit a glm per replicate, and glm.fit
# leaves out rows of negative weight, unlike svymean: not recorded.)
add_case2("rep_negboot", "rep_negboot.csv",
          paste("--weight w --repweights", rlist(dng), "--reptype bootstrap --scale", fmt(1 / Rn)),
          function(d) rep_design(d, "bootstrap", scale = 1 / Rn), skip = c("ttest", "ci_logit"))
# Small domains of a JKn design with weights over many orders of magnitude:
# the rank of the domain's replicate weights (R's qr) where a Cholesky of
# their Gram matrix keeps a dependent column (g = 3: QR rank 7, not 8).
old_seed <- .Random.seed
set.seed(162)
nps <- c(4, 5, 3, 4); sizes <- sample(2:5, sum(nps), TRUE)
st <- rep(rep(1:4, nps), sizes); psu <- rep(unlist(lapply(nps, seq_len)), sizes)
n <- length(st); w <- round(exp(rnorm(n, 0, 4)), 6) + 0.001
g <- sample(1:3, n, TRUE, prob = c(.6, .3, .1)); y <- sample(1:2, n, TRUE)
.Random.seed <- old_seed
d <- data.frame(y = y, b = as.numeric(y == 1), x = round(rnorm(n, 50, 10), 2), g = g, w = w,
                st = st, psu = psu)
datasets$rank.csv <- write_data(d, "rank.csv")
add_case2("make_jkn_rank", "rank.csv",
          "--weight w --strata st --cluster psu --nest --make-replicates jkn",
          function(d) as.svrepdesign(lin_design(d, strata = "st", cluster = "psu", nest = TRUE),
                                     type = "JKn"))
rd <- as.svrepdesign(lin_design(datasets$rank.csv, strata = "st", cluster = "psu", nest = TRUE),
                     type = "JKn", compress = FALSE)
datasets$rep_rank.csv <- drk <- write_rep_data(datasets$rank.csv, weights(rd, "analysis"), "rep_rank.csv")
rank_rscales <- rd$rscales
add_case2("rep_rank", "rep_rank.csv",
          paste("--weight w --repweights", rlist(drk), "--reptype jkn --rscales",
                paste(fmt(rank_rscales), collapse = ",")),
          function(d) rep_design(d, "JKn", rscales = rank_rscales))
# The same with every row over the pattern cap (a test knob): each row's
# own replicate weights go into the domains' triangular factors.
add_case2("rep_rank_overflow", "rep_rank.csv",
          paste("--weight w --repweights", rlist(drk), "--reptype jkn --rscales",
                paste(fmt(rank_rscales), collapse = ","), "--patterns-max 1"),
          function(d) rep_design(d, "JKn", rscales = rank_rscales))
add_case2("rep_jk1_overflow", "rep_jk1.csv",
          paste("--weight w --repweights", rlist(datasets$rep_jk1.csv), "--reptype jk1 --scale",
                fmt(jk1_scale), "--patterns-max 5"),
          function(d) rep_design(d, "JK1", scale = jk1_scale))
.Random.seed <- saved_seed

## ------------------------------------------------------- statistics ----

ci_methods <- c("logit", "likelihood", "asin", "beta", "mean", "xlogit")

# All results for one case, as a data frame stat,row_var,row,col_var,col,value.
case_results <- function(des, d, estimates_only = FALSE, lenient = FALSE, skip = character(0)) {
    out <- new.env(); out$rows <- list()
    skip_ci <- sub("^ci_", "", grep("^ci_", skip, value = TRUE))
    # v(): in lenient cases a statistic R cannot compute is NA, not an error
    v <- function(e) if (lenient) tryCatch(suppressWarnings(e), error = function(err) NA_real_) else e
    put <- function(stat, row_var, row, col_var, col, value, skip_na = FALSE) {
        if (length(skip) && any(startsWith(stat, skip))) return(invisible())
        value <- v(unname(as.numeric(value)))
        if (length(value) != 1 && lenient) value <- NA_real_
        stopifnot(length(value) == 1)
        if (!is.finite(value)) {
            if (skip_na) return(invisible())
            if (!lenient) stop("non-finite ", stat, " ", row_var, "=", row, " ", col_var, "=", col)
        }
        out$rows[[length(out$rows) + 1]] <- data.frame(
            stat = stat, row_var = row_var, row = as.character(row),
            col_var = col_var, col = as.character(col),
            value = if (is.finite(value)) fmt(value) else "NA")
    }
    ylev <- sort(unique(na.omit(d$y))); glev <- sort(unique(d$g))
    for (dom in c(as.list(glev), list("total"))) {
        in_dom <- if (identical(dom, "total")) rep(TRUE, nrow(d)) else d$g == dom
        # proportions of y: the analysis design is the domain restricted to
        # rows where y is observed (see README, "Domains and missing values")
        dy <- des[in_dom & !is.na(d$y), ]
        for (k in ylev) {
            f <- as.formula(paste0("~y", k))
            m <- v(suppressWarnings(svymean(f, dy, deff = TRUE)))
            put("pct", "y", k, "g", dom, coef(m))
            if (!estimates_only) {
                put("pct_se", "y", k, "g", dom, SE(m))
                # R's deff = TRUE is NA where the weights sum to less than the
                # rows (and sondage's deff is R's "replace" anyway): recorded
                # only where R has it
                put("pct_deff", "y", k, "g", dom, deff(m), skip_na = TRUE)
                put("pct_deff_replace", "y", k, "g", dom,
                    deff(v(svymean(f, dy, deff = "replace"))))
                put("ci_df", "y", k, "g", dom, degf(dy))
                # survey 4.1 cannot profile replicate-design fits: its
                # residuals.svrepglm(type = "pearson") divides by
                # sqrt(pweights/sum(pweights)), so the dispersion is about n
                # instead of about 1, the profile never reaches its cut-off and
                # confint() returns NA. No oracle for likelihood + replicates.
                meths <- if (inherits(des, "svyrep.design")) setdiff(ci_methods, "likelihood") else ci_methods
                # Not recorded where R is degenerate (tests/oracle/README.md,
                # "What R could not do"): beta with no variance (qbeta with
                # two infinite shapes is 0.5 whatever p is); logit where R's
                # glm refits fail (NA) or, with negative replicate weights,
                # drop the rows glm.fit cannot weight; and in `skip_stats`.
                if (isTRUE(SE(m) == 0)) meths <- setdiff(meths, "beta")
                meths <- setdiff(meths, skip_ci)
                for (meth in meths) {
                    ci <- v(attr(svyciprop(f, dy, method = meth), "ci"))
                    if (length(ci) != 2) ci <- c(NA_real_, NA_real_)
                    na <- meth == "logit"
                    put(paste0("ci_", meth, "_low"), "y", k, "g", dom, ci[1], skip_na = na)
                    put(paste0("ci_", meth, "_high"), "y", k, "g", dom, ci[2], skip_na = na)
                }
            }
        }
        dx <- des[in_dom & !is.na(d$x), ]
        m <- v(suppressWarnings(svymean(~x, dx, deff = TRUE)))
        put("mean", "x", "mean", "g", dom, coef(m))
        if (!estimates_only) {
            put("mean_se", "x", "mean", "g", dom, SE(m))
            put("mean_deff", "x", "mean", "g", dom, deff(m), skip_na = TRUE)
            put("mean_deff_replace", "x", "mean", "g", dom,
                deff(v(svymean(~x, dx, deff = "replace"))))
            # the SD (svyvar) and the median (svyquantile's default rule
            # "math", Woodruff interval "mean", its SE)
            put("sd", "x", "mean", "g", dom, sqrt(coef(v(svyvar(~x, dx)))))
            q <- v(suppressWarnings(svyquantile(~x, dx, 0.5)))
            qv <- v(q[[1]][1, ])
            if (length(qv) != 4) qv <- rep(NA_real_, 4)
            put("median", "x", "mean", "g", dom, qv[1])
            put("median_low", "x", "mean", "g", dom, qv[2])
            put("median_high", "x", "mean", "g", dom, qv[3])
            put("median_se", "x", "mean", "g", dom, qv[4])
        }
        t <- v(svytotal(~x, dx))
        put("total", "x", "mean", "g", dom, coef(t))
        if (!estimates_only) put("total_se", "x", "mean", "g", dom, SE(t))
        db <- des[in_dom, ]
        t <- v(svytotal(~b, db))
        put("total", "b", 1, "g", dom, coef(t))
        if (!estimates_only) put("total_se", "b", 1, "g", dom, SE(t))
    }
    if (estimates_only) return(do.call(rbind, out$rows))
    # Rao-Scott tests of y by g, on the rows where y and g are observed
    dyg <- des[!is.na(d$y) & !is.na(d$g), ]
    tf <- v(svychisq(~y + grp, dyg, statistic = "F"))
    put("chisq_F_stat", "y", "", "g", "", tf$statistic)
    put("chisq_F_ndf", "y", "", "g", "", tf$parameter["ndf"])
    put("chisq_F_ddf", "y", "", "g", "", tf$parameter["ddf"])
    put("chisq_F_p", "y", "", "g", "", tf$p.value)
    tc <- v(svychisq(~y + grp, dyg, statistic = "Chisq"))
    put("chisq_Chisq_stat", "y", "", "g", "", tc$statistic)
    put("chisq_Chisq_df", "y", "", "g", "", tc$parameter["df"])
    put("chisq_Chisq_p", "y", "", "g", "", tc$p.value)
    # t tests of x between every two levels of g (the first set's fixtures
    # had the first two only: they are unchanged)
    allpairs <- combn(glev, 2)
    for (j in seq_len(ncol(allpairs))) {
        if ("ttest" %in% skip) break
        g12 <- allpairs[, j]
        dt <- des[d$g %in% g12 & !is.na(d$x), ]
        # the first pair as the first set had it; the others through a 0/1
        # indicator of the second group (svyttest wants a binary group)
        tf2 <- if (j == 1) x ~ grp else as.formula(paste0("x ~ I(grp == ", g12[2], ")"))
        tt <- v(svyttest(tf2, dt))
        lab <- paste(rev(g12), collapse = "-")   # R's estimate is mean(g2) - mean(g1)
        put("ttest_t", "x", "", "g", lab, tt$statistic)
        put("ttest_df", "x", "", "g", lab, tt$parameter)
        put("ttest_p", "x", "", "g", lab, tt$p.value)
        put("ttest_diff", "x", "", "g", lab, tt$estimate)
        put("ttest_se", "x", "", "g", lab, tt$estimate / tt$statistic)
    }
    # pairwise differences of domain proportions (column-letter tests):
    # svycontrast's unpooled form, and the pooled test of the pair's 2x2
    # table (svychisq on the two columns' rows), sondage's default
    dd <- des[!is.na(d$y), ]
    for (k in ylev) {
        by <- v(svyby(as.formula(paste0("~y", k)), ~grp, dd, svymean, covmat = TRUE))
        pairs <- combn(glev, 2)
        for (j in seq_len(ncol(pairs))) {
            cc <- setNames(c(1, -1), as.character(pairs[, j]))
            con <- v(svycontrast(by, cc))
            lab <- paste(pairs[, j], collapse = "-")
            put("diff", "y", k, "g", lab, coef(con))
            put("diff_se", "y", k, "g", lab, SE(con))
            dp <- des[!is.na(d$y) & d$g %in% pairs[, j], ]
            pc <- v(suppressWarnings(svychisq(as.formula(paste0("~y", k, " + grp")), dp,
                                              statistic = "F")))
            put("pair_F", "y", k, "g", lab, pc$statistic)
            put("pair_ddf", "y", k, "g", lab, pc$parameter["ddf"])
            put("pair_p", "y", k, "g", lab, pc$p.value)
        }
    }
    do.call(rbind, out$rows)
}

write_fixture <- function(name, res) {
    f <- file.path(fdir, paste0(name, ".csv"))
    lines <- c("stat,row_var,row,col_var,col,value",
               paste(res$stat, res$row_var, res$row, res$col_var, res$col, res$value, sep = ","))
    writeLines(lines, f)
}

csvq <- function(s) paste0('"', gsub('"', '""', s), '"')
case_lines <- "case,data,args"
t0 <- proc.time()[["elapsed"]]
for (name in names(cases)) {
    cs <- cases[[name]]
    d <- datasets[[cs$data]]
    old <- options(survey.lonely.psu = cs$lonely)
    # indicator columns y1..yK (NA where y is NA) for the analysis only
    # The banner is called `grp` inside R: svyglm() on replicate designs in
    # survey 4.1 evaluates its own call with with(data, eval(g)), so a data
    # column named `g` shadows the call and breaks svyttest/svyciprop.
    da <- d
    names(da)[names(da) == "g"] <- "grp"
    for (k in sort(unique(na.omit(d$y)))) da[[paste0("y", k)]] <- as.numeric(d$y == k)
    res <- tryCatch(case_results(cs$build(da), d, cs$estimates_only, name %in% lenient,
                                 if (is.null(cs$skip)) character(0) else cs$skip),
                    error = function(e) e)
    options(old)
    if (inherits(res, "error")) {
        msg <- conditionMessage(res)
        expected_error <- name %in% c("lonely_fail", "cluster1_strat_nonest", "make_jk1_strat") ||
            isTRUE(cs$expect_error)
        if (!expected_error) stop("case ", name, ": ", msg)
        writeLines(c("stat,row_var,row,col_var,col,value",
                     paste0("error,,,,,", csvq(msg))),
                   file.path(fdir, paste0(name, ".csv")))
        cat(sprintf("%-22s error: %s\n", name, msg))
    } else {
        write_fixture(name, res)
        cat(sprintf("%-22s %4d values\n", name, nrow(res)))
    }
    case_lines <- c(case_lines, paste(name, cs$data, csvq(cs$args), sep = ","))
}
writeLines(case_lines, file.path(root, "cases.csv"))

big <- file.info(list.files(fdir, full.names = TRUE))
if (any(big$size > 100000)) stop("fixture over 100 KB: ", rownames(big)[big$size > 100000])
cat(sprintf("done in %.1f s\n", proc.time()[["elapsed"]] - t0))
