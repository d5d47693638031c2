"""The calendar page at `/`, end to end in headless Chromium, split by what the person does."""
