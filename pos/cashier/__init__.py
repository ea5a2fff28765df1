"""The till: shifts, the cart, checkout, refunds and voids, and the one writer of a sale's rows."""
