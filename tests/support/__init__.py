"""What the tests share and are not tests themselves: servers and live processes, the browser,
fault injection, the DynamoDB permission recorder (a pytest plugin) and the IAM policy reader,
the migration CLI runner, the docs' command blocks, and hypothesis strategies."""
