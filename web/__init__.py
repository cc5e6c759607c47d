"""People and programs in: the Flask app, its API and the command line."""
