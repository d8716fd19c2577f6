"""Tests of bot/dialogue/."""
