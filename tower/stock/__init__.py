"""Client stock shared by the client (on hand and daily demand per product and location), with its import kind."""
