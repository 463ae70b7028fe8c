"""Widgets: the chat log and its messages, the answer box, the criteria panel, the agenda outline."""
