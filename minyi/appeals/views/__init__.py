"""Pages of the appeal loop: public (citizens), staff (inbox, detail, actions), intake, echo wall."""
