"""Anonymous evaluation forms (民主评议表): criteria and scale per unit, one-time paper codes, results
only for groups of five or more."""
