"""One voice: delay notices, acknowledgements and replies, and the client's communication log that every workflow writes to."""
