"""Minyi (民意): hear the people, dispatch, fix and answer."""
