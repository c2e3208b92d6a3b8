# r_tab.R -- the benchmark's reference with R's `survey` package: for q1..q10,
# the weighted proportion of each category with its design-based SE, by role
# and for the whole sample, as `sondage tab FILE --rows q1,...,q10 --cols role
# --stats` gives them (its pct and se columns).
#
#   Rscript bench/r_tab.R FILE.csv taylor [svyby|ratio]
#       svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE)
#   Rscript bench/r_tab.R FILE.csv rep [svyby|ratio]
#       svrepdesign(type = "JK1", repweights rw1..rwR, weights = ~w,
#                   scale = (R - 1) / R, combined.weights = TRUE)
#   Rscript bench/r_tab.R FILE.csv boot [svyby|ratio]
#       svrepdesign(type = "bootstrap", repweights rw1..rwR, weights = ~w,
#                   combined.weights = TRUE)   (scale 1 / (R - 1))
#
# Output (stdout): var,role,code,pct,se -- role is 1, 2 or "total"; numbers
# with 17 significant digits. Phase timings go to stderr ("r_tab: ...").
#
# svyby (the default, what bench/run_r.sh times) is the ordinary efficient
# formulation: data.table::fread for the whole file (as sondage reads every
# column), the questions made factors once, the design built from the
# columns it needs, then per question
#     svyby(~q, ~role, des, svymean, na.rm = TRUE)   # by role
#     svymean(~q, des, na.rm = TRUE)                 # total
# A question at a time, because na.rm on several variables at once would
# drop the rows missing on any of them.
#
# ratio is a hand-made alternative that never subsets the design (each
# subset of a replicate design recomputes its degrees of freedom, a QR of
# the rows x R replicate-weight matrix): 0/1 columns for "code k of q in
# domain d" and "q answered in domain d", then per question and domain
#     svyratio(~a_q_1_d + ... + a_q_K_d, ~b_q_d, des)
# Same figures; about twice as fast as svyby for the replicate design, slower
# for Taylor (see bench/README.md).
suppressPackageStartupMessages({
    library(survey)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2 || length(args) > 3 || !(args[2] %in% c("taylor", "rep", "boot")) ||
    (length(args) == 3 && !(args[3] %in% c("svyby", "ratio"))))
    stop("usage: Rscript r_tab.R FILE.csv taylor|rep|boot [svyby|ratio]")
path <- args[1]
mode <- args[2]
form <- if (length(args) == 3) args[3] else "svyby"
qs <- paste0("q", 1:10)
num <- function(x) sprintf("%.17g", x)

t0 <- proc.time()[["elapsed"]]
if (requireNamespace("data.table", quietly = TRUE)) {
    reader <- "data.table::fread"
    d <- data.table::fread(path, data.table = FALSE, showProgress = FALSE)
} else {
    reader <- "read.csv"
    d <- read.csv(path)
}
t1 <- proc.time()[["elapsed"]]

make_design <- function(vars) {
    if (mode == "taylor") {
        svydesign(ids = ~psu, strata = ~stratum, weights = ~w, nest = TRUE,
                  data = cbind(d[, c("psu", "stratum", "w")], vars))
    } else if (mode == "boot") {
        rw <- grep("^rw[0-9]+$", names(d), value = TRUE)
        svrepdesign(variables = vars, repweights = d[, rw], weights = d$w,
                    type = "bootstrap", combined.weights = TRUE)
    } else {
        rw <- grep("^rw[0-9]+$", names(d), value = TRUE)
        R <- length(rw)
        svrepdesign(variables = vars, repweights = d[, rw], weights = d$w,
                    type = "JK1", scale = (R - 1) / R, combined.weights = TRUE)
    }
}

out <- character(0)
if (form == "svyby") {
    for (v in qs) d[[v]] <- factor(d[[v]]) # empty fields are NA
    des <- make_design(d[, c("role", qs)])
    rm(d)
    t2 <- proc.time()[["elapsed"]]
    for (v in qs) {
        f <- as.formula(paste0("~", v))
        by <- svyby(f, ~role, des, svymean, na.rm = TRUE)
        tot <- svymean(f, des, na.rm = TRUE)
        # svyby's columns: role, then the K proportions in level order, then
        # their K SEs (named se.q11... for svydesign, se1... for svrepdesign).
        codes <- levels(des$variables[[v]])
        K <- length(codes)
        stopifnot(ncol(by) == 1 + 2 * K, names(by)[1 + seq_len(K)] == paste0(v, codes))
        for (i in seq_len(nrow(by))) {
            out <- c(out, paste(v, by$role[i], codes,
                                num(unlist(by[i, 1 + seq_len(K)])),
                                num(unlist(by[i, 1 + K + seq_len(K)])), sep = ","))
        }
        stopifnot(names(coef(tot)) == paste0(v, codes))
        out <- c(out, paste(v, "total", codes, num(coef(tot)), num(SE(tot)), sep = ","))
    }
} else {
    doms <- c(sort(unique(d$role)), "total")
    ind <- list()
    codes <- list()
    for (v in qs) {
        x <- d[[v]]
        ok <- !is.na(x)
        codes[[v]] <- sort(unique(x[ok]))
        for (dom in doms) {
            m <- if (dom == "total") ok else ok & d$role == dom
            ind[[paste0("b_", v, "_", dom)]] <- as.numeric(m)
            for (k in codes[[v]])
                ind[[paste0("a_", v, "_", k, "_", dom)]] <- as.numeric(m & x == k)
        }
    }
    des <- make_design(as.data.frame(ind))
    rm(d, ind)
    t2 <- proc.time()[["elapsed"]]
    for (v in qs) {
        for (dom in doms) {
            an <- paste0("a_", v, "_", codes[[v]], "_", dom)
            r <- svyratio(as.formula(paste("~", paste(an, collapse = " + "))),
                          as.formula(paste0("~b_", v, "_", dom)), des)
            out <- c(out, paste(v, dom, codes[[v]], num(coef(r)), num(SE(r)), sep = ","))
        }
    }
}
t3 <- proc.time()[["elapsed"]]

writeLines(c("var,role,code,pct,se", out))
message(sprintf("r_tab: read %.2f s (%s), design %.2f s, estimates %.2f s; %s, %s, R %s, survey %s",
                t1 - t0, reader, t2 - t1, t3 - t2, mode, form, getRversion(),
                packageVersion("survey")))
