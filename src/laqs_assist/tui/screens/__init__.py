"""Screens: visits, new visit, interview, review, dialogs, help."""
