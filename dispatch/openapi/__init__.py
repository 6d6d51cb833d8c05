"""The OpenAPI 3.1 document of /api/v1, generated from the pydantic models the views validate and answer with.

`registry` builds the document from declarations; `routes` declares each /api/v1 operation (one
`Operation` each); `models` holds the shapes that had no model of their own (errors, reference lists);
`views` serves /api/v1/openapi.json and the Swagger UI page /api/docs.
"""
