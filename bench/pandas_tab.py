#!/usr/bin/env python3
"""pandas_tab.py -- the benchmark's reference: the same tables as
`sondage tab FILE --rows q1,...,q10 --cols role --weight w --format csv`,
computed with pandas, printed as CSV.

    python3 pandas_tab.py FILE.csv [q1,q2,...] [role] [w] [usecols]

Per table (row variable q by the banner, with a Total column) and per cell:
the unweighted count n, the weighted count, the column proportion (weighted
count / weighted column base), the column bases (n and weighted) and the
number of respondents missing on q in that column -- every figure sondage's
CSV output carries except the labels. The whole file is read (sondage reads
only the columns a request names, and checks the others' fields), or, with
a fifth argument `usecols`, only the columns the tables use, as a careful
pandas user would. Phase timings go to stderr.
"""
import sys
import time

import pandas as pd


def fmt(x):
    """Numbers as sondage prints them: integers without '.0', others in
    round-trip form; NaN (0/0 proportion) as an empty field."""
    if x != x:
        return ""
    if float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: pandas_tab.py FILE.csv [ROWS] [BANNER] [WEIGHT]")
    path = sys.argv[1]
    rows = (sys.argv[2] if len(sys.argv) > 2 else
            ",".join("q%d" % k for k in range(1, 11))).split(",")
    ban = sys.argv[3] if len(sys.argv) > 3 else "role"
    wname = sys.argv[4] if len(sys.argv) > 4 else "w"
    usecols = rows + [ban, wname] if len(sys.argv) > 5 and sys.argv[5] == "usecols" else None

    t0 = time.perf_counter()
    df = pd.read_csv(path, usecols=usecols)
    t1 = time.perf_counter()

    out = ["row_var,row,col_var,col,n,count,pct,base_n,base_count,missing_n"]
    b = df[ban]
    w = df[wname]
    for q in rows:
        x = df[q]
        n = pd.crosstab(x, b, margins=True, margins_name="total")
        wc = pd.crosstab(x, b, values=w, aggfunc="sum", margins=True,
                         margins_name="total").fillna(0.0)
        pct = wc / wc.loc["total"]
        miss = x.isna().groupby(b).sum()
        miss["total"] = miss.sum()
        cols = ["total"] + [c for c in n.columns if c != "total"]
        cats = [r for r in n.index if r != "total"]
        for r in cats:
            for c in cols:
                out.append(",".join([
                    q, fmt(r), ban, fmt(c) if c != "total" else "total",
                    fmt(n.at[r, c]), fmt(wc.at[r, c]), fmt(pct.at[r, c]),
                    fmt(n.at["total", c]), fmt(wc.at["total", c]),
                    fmt(miss.get(c, 0))]))
    t2 = time.perf_counter()
    sys.stdout.write("\n".join(out) + "\n")
    sys.stderr.write("pandas_tab: read %.3f s, tabulate %.3f s\n" % (t1 - t0, t2 - t1))


if __name__ == "__main__":
    main()
