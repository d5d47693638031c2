"""The fast tier: unit tests of pure code (backend/rules/ and the checks built on it), no server."""
