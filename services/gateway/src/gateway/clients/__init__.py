"""One client per back-end service, each called with the user's token; every back-end URL is built here."""
