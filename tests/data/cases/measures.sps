DATA LIST FREE / sex mealsband likert salary age.
BEGIN DATA
0 1 1 0 23
1 2 2 2500 35
0 3 3 3100 41
1 1 4 0 29
0 2 5 2800 52
1 3 9 4200 47
0 1 3 3900 38
1 2 2 0 61
END DATA.
VARIABLE LEVEL sex mealsband likert salary age (SCALE).
VALUE LABELS sex 0 'Male' 1 'Female'
  /mealsband 1 'Low' 2 'Medium' 3 'High'
  /likert 1 'Strongly disagree' 5 'Strongly agree' 9 'No answer'
  /salary 0 'Not given'.
MISSING VALUES likert (9) /salary (0).
SAVE OUTFILE='tests/data/measures.sav'.
