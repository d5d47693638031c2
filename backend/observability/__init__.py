"""What an operator sees of the running service: structured logs and Prometheus metrics.

`logs` formats every log line (JSON or text) with the request id of the request it belongs to;
`metrics` holds the Prometheus metrics and the botocore hooks that count DynamoDB calls. Neither
imports Flask: the HTTP side lives in api/request_log.py and api/metrics.py.
"""
