"""The calendar's rules in pure code: no Flask, no boto3 (recurrence, clock times, a series' scope arithmetic)."""
