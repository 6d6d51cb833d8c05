"""Open311 GeoReport v2 under /open311/v2/: a facade over intake (POST requests) and tickets (GET requests).

Modules: `mapping` (categories and tickets in GeoReport terms), `forms` (the POST form → a report),
`queries` (the GET requests query string), `service` (ticket queries), `xmldoc` (the XML
rendering), `errors`, `views` (HTTP only).
"""
