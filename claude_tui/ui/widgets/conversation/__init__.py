"""The conversation tab: its transcript, banner, composer or locked notice."""
