"""All of the service's boto3: the client and its error codes, the table specs (schema), item
conversion, one pagination/transaction/batch plumbing, and one store per table or concern
(tables, departments, events, series edits, idempotency, tokens), with the AWS failure table and
the stall budget. May import errors, config, observability and rules; never Flask or api/."""
