"""Static files the Qt client loads (icons, style sheet)."""
