"""Symposia (座谈会): opinions heard face to face, entered in one batch as appeals (channel symposium)."""
