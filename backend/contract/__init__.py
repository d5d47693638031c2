"""The API contract, declared once: request and response bodies (pydantic v2, `bodies`), the routes
with their parameters, headers and answers (`routes`), and the OpenAPI 3.1 document built from both
(`openapi`).

Pure: no Flask and no boto3, so the migration validates with the same models the API uses.
"""
