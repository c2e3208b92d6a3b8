# gen_patterns.R — R's degrees of freedom of a replicate design with more
# distinct replicate-weight patterns than sondage keeps (20,000): the data
# are made here and, number for number, by the same generator in C
# (tests/unit/stats/test_replicates.c, make_patterns_csv), so no large data
# file is committed; the fixture holds R's degf of the design and of each
# domain g (tests/oracle/fixtures/patterns_df.csv).
#
#   Rscript tests/oracle/gen_patterns.R        (from the repository root)
#
# The generator: MINSTD (x <- 48271 x mod 2^31 - 1, seed 20240611). 24,000
# rows in 4 strata of 4 PSUs, JKn replicate weights (16; in replicate
# (h, j) a row of stratum h weighs 0 in PSU j, w * 4/3 in the other PSUs
# of h, w elsewhere), each non-zero one times 1 + 3e-6 (2u - 1): the rows
# of a PSU are proportional only to that noise, so nearly every row is its
# own pattern, while the noise stays below R's rank tolerance (1e-5), so R's
# rank is the design's structure: 13 in the whole sample and in g = 3 (every
# PSU), 7 in g = 1 (strata 1 and 2 only), 12 in g = 2 (three PSUs of each
# stratum).

suppressPackageStartupMessages(library(survey))
root <- "tests/oracle"
if (!file.exists(file.path(root, "gen_patterns.R")))
    stop("run from the repository root")

m <- 2147483647
x <- 20240611
nextx <- function() {
    x <<- (48271 * x) %% m
    x
}
n <- 24000
H <- 4
J <- 4
R <- H * J
st <- psu <- g <- y <- integer(n)
w <- numeric(n)
rw <- matrix(0, n, R)
for (i in seq_len(n)) {
    h <- (i - 1) %% H
    j <- nextx() %% J
    w[i] <- 1 + (nextx() %% 1000) / 100
    r <- nextx() %% 3
    gi <- if (h < 2 && r == 0) 1 else if (j != 3 && r == 1) 2 else 3
    y[i] <- nextx() %% 2
    for (k in 0:(R - 1)) {
        hh <- k %/% J
        jj <- k %% J
        mult <- if (h != hh) 1 else if (j == jj) 0 else 4 / 3
        u <- nextx() / m
        rw[i, k + 1] <- if (mult == 0) 0 else w[i] * mult * (1 + 3e-6 * (2 * u - 1))
    }
    st[i] <- h + 1
    psu[i] <- j + 1
    g[i] <- gi
}
d <- data.frame(st = st, psu = psu, w = w, g = g, y = y)
des <- svrepdesign(data = d, repweights = rw, weights = ~w, type = "JKn",
                   rscales = rep(0.75, R), combined.weights = TRUE)
pat <- nrow(unique(round(rw / w, 9)))
out <- data.frame(domain = c("total", "1", "2", "3"),
                  df = c(degf(des), sapply(1:3, function(k) degf(subset(des, g == k)))))
cat(sprintf("distinct patterns (to 1e-9): %d\n", pat))
print(out)
write.csv(out, file.path(root, "fixtures", "patterns_df.csv"), row.names = FALSE, quote = FALSE)
