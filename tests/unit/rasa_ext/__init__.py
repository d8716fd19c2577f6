"""Tests of bot/rasa_ext/."""
