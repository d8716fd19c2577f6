"""Tests of bot/records/."""
