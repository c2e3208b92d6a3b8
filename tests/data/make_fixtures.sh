#!/bin/sh
# make_fixtures.sh — regenerate the third-party data files in tests/data/ that
# tests/unit/io/test_readstat.c reads, and the .sav seeds in fuzz/corpus/sav/.
# The files are committed together with this script; run it again only to
# change them:   sh tests/data/make_fixtures.sh
#
# One small survey (12 rows) is written by programs other than sondage:
#   survey.sav   PSPP SAVE (bytecode-compressed system file)
#   survey.zsav  PSPP SAVE /ZCOMPRESSED
#   survey.por   PSPP EXPORT (portable file). Names come out upper-cased and
#                cut to 8 bytes, and accented text does not survive (the
#                portable character set has none; PSPP itself reads "Tr" back
#                for "Très"). ReadStat 1.1.8 cannot read PSPP's .por as is:
#                read_readstat.c repairs its translation table on the way in.
#   survey.dta   R foreign::write.dta (format 114), read from survey.sav by
#                foreign::read.spss with user-missing codes kept as values
#   survey.xpt   R haven::write_xpt (version 5), checked by foreign::read.xport
#   survey.sas7bdat  R haven::write_sas
# haven writes XPORT and sas7bdat with its bundled copy of ReadStat's writers
# (nothing else installed here writes them), so those two files test our
# reading against ReadStat's writer rather than against SAS. foreign's own
# XPORT reader checks the .xpt below. Also written, for the error tests:
#   truncated.sav  the first half of survey.sav
#   corrupt.sav    survey.sav with 16 bytes of 'X' after its 176-byte header
#   not_sav.sav    a CSV file named .sav
#   empty.sav      0 bytes
#
# Determinism: the .sav, .zsav, .por, .xpt and .sas7bdat headers record the
# time of writing (foreign's .dta does not); the script pins every such field
# to 2024-01-01 00:00:00, so running it twice gives identical bytes.
#
# Needs: pspp (tested with 1.6.2), Rscript with foreign and haven (2.5).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# ---------------------------------------------------------------- PSPP
# secteur: nominal codes 1-7, user-missing 8 (Ne sait pas) and 9 (Refus).
# satisf: ordinal 1-5, user-missing range 97-99 plus the code 0, one
#         system-missing cell. metier: a string with value labels and the
#         user-missing value 'NR'. score and poids: scale with decimals.
cat > survey.sps <<'EOF'
SET LOCALE='UTF-8'.
DATA LIST LIST /id (F4.0) secteur (F1.0) satisf (F2.0) metier (A3) commentaire (A40)
  score (F8.2) poids (F8.4).
BEGIN DATA.
1 1 4 'MKT' 'Très bonne équipe' 12.50 0.8123
2 3 5 'DSI' '' 15.75 1.2000
3 8 3 'MKT' 'Ça dépend des projets' 9.25 1.0500
4 2 98 'CDP' '' . 0.9500
5 9 2 'AUT' 'Délais à améliorer' 7.00 1.1000
6 5 0 'NR' '' 11.00 0.7000
7 6 1 'MKT' 'Trop de réunions' 4.50 1.3000
8 4 4 'DSI' 'Outils modernes, équipe réactive' 16.25 0.9000
9 7 . 'CDP' '' 13.00 1.0000
10 8 5 'MKT' 'Rien à signaler' 18.00 1.1500
11 3 3 '' '' 10.50 0.8500
12 2 97 'DSI' 'Budget insuffisant' 8.75 1.0377
END DATA.
FILE LABEL 'Enquête DSI marketing 2024 (fixture)'.
VARIABLE LABELS id 'Identifiant du répondant'
  /secteur "Secteur d'activité de l'entreprise"
  /satisf 'Satisfaction globale'
  /metier 'Métier exercé'
  /commentaire 'Commentaire libre'
  /score "Score d'engagement (0-20)"
  /poids 'Poids de redressement'.
VALUE LABELS
  /secteur 1 'Industrie' 2 'Commerce' 3 'Services aux entreprises' 4 'Banque, assurance'
    5 'Santé' 6 'Administration publique' 7 'Autre secteur' 8 'Ne sait pas' 9 'Refus'
  /satisf 0 'Question non posée' 1 'Très insatisfait' 2 'Plutôt insatisfait'
    3 "Ni l'un ni l'autre" 4 'Plutôt satisfait' 5 'Très satisfait'
  /metier 'MKT' 'Marketeur (cadre marketing ou publicité)'
    'DSI' "Directeur des systèmes d'information" 'CDP' 'Chef de projet'
    'AUT' 'Autre métier' 'NR' 'Non renseigné'.
MISSING VALUES secteur (8, 9) /satisf (97 THRU 99, 0) /metier ('NR').
VARIABLE LEVEL id score poids (SCALE) /secteur metier commentaire (NOMINAL)
  /satisf (ORDINAL).
VARIABLE WIDTH secteur (10) /commentaire (30).
SAVE OUTFILE='survey.sav'.
SAVE OUTFILE='survey.zsav' /ZCOMPRESSED.
EXPORT OUTFILE='survey.por'.
EOF
pspp -o /dev/null survey.sps

# ---------------------------------------------------------------- R
cat > fixtures.R <<'EOF'
suppressMessages({ library(foreign); library(haven) })

## Pin the write time recorded in each header to 2024-01-01 00:00:00.
bytes <- function(f) readBin(f, "raw", file.size(f))
# .sav/.zsav: "dd Mon yy" then "hh:mm:ss" at byte offset 92.
for (f in c("survey.sav", "survey.zsav")) {
  r <- bytes(f); r[93:109] <- charToRaw("01 Jan 2400:00:00"); writeBin(r, f)
}
# .por: after "SPSSPORT" and the version letter come "8/yyyymmdd" and
# "6/hhmmss"; 80-byte lines may break inside them.
r <- bytes("survey.por")
i <- grepRaw("SPSSPORT", r, fixed = TRUE) + 8
nl <- as.raw(c(10, 13))
while (r[i] %in% nl) i <- i + 1
i <- i + 1                                   # the version letter
for (b in charToRaw("8/202401016/000000")) {
  while (r[i] %in% nl) i <- i + 1
  r[i] <- b; i <- i + 1
}
writeBin(r, "survey.por")
# XPORT: "ddMMMyy:hh:mm:ss" in the library and member header records.
pin_xpt <- function(f) {
  r <- bytes(f); n <- min(length(r), 1040)
  txt <- rawToChar(replace(r[1:n], r[1:n] < as.raw(32) | r[1:n] > as.raw(126), as.raw(46)))
  at <- gregexpr("[0-9]{2}[A-Z]{3}[0-9]{2}:[0-9]{2}:[0-9]{2}:[0-9]{2}", txt)[[1]]
  for (a in at[at > 0]) r[a:(a + 15)] <- charToRaw("01JAN24:00:00:00")
  writeBin(r, f)
}
# sas7bdat: creation and modification times, doubles (seconds since 1960).
pin_sas <- function(f) {
  r <- bytes(f); now <- as.numeric(Sys.time()) + 315619200
  fixed <- writeBin(2019686400, raw(), size = 8, endian = "little")
  for (o in 0:1016) {
    x <- readBin(r[(o + 1):(o + 8)], "double", size = 8, endian = "little")
    if (is.finite(x) && abs(x - now) < 3 * 86400) r[(o + 1):(o + 8)] <- fixed
  }
  writeBin(r, f)
}

## The survey as another program reads it: foreign's own .sav reader.
d <- suppressMessages(read.spss("survey.sav", to.data.frame = TRUE, use.value.labels = FALSE,
                                use.missings = FALSE, reencode = "UTF-8"))
vl <- unname(attr(d, "variable.labels"))
for (v in c("metier", "commentaire")) d[[v]] <- sub(" +$", "", d[[v]])
stopifnot(nrow(d) == 12, d$secteur[3] == 8, d$satisf[4] == 98, is.na(d$score[4]))

## Stata 10 (.dta format 114), written by foreign. Old .dta files carry no
## encoding (ReadStat reads them as Windows-1252), so text goes in as Latin-1.
## write.dta writes value labels only for factors, numbered 1..k: secteur's
## codes 1..9 are contiguous, so its factor codes are its real codes. satisf
## (0-5 and 97-98) keeps its values without labels. write.dta refuses empty
## strings; a blank stands in (sondage reads trailing blanks away).
lat <- function(x) iconv(x, "UTF-8", "latin1")
sl <- attr(d$secteur, "value.labels")
blank <- function(x) ifelse(x == "", " ", lat(x))
dta <- data.frame(id = as.integer(d$id),
                  secteur = factor(as.integer(d$secteur), levels = 1:9,
                                   labels = lat(names(sl)[match(as.character(1:9), sl)])),
                  satisf = d$satisf, metier = blank(d$metier),
                  commentaire = blank(d$commentaire), score = d$score, poids = d$poids,
                  stringsAsFactors = FALSE)
attr(dta, "var.labels") <- lat(vl)
attr(dta, "datalabel") <- lat("Enquête DSI marketing 2024 (fixture)")
write.dta(dta, "survey.dta", version = 10L)
back <- read.dta("survey.dta", convert.factors = FALSE)
stopifnot(all.equal(back$secteur, as.integer(d$secteur)), all.equal(back$poids, d$poids))

## SAS: XPORT v5 (8-character names, so commentaire becomes comment) and
## sas7bdat, by haven. The user-missing codes of secteur become SAS special
## missing values: 8 -> .A, 9 -> .B.
x <- data.frame(id = d$id, secteur = d$secteur, satisf = d$satisf, metier = d$metier,
                comment = d$commentaire, score = d$score, poids = d$poids,
                stringsAsFactors = FALSE)
x$secteur[x$secteur == 8] <- tagged_na("A")
x$secteur[!is.na(x$secteur) & x$secteur == 9] <- tagged_na("B")
for (i in seq_along(x)) attr(x[[i]], "label") <- vl[i]
write_xpt(x, "survey.xpt", version = 5, name = "SURVEY", label = "Enquete DSI marketing 2024")
pin_xpt("survey.xpt")
suppressWarnings(write_sas(x, "survey.sas7bdat"))
pin_sas("survey.sas7bdat")

## foreign's XPORT reader (not ReadStat) must see the same values.
chk <- read.xport("survey.xpt")
stopifnot(nrow(chk) == 12, all.equal(chk$poids, d$poids), all.equal(chk$score, d$score),
          identical(is.na(chk$secteur), d$secteur %in% c(8, 9)),
          all(sub(" +$", "", as.character(chk$metier)) == as.character(d$metier)))
EOF
Rscript fixtures.R

# ---------------------------------------------------------------- error cases
size=$(wc -c < survey.sav)
head -c $((size / 2)) survey.sav > truncated.sav
{ head -c 176 survey.sav; printf 'XXXXXXXXXXXXXXXX'; tail -c +193 survey.sav; } > corrupt.sav
printf 'id,secteur,score\n1,1,12.5\n2,3,15.75\n' > not_sav.sav
: > empty.sav

for f in survey.sav survey.zsav survey.por survey.dta survey.xpt survey.sas7bdat \
         truncated.sav corrupt.sav not_sav.sav empty.sav; do
    cp "$f" "$here/$f"
done
mkdir -p "$root/fuzz/corpus/sav"
cp survey.sav "$root/fuzz/corpus/sav/survey.sav"
cp survey.zsav "$root/fuzz/corpus/sav/survey.zsav"
cp truncated.sav "$root/fuzz/corpus/sav/truncated.sav"
echo "make_fixtures.sh: fixtures written to $here and fuzz/corpus/sav"
