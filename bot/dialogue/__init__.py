"""The assistant's dialogue in plain Python: flows on a stack and the repair patterns around them.

Three flows collect answers: the eligibility quiz (`quiz_flow`), the cost
estimate (`estimate_flow`) and the handoff to a person (`contact_flow`). At most
one is active; starting another pauses it (`stack`), and what the visitor says
is read for every value it carries, answered as a detour, a correction, a
control word or a failure (`flows`, `repair`). `engine.respond` runs one turn.
Nothing here imports Rasa: the action `action_turn` (actions/dialogue.py) is the
only glue, and tests run whole conversations in process.
"""
