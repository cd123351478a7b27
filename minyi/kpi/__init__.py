"""Unit KPIs and the ranking (考评), issue 4.

metrics.py  what each rate counts (one numerator and one denominator condition per metric)
rules.py    counting every unit, the Wilson bound, the ranking, the records behind a number
summary.py  the daily counts the ranking adds up, kept exact through stale-day marks
verdicts.py which unit's answer each follow-up judged (the reopen and satisfaction attribution)
signals.py  the write hooks that keep the two tables above exact
views.py    /kpi/ (ranking, Excel) and /kpi/<unit>/<metric>/ (drill-down); command: manage.py kpi
"""
