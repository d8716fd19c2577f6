"""The program's rules, as its page states them: who may apply, what the support costs, the quiz's questions, places
of the region, and the French the visitors write. Plain Python: nothing here imports Rasa, a database or the web."""
