"""Rasa's side, through its extension points: the site's channels, the server start, the policy that hands every
message to the dialogue, and the speed patches of tuning/ (switchable)."""
