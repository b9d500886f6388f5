"""Questionnaires as data (config/questionnaires/*.yaml): model, loader, typed-answer parsing, display."""
