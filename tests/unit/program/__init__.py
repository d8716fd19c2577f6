"""Tests of bot/program/."""
