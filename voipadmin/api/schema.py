"""The error answers of the API, in the OpenAPI schema (a drf-spectacular postprocessing hook).

Every operation may answer 401 (no or a bad token) and 403 (a token without the right); one that
takes a query or a body 400 with the one error shape of voipadmin/api/errors.py; one on a row 404.
drf-spectacular documents only the success answers by itself, so a client (or schemathesis) would
otherwise meet answers the schema never mentions.
"""

ERROR = {
    "type": "object",
    "description": "What is wrong: `errors` names each item (its index in a batch) and field.",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["message"],
                "properties": {
                    "index": {"type": "integer", "nullable": True},
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
METHODS = ("get", "post", "put", "patch", "delete")
WORDS = {
    "400": "The query or the body is invalid; nothing was stored.",
    "401": "No token, or a token that is not valid.",
    "403": "The token's user may not do this.",
    "404": "No such row (or a damaged `cursor`).",
}


def _answer(code: str) -> dict:
    return {
        "description": WORDS[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            codes = ["401", "403"]
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("400")
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            # A row's page, and DRF's cursor pagination, which answers a damaged cursor with 404.
            if "{" in path or "cursor" in names:
                codes.append("404")
            for code in codes:
                responses.setdefault(code, _answer(code))
    return result
