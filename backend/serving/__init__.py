"""How gunicorn serves the app: the worker class, and the bound on how long a client may take
to send its request."""
